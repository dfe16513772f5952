import { RuntError } from "../runtime/errors.ts";

/** A mistake on the command line; exits 1 like runc. */
export class UsageError extends RuntError {}

/** A command or help topic runt does not have; exits 3, as urfave/cli makes runc exit. */
export class UnknownCommandError extends UsageError {
  constructor(message: string) {
    super(message, 3);
  }
}
