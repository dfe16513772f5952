import { test } from "node:test";
import assert from "node:assert/strict";
import {
  authExternalLine,
  DBusProtocolError,
  decodeMessage,
  encodeMessage,
  marshal,
  messageLength,
  METHOD_CALL,
  parseAuthReply,
  parseSignature,
  socketPaths,
  unmarshal,
  variant,
} from "../../runtime/dbus/mod.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");

test("basic types: alignment from the start, little-endian, strings with length and NUL", () => {
  assert.equal(hex(marshal("s", ["foo"])), "03 00 00 00 66 6f 6f 00");
  assert.equal(hex(marshal("yu", [1, 2])), "01 00 00 00 02 00 00 00");
  assert.equal(hex(marshal("yt", [1, 2n])), "01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00");
  assert.equal(hex(marshal("yn", [255, -2])), "ff 00 fe ff");
  assert.equal(hex(marshal("b", [true])), "01 00 00 00");
  assert.equal(hex(marshal("g", ["a(sv)"])), "05 61 28 73 76 29 00");
  assert.equal(hex(marshal("o", ["/a/b_1"])), "06 00 00 00 2f 61 2f 62 5f 31 00");
  assert.equal(hex(marshal("x", [-1])), "ff ff ff ff ff ff ff ff");
});

test("big-endian: the byte order is the message's", () => {
  assert.equal(hex(marshal("u", [1], false)), "00 00 00 01");
  const values = ["x", 7, 2n ** 64n - 1n, [[1, "a"]], variant("ay", [1, 2])];
  assert.deepEqual(unmarshal("suta{us}v", marshal("suta{us}v", values, false), false), [
    "x",
    7,
    2n ** 64n - 1n,
    [[1, "a"]],
    { signature: "ay", value: [1, 2] },
  ]);
});

test("arrays: the length excludes the padding before an 8-aligned first element", () => {
  // a(t): length 8, then 4 bytes of padding, then the struct.
  assert.equal(hex(marshal("a(t)", [[[5n]]])), "08 00 00 00 00 00 00 00 05 00 00 00 00 00 00 00");
  // An empty array of 8-aligned elements still pads to where the first would be.
  assert.equal(hex(marshal("a(t)", [[]])), "00 00 00 00 00 00 00 00");
  assert.equal(hex(marshal("au", [[1, 2]])), "08 00 00 00 01 00 00 00 02 00 00 00");
  assert.equal(hex(marshal("ay", [[1, 2, 3]])), "03 00 00 00 01 02 03");
});

test("variants and dicts: a{sv} as systemd's properties use it", () => {
  const bytes = marshal("a{sv}", [[["Delegate", variant("b", true)]]]);
  assert.equal(hex(bytes), "14 00 00 00 00 00 00 00 08 00 00 00 44 65 6c 65 67 61 74 65 00 01 62 00 01 00 00 00");
  assert.deepEqual(unmarshal("a{sv}", bytes), [[["Delegate", { signature: "b", value: true }]]]);
});

test("round trips of what StartTransientUnit sends", () => {
  const props = [
    ["Description", variant("s", "runt container c1")],
    ["PIDs", variant("au", [4242])],
    ["MemoryMax", variant("t", 2n ** 64n - 1n)],
    ["AllowedCPUs", variant("ay", [3])],
    ["DeviceAllow", variant("a(ss)", [["char-*", "m"], ["/dev/char/1:3", "rwm"]])],
  ];
  const body = ["runt-c1.scope", "replace", props, []];
  const bytes = marshal("ssa(sv)a(sa(sv))", body);
  assert.deepEqual(unmarshal("ssa(sv)a(sa(sv))", bytes), body);
});

test("values that do not fit their type are refused, naming where", () => {
  assert.throws(() => marshal("u", [-1]), /D-Bus value \[0\] of type "u" cannot be -1/);
  assert.throws(() => marshal("y", [256]), DBusProtocolError);
  assert.throws(() => marshal("s", ["a\0b"]), DBusProtocolError);
  assert.throws(() => marshal("o", ["not/a/path"]), /type "o"/);
  assert.throws(() => marshal("t", [1.5]), DBusProtocolError);
  assert.throws(() => marshal("(us)", [[1]]), DBusProtocolError);
  assert.throws(() => marshal("su", ["x"]), /2 values, 1 given/);
});

test("signatures: dict keys basic, dict entries only in arrays, structs closed", () => {
  assert.equal(parseSignature("a{sv}(ii)v").length, 3);
  assert.throws(() => parseSignature("a{vs}"), /key must be a basic type/);
  assert.throws(() => parseSignature("{sv}"), DBusProtocolError);
  assert.throws(() => parseSignature("(ii"), /unclosed/);
  assert.throws(() => parseSignature("()"), /empty struct/);
  assert.throws(() => parseSignature("a".repeat(33) + "y"), /too deeply/);
});

test("truncated or inconsistent input is refused, not misread", () => {
  assert.throws(() => unmarshal("u", new Uint8Array([1, 0])), /ends early/);
  assert.throws(() => unmarshal("s", new Uint8Array([1, 0, 0, 0, 0x41, 1])), /NUL-terminated/);
  assert.throws(() => unmarshal("b", new Uint8Array([2, 0, 0, 0])), /boolean holds 2/);
  assert.throws(() => unmarshal("au", new Uint8Array([8, 0, 0, 0, 1, 0, 0, 0])), /past the message/);
});

test("a message: header fields a(yv) padded to 8, then the body; decoded back", () => {
  const bytes = encodeMessage({
    type: METHOD_CALL,
    serial: 1,
    path: "/org/freedesktop/DBus",
    interface: "org.freedesktop.DBus",
    member: "Hello",
    destination: "org.freedesktop.DBus",
  });
  assert.equal(hex(bytes.subarray(0, 16)), "6c 01 00 01 00 00 00 00 01 00 00 00 6d 00 00 00");
  assert.equal(bytes.length % 8, 0);
  assert.equal(messageLength(bytes), bytes.length);
  const m = decodeMessage(bytes);
  assert.equal(m.member, "Hello");
  assert.equal(m.destination, "org.freedesktop.DBus");
  assert.deepEqual(m.body, []);

  const call = encodeMessage({ type: METHOD_CALL, serial: 9, path: "/a", member: "M", signature: "su", body: ["x", 3] });
  assert.deepEqual(decodeMessage(call).body, ["x", 3]);
  assert.equal(decodeMessage(call).signature, "su");
});

test("EXTERNAL authentication: the uid's decimal digits in hex; OK, REJECTED", () => {
  assert.equal(authExternalLine(0), "AUTH EXTERNAL 30\r\n");
  assert.equal(authExternalLine(1000), "AUTH EXTERNAL 31303030\r\n");
  assert.equal(parseAuthReply("OK 1234abcd"), "1234abcd");
  assert.throws(() => parseAuthReply("REJECTED EXTERNAL DBUS_COOKIE_SHA1"), /refused EXTERNAL authentication \(it offers: EXTERNAL DBUS_COOKIE_SHA1\)/);
  assert.throws(() => parseAuthReply("ERROR"), /unexpected answer/);
});

test("bus addresses: paths, abstract names, escapes, several entries", () => {
  assert.deepEqual(socketPaths("unix:path=/run/dbus/system_bus_socket"), ["/run/dbus/system_bus_socket"]);
  assert.deepEqual(socketPaths("unix:abstract=/tmp/dbus-X,guid=ab;unix:path=/a%20b"), ["@/tmp/dbus-X", "/a b"]);
  assert.throws(() => socketPaths("tcp:host=localhost,port=1"), /names no unix socket/);
});
