/** The D-Bus client against a real peer: a private dbus-daemon, which drops a client sending anything malformed. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSyscalls } from "../../ffi/mod.ts";
import { DBusConnection, DBusError, DBusProtocolError, DBusTimeout, METHOD_CALL, SIGNAL, variant } from "../../runtime/dbus/mod.ts";
import { noDaemon, startPrivateBus } from "./dbus_support.ts";

const sys = await loadSyscalls();

/** Two clients on a fresh private bus, closed with it after `use`. */
async function onPrivateBus(use: (a: DBusConnection, b: DBusConnection) => void): Promise<void> {
  const bus = await startPrivateBus();
  const a = DBusConnection.open(sys, bus.address);
  const b = DBusConnection.open(sys, bus.address);
  try {
    use(a, b);
  } finally {
    a.close();
    b.close();
    await bus.stop();
  }
}

test("Hello, ListNames, RequestName, GetNameOwner and an error reply on a private bus", { skip: noDaemon }, () =>
  onPrivateBus((a, b) => {
    assert.match(a.uniqueName, /^:1\.\d+$/);
    assert.notEqual(a.uniqueName, b.uniqueName);
    const [names] = b.callBus("ListNames");
    assert.ok((names as string[]).includes("org.freedesktop.DBus"));
    assert.ok((names as string[]).includes(a.uniqueName));

    // 1: DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER.
    assert.deepEqual(a.callBus("RequestName", "su", ["org.runt.Test", 0]), [1]);
    assert.deepEqual(b.callBus("GetNameOwner", "s", ["org.runt.Test"]), [a.uniqueName]);

    assert.throws(
      () => b.callBus("GetNameOwner", "s", ["org.runt.Nobody"]),
      (e: unknown) =>
        e instanceof DBusError && e.errorName === "org.freedesktop.DBus.Error.NameHasNoOwner" &&
        /^org\.freedesktop\.DBus\.Error\.NameHasNoOwner: .*org\.runt\.Nobody/.test(e.message) && !e.message.includes("\n"),
    );
    assert.throws(() => b.callBus("NoSuchMethod"), (e: unknown) => e instanceof DBusError && e.errorName === "org.freedesktop.DBus.Error.UnknownMethod");
  }));

test("a method call between two clients, with variants and dicts, and a signal matched with AddMatch", { skip: noDaemon }, () =>
  onPrivateBus((service, client) => {
    service.callBus("RequestName", "su", ["org.runt.Echo", 0]);
    client.addMatch("type='signal',interface='org.runt.Echo',member='Done'");
    const props = [["MemoryMax", variant("t", 2n ** 64n - 1n)], ["PIDs", variant("au", [1, 2])]];
    const serial = client.send({
      type: METHOD_CALL,
      destination: "org.runt.Echo",
      path: "/org/runt/Echo",
      interface: "org.runt.Echo",
      member: "Echo",
      signature: "sa(sv)",
      body: ["x", props],
    });
    const call = service.waitFor((m) => m.type === METHOD_CALL && m.member === "Echo", 5000, "the call");
    assert.equal(call.sender, client.uniqueName);
    assert.deepEqual(call.body, ["x", props]);
    service.reply(call, "o", ["/org/runt/job/1"]);
    service.emitSignal("/org/runt/Echo", "org.runt.Echo", "Done", "uoss", [1, "/org/runt/job/1", "x", "done"]);

    const reply = client.waitFor((m) => m.replySerial === serial, 5000, "the reply");
    assert.deepEqual(reply.body, ["/org/runt/job/1"]);
    const signal = client.waitFor((m) => m.type === SIGNAL && m.member === "Done", 5000, "the signal");
    assert.deepEqual(signal.body, [1, "/org/runt/job/1", "x", "done"]);
    assert.equal(signal.sender, service.uniqueName);
  }));

test("a reply that does not come in time is a timeout naming the method; no bus is one clear line", { skip: noDaemon }, async () => {
  await onPrivateBus((service, client) => {
    service.callBus("RequestName", "su", ["org.runt.Silent", 0]);
    assert.throws(
      () => client.call({ destination: "org.runt.Silent", path: "/", interface: "org.runt.Silent", member: "Wait" }, 200),
      (e: unknown) => e instanceof DBusTimeout && /timed out waiting for the reply to org\.runt\.Silent\.Wait/.test((e as Error).message),
    );
  });
  assert.throws(
    () => DBusConnection.open(sys, "unix:path=/nonexistent/bus"),
    (e: unknown) => e instanceof DBusProtocolError && (e as Error).message === "cannot connect to the D-Bus bus at unix:path=/nonexistent/bus (/nonexistent/bus: ENOENT)",
  );
});
