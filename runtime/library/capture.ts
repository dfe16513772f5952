/**
 * A script's container with its output captured and its input given:
 * pipes for the init's 0, 1 and 2, drained while the container runs. The
 * loop polls without blocking and yields to the event loop between turns,
 * so the wait for the exit, on the same loop, goes on meanwhile.
 */
import { O_CLOEXEC, POLLHUP, POLLIN, POLLOUT } from "../../ffi/constants.ts";
import type { Syscalls } from "../../ffi/syscalls.ts";

export type Input = "inherit" | "null" | string | Uint8Array;
export type Output = "inherit" | "piped" | "null";

export interface Stdio {
  /** The descriptors the init gets. */
  fds: [number, number, number];
  /** Call once the init has its copies: closes ours of them. */
  spawned(): void;
  /** Resolves, once every pipe is at its end, to what was written on stdout and stderr. */
  drained(): Promise<{ stdout?: string; stderr?: string }>;
  /** Closes whatever is still open (the container was never made). */
  close(): void;
}

const CHUNK = 4096; // POLLOUT on a pipe promises a page: a write of this much never blocks.

export function openStdio(sys: Syscalls, stdin: Input, stdout: Output, stderr: Output): Stdio {
  const ours: number[] = [];
  const theirs: number[] = [];
  let devNull: number | undefined;
  const nullFd = () => devNull ??= sys.open("/dev/null", 2 | O_CLOEXEC, 0); // O_RDWR
  const pipe = () => {
    const [r, w] = sys.pipe2(O_CLOEXEC);
    ours.push(r, w);
    return [r, w];
  };
  let input: { fd: number; data: Uint8Array } | undefined;
  let inFd = 0;
  if (stdin === "null") inFd = nullFd();
  else if (stdin !== "inherit") {
    const [r, w] = pipe();
    inFd = r;
    theirs.push(r);
    input = { fd: w, data: typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin };
  }
  const outputs: { fd: number; name: "stdout" | "stderr"; chunks: Uint8Array[] }[] = [];
  const outFd = (mode: Output, fd: number, name: "stdout" | "stderr") => {
    if (mode === "inherit") return fd;
    if (mode === "null") return nullFd();
    const [r, w] = pipe();
    theirs.push(w);
    outputs.push({ fd: r, name, chunks: [] });
    return w;
  };
  const fds: [number, number, number] = [inFd, outFd(stdout, 1, "stdout"), outFd(stderr, 2, "stderr")];
  const open = new Set(ours);
  const closeFd = (fd: number) => {
    if (open.delete(fd)) sys.close(fd);
  };
  const closeNull = () => {
    if (devNull !== undefined) sys.close(devNull);
    devNull = undefined;
  };
  return {
    fds,
    spawned() {
      theirs.forEach(closeFd);
      closeNull();
    },
    async drained() {
      let written = 0;
      if (input && input.data.length === 0) closeFd(input.fd);
      const buf = new Uint8Array(65536);
      for (;;) {
        const watched = [
          ...outputs.filter((o) => open.has(o.fd)).map((o) => ({ fd: o.fd, events: POLLIN })),
          ...(input && open.has(input.fd) ? [{ fd: input.fd, events: POLLOUT }] : []),
        ];
        if (!watched.length) break;
        const ready = sys.poll(watched, 0);
        let progressed = false;
        watched.forEach((w, i) => {
          if (!ready[i]) return;
          progressed = true;
          if (input && w.fd === input.fd) {
            if (ready[i] & POLLOUT) {
              try {
                written += sys.write(input.fd, input.data.subarray(written, written + CHUNK));
              } catch { /* the reader went: the rest is not wanted */ written = input.data.length; }
            }
            if (written >= input.data.length || ready[i] & POLLHUP) closeFd(input.fd);
            return;
          }
          const n = sys.read(w.fd, buf);
          if (n > 0) outputs.find((o) => o.fd === w.fd)!.chunks.push(buf.slice(0, n));
          else closeFd(w.fd);
        });
        await new Promise((resolve) => setTimeout(resolve, progressed ? 0 : 2));
      }
      const text = (chunks: Uint8Array[]) => new TextDecoder().decode(concat(chunks));
      return Object.fromEntries(outputs.map((o) => [o.name, text(o.chunks)]));
    },
    close() {
      [...open].forEach(closeFd);
      closeNull();
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
