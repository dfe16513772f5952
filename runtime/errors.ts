/**
 * Errors a user can cause and fix (a bad bundle, an unknown container, a
 * container in the wrong state). Front ends print `lines()` — one line per
 * problem — without a stack trace; every other error is a bug in runt.
 */
export class RuntError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }

  lines(): string[] {
    return this.message.split("\n");
  }
}
