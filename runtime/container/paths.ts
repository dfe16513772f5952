/** Files in a container's state directory besides state.json. */

/** The fifo `start` opens to release the init (runc's name for it). */
export const EXEC_FIFO = "exec.fifo";
