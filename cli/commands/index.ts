import type { Command } from "../command.ts";
import { bundleCommand } from "./bundle.ts";
import { createCommand } from "./create.ts";
import { deleteCommand } from "./delete.ts";
import { eventsCommand } from "./events.ts";
import { execCommand } from "./exec.ts";
import { featuresCommand } from "./features.ts";
import { imageCommand } from "./image.ts";
import { killCommand } from "./kill.ts";
import { stopCommand } from "./stop.ts";
import { listCommand } from "./list.ts";
import { pauseCommand } from "./pause.ts";
import { psCommand } from "./ps.ts";
import { resumeCommand } from "./resume.ts";
import { runCommand } from "./run.ts";
import { specCommand } from "./spec.ts";
import { startCommand } from "./start.ts";
import { stateCommand } from "./state.ts";
import { updateCommand } from "./update.ts";
import { validateCommand } from "./validate.ts";

/** Every command runt implements, in the order help lists them. */
export const COMMANDS: Command[] = [
  bundleCommand,
  createCommand,
  deleteCommand,
  eventsCommand,
  execCommand,
  featuresCommand,
  imageCommand,
  killCommand,
  stopCommand,
  listCommand,
  pauseCommand,
  psCommand,
  resumeCommand,
  runCommand,
  specCommand,
  startCommand,
  stateCommand,
  updateCommand,
  validateCommand,
];
