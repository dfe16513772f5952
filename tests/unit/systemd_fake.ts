/**
 * A stand-in for systemd's manager on a private bus, run as its own
 * process (runt's D-Bus client blocks its caller): it owns
 * org.freedesktop.systemd1, answers the calls runt's driver makes the way
 * systemd does, and prints each call as a JSON line. Units named "fail-…"
 * end their job "failed", "slow-…" never finish, "exists-…" are taken once.
 *
 *   systemd_fake.ts BUS_ADDRESS
 */
import process from "node:process";
import { loadSyscalls } from "../../ffi/mod.ts";
import { DBusConnection, METHOD_CALL } from "../../runtime/dbus/mod.ts";

const MANAGER = "org.freedesktop.systemd1.Manager";
const PATH = "/org/freedesktop/systemd1";
const sys = await loadSyscalls();
const bus = DBusConnection.open(sys, process.argv[2]);
bus.callBus("RequestName", "su", ["org.freedesktop.systemd1", 0]);
const units = new Set<string>();
const taken = new Set<string>();
let jobs = 0;
const print = (line: unknown) => process.stdout.write(JSON.stringify(line, (_, v) => (typeof v === "bigint" ? `${v}n` : v)) + "\n");
print({ ready: true });

for (;;) {
  const m = bus.receive(60_000);
  if (!m) break;
  if (m.type !== METHOD_CALL) continue;
  print({ member: m.member, body: m.body });
  const [unit] = (m.body ?? []) as string[];
  const startJob = (result: string | undefined) => {
    const id = ++jobs;
    const path = `${PATH}/job/${id}`;
    bus.reply(m, "o", [path]);
    if (result) bus.emitSignal(PATH, MANAGER, "JobRemoved", "uoss", [id, path, unit, result]);
  };
  switch (m.member) {
    case "Get":
      bus.reply(m, "v", [{ signature: "s", value: "252.22-1~deb12u1" }]);
      break;
    case "Subscribe":
    case "SetUnitProperties":
    case "ResetFailedUnit":
      bus.reply(m);
      break;
    case "StartTransientUnit":
      if (unit.startsWith("exists-") && !taken.has(unit)) {
        taken.add(unit);
        bus.replyError(m, "org.freedesktop.systemd1.UnitExists", `Unit ${unit} already exists.`);
        break;
      }
      units.add(unit);
      startJob(unit.startsWith("fail-") ? "failed" : unit.startsWith("slow-") ? undefined : "done");
      break;
    case "StopUnit":
      if (!units.delete(unit)) bus.replyError(m, "org.freedesktop.systemd1.NoSuchUnit", `Unit ${unit} not loaded.`);
      else startJob("done");
      break;
    default:
      bus.replyError(m, "org.freedesktop.DBus.Error.UnknownMethod", `Unknown method ${m.member}`);
  }
}
