/** Pausing without the event loop, for code that must stay synchronous (the init, locked sections). */
// Made on first use: a SharedArrayBuffer costs ~0.3 ms to make in a fresh process, and most commands never sleep.
let cell: Int32Array | undefined;

export function sleepSync(ms: number): void {
  cell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}
