import { RuntError } from "../errors.ts";

/** The container process could not be set up or started; the message names the step. */
export class ProcessError extends RuntError {}
