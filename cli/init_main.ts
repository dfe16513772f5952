/** `runt init ID`: the container init, started by create with its channel descriptor in the environment. */
import { loadSyscalls } from "../ffi/mod.ts";
import { INIT_FD_ENV } from "../runtime/init/config.ts";
import { runInit } from "../runtime/init/main.ts";

import { traceStep } from "../runtime/trace.ts";
import { envVar, exitProcess, writeAll } from "../runtime/host.ts";

export async function initMain(_args: string[]): Promise<void> {
  traceStep("init: main");
  const fd = Number(envVar(INIT_FD_ENV));
  if (!Number.isInteger(fd) || fd < 3) {
    writeAll(2, "runt: init is started by 'runt create', not by hand\n");
    exitProcess(1);
  }
  runInit(await loadSyscalls(), fd);
}
