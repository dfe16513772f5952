import type { Command } from "../command.ts";
import { featuresCommand } from "./features.ts";
import { specCommand } from "./spec.ts";
import { validateCommand } from "./validate.ts";

/** Every command runt implements, in the order help lists them. */
export const COMMANDS: Command[] = [featuresCommand, specCommand, validateCommand];
