/**
 * Errors a user can cause and fix (a bad bundle, an unknown container, a
 * container in the wrong state). Front ends print `lines()` — one line per
 * problem — without a stack trace; every other error is a bug in runt.
 */
export class RuntError extends Error {
  /** The exit status a command ends with for this error (126 and 127 for exec, as shells use them). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }

  lines(): string[] {
    return this.message.split("\n");
  }
}
