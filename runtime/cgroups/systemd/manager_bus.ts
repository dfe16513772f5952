/**
 * systemd's manager over D-Bus, the calls runc's driver makes: start a
 * transient unit and wait for its job, set properties, stop the unit and
 * wait, reset a failed one. Each call opens its own connection to the
 * system bus and closes it: a runt command makes one or two.
 */
import type { Syscalls } from "../../../ffi/syscalls.ts";
import { DBusConnection, DBusTimeout } from "../../dbus/connection.ts";
import { DBusError, DBusProtocolError } from "../../dbus/errors.ts";
import type { DBusValue } from "../../dbus/marshal.ts";
import { type Message, SIGNAL } from "../../dbus/message.ts";
import { CgroupError } from "../errors.ts";
import type { UnitProperty } from "./properties.ts";

const SYSTEMD = "org.freedesktop.systemd1";
const SYSTEMD_PATH = "/org/freedesktop/systemd1";
const MANAGER = "org.freedesktop.systemd1.Manager";
/** How long runc waits for systemd to start or stop a unit. */
export const JOB_TIMEOUT_MS = 30_000;

export interface SystemdBusOptions {
  /** The bus address; the system bus (DBUS_SYSTEM_BUS_ADDRESS or /run/dbus/system_bus_socket) by default. */
  address?: string;
  jobTimeoutMs?: number;
}

export class SystemdBus {
  private versionNumber?: number;
  private watching = false;

  private constructor(private readonly bus: DBusConnection, private readonly jobTimeoutMs: number) {}

  /** Runs `use` on a fresh connection to systemd, closed afterwards. */
  static with<T>(sys: Syscalls, options: SystemdBusOptions, use: (bus: SystemdBus) => T): T {
    let connection: DBusConnection;
    try {
      connection = options.address === undefined ? DBusConnection.open(sys) : DBusConnection.open(sys, options.address);
    } catch (e) {
      throw new CgroupError(`cannot reach systemd: ${(e as Error).message}`);
    }
    try {
      return use(new SystemdBus(connection, options.jobTimeoutMs ?? JOB_TIMEOUT_MS));
    } finally {
      connection.close();
    }
  }

  private call(member: string, signature: string, body: DBusValue[]): DBusValue[] {
    return this.bus.call({ destination: SYSTEMD, path: SYSTEMD_PATH, interface: MANAGER, member, signature, body });
  }

  /** The leading number of the manager's Version property ("252.22-1~deb12u1" is 252); -1 when it has none. */
  version(): number {
    if (this.versionNumber === undefined) {
      const [v] = this.bus.call({
        destination: SYSTEMD,
        path: SYSTEMD_PATH,
        interface: "org.freedesktop.DBus.Properties",
        member: "Get",
        signature: "ss",
        body: [MANAGER, "Version"],
      });
      this.versionNumber = parseSystemdVersion(String((v as { value: DBusValue }).value));
    }
    return this.versionNumber;
  }

  /**
   * StartTransientUnit in "replace" mode, then the job's JobRemoved signal;
   * a unit left over under the same name (a failed one) is reset and tried
   * once more, as runc does.
   */
  startTransientUnit(unit: string, properties: UnitProperty[]): void {
    this.watchJobs();
    let job: string;
    try {
      job = this.startJob(unit, properties);
    } catch (e) {
      if (!(e instanceof DBusError && e.errorName === "org.freedesktop.systemd1.UnitExists")) throw unitError("start", unit, e);
      this.resetFailedUnit(unit);
      try {
        job = this.startJob(unit, properties);
      } catch (again) {
        throw unitError("start", unit, again);
      }
    }
    const result = this.waitForJob(job, unit, "create");
    if (result !== "done") {
      this.resetFailedUnit(unit);
      throw new CgroupError(`systemd could not start unit ${unit}: its job ended "${result}" (journalctl -u ${unit} says why)`);
    }
  }

  private startJob(unit: string, properties: UnitProperty[]): string {
    return this.call("StartTransientUnit", "ssa(sv)a(sa(sv))", [unit, "replace", properties, []])[0] as string;
  }

  /** SetUnitProperties at runtime (not persisted across reboots), as runc updates a unit. */
  setUnitProperties(unit: string, properties: UnitProperty[]): void {
    if (properties.length === 0) return;
    try {
      this.call("SetUnitProperties", "sba(sv)", [unit, true, properties]);
    } catch (e) {
      throw unitError("set the properties of", unit, e);
    }
  }

  /** StopUnit and its job; a unit systemd no longer has (it stopped when its processes ended) is already stopped. */
  stopUnit(unit: string): void {
    this.watchJobs();
    let job: string | undefined;
    try {
      job = this.call("StopUnit", "ss", [unit, "replace"])[0] as string;
    } catch (e) {
      if (!(e instanceof DBusError && e.errorName === "org.freedesktop.systemd1.NoSuchUnit")) throw unitError("stop", unit, e);
    }
    if (job !== undefined) this.waitForJob(job, unit, "remove");
    // A failed unit stays listed until reset.
    this.resetFailedUnit(unit);
  }

  resetFailedUnit(unit: string): void {
    try {
      this.call("ResetFailedUnit", "s", [unit]);
    } catch {
      // Nothing failed, or nothing is left: either way there is nothing to reset.
    }
  }

  /** Asks for JobRemoved before the job exists, so the signal cannot pass by unseen. */
  private watchJobs(): void {
    if (this.watching) return;
    this.watching = true;
    this.bus.addMatch(`type='signal',sender='${SYSTEMD}',path='${SYSTEMD_PATH}',interface='${MANAGER}',member='JobRemoved'`);
    // systemd sends a job's signals to the client that asked for the job; subscribing makes sure on any version.
    this.call("Subscribe", "", []);
  }

  private waitForJob(job: string, unit: string, verb: string): string {
    try {
      const m = this.bus.waitFor((m: Message) => m.type === SIGNAL && m.member === "JobRemoved" && m.body?.[1] === job, this.jobTimeoutMs, `systemd to ${verb} ${unit}`);
      return m.body![3] as string;
    } catch (e) {
      if (!(e instanceof DBusTimeout)) throw unitError(verb === "create" ? "start" : "stop", unit, e);
      if (verb === "create") this.resetFailedUnit(unit);
      throw new CgroupError(`timed out after ${this.jobTimeoutMs / 1000} s waiting for systemd to ${verb} ${unit}`);
    }
  }
}

function unitError(verb: string, unit: string, e: unknown): Error {
  if (e instanceof DBusError || e instanceof DBusProtocolError) return new CgroupError(`systemd could not ${verb} unit ${unit}: ${e.message}`);
  return e as Error;
}

/** "v245.4-1.fc32", "245", "252.22-1~deb12u1" → 245, 245, 252, as runc reads it. */
export function parseSystemdVersion(text: string): number {
  const m = /^[\s"v]*(\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

