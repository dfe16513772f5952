/**
 * runc-compatible logging. containerd's and docker's shims pass
 * `--log FILE --log-format json` and read the runtime's error from that file,
 * so every error goes there as well as to stderr.
 */
import { appendFileSync } from "node:fs";

export type LogFormat = "text" | "json";
export type Level = "debug" | "info" | "warning" | "error";

export class Logger {
  constructor(
    private readonly file: string | undefined,
    private readonly format: LogFormat,
    readonly debugEnabled: boolean,
  ) {}

  debug(msg: string): void {
    if (this.debugEnabled) this.write("debug", msg);
  }

  warn(msg: string): void {
    this.write("warning", msg);
  }

  /** The one line a user sees when a command fails: always on stderr, and in the log file too. */
  error(msg: string): void {
    this.write("error", msg);
  }

  private write(level: Level, msg: string): void {
    // As with runc, a log file takes the chatter; errors are also shown to whoever ran the command.
    const toStderr = level === "error" || !this.file;
    if (this.file) {
      try {
        appendFileSync(this.file, this.render(level, msg) + "\n");
      } catch {
        // A broken log destination must not hide the error itself, which still reaches stderr.
      }
    }
    if (toStderr) process.stderr.write(level === "error" ? `runt: ${msg}\n` : `runt: ${level}: ${msg}\n`);
  }

  private render(level: Level, msg: string): string {
    const time = new Date().toISOString();
    if (this.format === "json") return JSON.stringify({ level, msg, time });
    return `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
  }
}
