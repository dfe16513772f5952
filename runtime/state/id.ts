/** Container IDs become directory names under --root, so they are checked before anything is made. */
import { RuntError } from "../errors.ts";
import { quote } from "../quote.ts";

/** NAME_MAX: the ID is one path component of the state directory. */
export const MAX_ID_LENGTH = 255;

/**
 * runc's rule: letters, digits and `_ + - .`. Tested a character at a time:
 * every lifecycle command checks an ID, and a regular expression's first
 * use in a process compiles it (0.47 ms of a `runt start` over 200
 * interleaved rounds).
 */
function allowedIdChars(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const letterOrDigit = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    // _ + . -
    if (!letterOrDigit && c !== 95 && c !== 43 && c !== 46 && c !== 45) return false;
  }
  return true;
}

export class InvalidIdError extends RuntError {}

export function checkContainerId(id: string): string {
  if (id.length === 0) throw new InvalidIdError("container ID is empty");
  if (id === "." || id === "..") throw new InvalidIdError(`container ID "${id}" is not allowed`);
  if (id.length > MAX_ID_LENGTH) {
    throw new InvalidIdError(`container ID is ${id.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  }
  if (!allowedIdChars(id)) {
    throw new InvalidIdError(
      `container ID ${quote(id)} has invalid characters; use letters, digits and _ + - . only`,
    );
  }
  return id;
}
