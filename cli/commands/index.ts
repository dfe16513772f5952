import type { Command } from "../command.ts";
import { createCommand } from "./create.ts";
import { deleteCommand } from "./delete.ts";
import { execCommand } from "./exec.ts";
import { featuresCommand } from "./features.ts";
import { killCommand } from "./kill.ts";
import { listCommand } from "./list.ts";
import { runCommand } from "./run.ts";
import { specCommand } from "./spec.ts";
import { startCommand } from "./start.ts";
import { stateCommand } from "./state.ts";
import { validateCommand } from "./validate.ts";

/** Every command runt implements, in the order help lists them. */
export const COMMANDS: Command[] = [
  createCommand,
  deleteCommand,
  execCommand,
  featuresCommand,
  killCommand,
  listCommand,
  runCommand,
  specCommand,
  startCommand,
  stateCommand,
  validateCommand,
];
