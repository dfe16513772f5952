/** The hooks the runtime runs itself (not inside the container), with the state each kind is given. */
import type { Spec } from "../spec/schema.ts";
import { ociState, type ContainerRecord, type Status } from "../state/record.ts";
import { posixSpawner, runHooks, runHooksWarnOnly } from "../hooks/mod.ts";
import type { LifecycleContext } from "./context.ts";

type HookKind = "prestart" | "createRuntime" | "poststart" | "poststop";
type Hook = NonNullable<NonNullable<Spec["hooks"]>["prestart"]>[number];

function hooksOf(record: ContainerRecord, kind: HookKind): Hook[] | undefined {
  return record.config.hooks?.[kind];
}

/**
 * prestart and createRuntime: a failure fails the operation. They run in
 * the bundle, as under runc, which changes directory there for create.
 */
export function runFatalHooks(ctx: LifecycleContext, kind: HookKind, record: ContainerRecord, status: Status): void {
  runHooks(ctx.sys, kind, hooksOf(record, kind), ociState(record, status), posixSpawner(ctx.sys, { cwd: record.bundle }));
}

/** poststart and poststop: a failure is a warning and the lifecycle goes on. */
export function runWarningHooks(ctx: LifecycleContext, kind: HookKind, record: ContainerRecord, status: Status): void {
  runHooksWarnOnly(ctx.sys, kind, hooksOf(record, kind), ociState(record, status), ctx.warn);
}
