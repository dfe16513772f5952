/** Container IDs become directory names under --root, so they are checked before anything is made. */
import { RuntError } from "../errors.ts";
import { quote } from "../quote.ts";

/** NAME_MAX: the ID is one path component of the state directory. */
export const MAX_ID_LENGTH = 255;

// runc's rule: letters, digits and `_ + - .`.
const ID_PATTERN = /^[A-Za-z0-9_+.-]+$/;

export class InvalidIdError extends RuntError {}

export function checkContainerId(id: string): string {
  if (id.length === 0) throw new InvalidIdError("container ID is empty");
  if (id === "." || id === "..") throw new InvalidIdError(`container ID "${id}" is not allowed`);
  if (id.length > MAX_ID_LENGTH) {
    throw new InvalidIdError(`container ID is ${id.length} characters long; at most ${MAX_ID_LENGTH} are allowed`);
  }
  if (!ID_PATTERN.test(id)) {
    throw new InvalidIdError(
      `container ID ${quote(id)} has invalid characters; use letters, digits and _ + - . only`,
    );
  }
  return id;
}
