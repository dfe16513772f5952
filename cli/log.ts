/**
 * runc-compatible logging. containerd's and docker's shims pass
 * `--log FILE --log-format json` and read the runtime's error from that file,
 * so the file is opened by every command (as runc's is), and every line
 * runc's logrus would write goes there in runc's form: debug (with
 * --debug), info, warnings and errors. Errors also reach stderr.
 */
import { RuntError } from "../runtime/errors.ts";
import { writeAll } from "../runtime/host.ts";

export type LogFormat = "text" | "json";
export type Level = "debug" | "info" | "warning" | "error";

export class Logger {
  /** The file API, loaded by open() only when there is a file: a command without --log loads none. */
  private append?: (file: string, text: string) => void;

  constructor(
    private file: string | undefined,
    private readonly format: LogFormat,
    readonly debugEnabled: boolean,
  ) {}

  /** Creates the log file, as runc does before it runs any command; a file that cannot be opened is an error. */
  async open(): Promise<void> {
    if (!this.file) return;
    this.append = (await import("../runtime/host_fs.ts")).appendFileSync;
    try {
      this.append(this.file, "");
    } catch (e) {
      const file = this.file;
      this.file = undefined;
      throw new RuntError(`--log ${file}: ${(e as Error).message}`);
    }
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.write("debug", msg);
  }

  info(msg: string): void {
    this.write("info", msg);
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
    if (this.file && this.append) {
      try {
        this.append(this.file, renderLogLine(this.format, level, msg, new Date()) + "\n");
      } catch {
        // A broken log destination must not hide the error itself, which still reaches stderr.
      }
    }
    if (toStderr) writeAll(2, level === "error" ? `runt: ${msg}\n` : `runt: ${level}: ${msg}\n`);
  }
}

/** One line as runc's logrus writes it: text `time="…" level=… msg=…`, or JSON with keys level, msg, time. */
export function renderLogLine(format: LogFormat, level: Level, msg: string, when: Date): string {
  const time = rfc3339Seconds(when);
  // Go's encoder escapes <, > and & in strings; byte-for-byte readers of runc's logs see the same.
  if (format === "json") return JSON.stringify({ level, msg, time }).replace(/[<>&]/g, goEscape);
  return `time="${time}" level=${level} msg=${logfmtValue(msg)}`;
}

function goEscape(c: string): string {
  return `\\u00${c.charCodeAt(0).toString(16)}`;
}

/** logrus quotes a value only when it holds something other than letters, digits and -._/@^+. */
function logfmtValue(value: string): string {
  return value !== "" && /^[A-Za-z0-9\-._/@^+]+$/.test(value) ? value : JSON.stringify(value);
}

/** Go's time.RFC3339 in local time: seconds, and Z or the zone's offset. */
export function rfc3339Seconds(when: Date): string {
  const offsetMin = -when.getTimezoneOffset();
  const local = new Date(when.getTime() + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const abs = Math.abs(offsetMin);
  const zone = `${offsetMin < 0 ? "-" : "+"}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local}${zone}`;
}
