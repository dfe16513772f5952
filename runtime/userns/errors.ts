import { RuntError } from "../errors.ts";

/** A user namespace's ID maps could not be written; the message names the config field. */
export class IdMapError extends RuntError {}
