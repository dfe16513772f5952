import { RuntError } from "../runtime/errors.ts";

/** A mistake on the command line; exits 1 like runc. */
export class UsageError extends RuntError {}
