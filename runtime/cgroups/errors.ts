import { RuntError } from "../errors.ts";

/** A cgroup could not be resolved, created, configured or removed; the message says which file or path and why. */
export class CgroupError extends RuntError {}
