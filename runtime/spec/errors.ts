/** The error a config that breaks the spec raises: every problem, one line each. */
import { RuntError } from "../errors.ts";
import { type ConfigIssue, formatIssue } from "./issues.ts";

export class ConfigValidationError extends RuntError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.issues = issues;
  }

  /** Built from the issues, not by splitting the message, so one issue is always exactly one line. */
  override lines(): string[] {
    return this.issues.map(formatIssue);
  }
}
