/** The container lifecycle: the OCI operations plus runc's run and list. */
export type { LifecycleContext } from "./context.ts";
export { createContainer, type CreateOptions } from "./create.ts";
export { startContainer } from "./start.ts";
export { killContainer } from "./kill.ts";
export { deleteContainer } from "./delete.ts";
export { runContainer, type RunOptions } from "./run.ts";
export { containerStatus } from "./status.ts";
export { ContainerSetupError, ContainerStateError } from "./errors.ts";
