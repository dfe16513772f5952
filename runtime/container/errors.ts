import { RuntError } from "../errors.ts";

/** The operation does not fit the state the container is in. */
export class ContainerStateError extends RuntError {}

/** The container could not be built or started, or a process not exec'd in it; the message is the cause. */
export class ContainerSetupError extends RuntError {}

/** A command-line value of a resource command (an update setting, an events interval) that cannot be what it names. */
export class ResourceValueError extends RuntError {}
