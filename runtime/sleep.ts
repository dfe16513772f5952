/** Pausing without the event loop, for code that must stay synchronous (the init, locked sections). */
const cell = new Int32Array(new SharedArrayBuffer(4));

export function sleepSync(ms: number): void {
  Atomics.wait(cell, 0, 0, ms);
}
