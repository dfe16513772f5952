/**
 * Seeded mutation of JSON configs for the fuzz tests: a small PRNG (no
 * dependency, same sequence under Deno and Bun) and a mutator that breaks
 * configs the ways people and programs do — dropped fields, wrong types,
 * extreme numbers, odd strings, deep nesting, prototype-named keys.
 */

/** mulberry32: 32-bit state, good enough spread for test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Slot = { parent: Json[] | Record<string, Json>; key: string | number };

const NUMBERS = [
  0, -0, 1, -1, 7, 1.5, -2.5, 255, 511, 512, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 + 2, 2 ** 63, -(2 ** 63),
  2 ** 64, -(2 ** 64), 1e308, -1e308, Number.MIN_VALUE, 1000000000, 999999999, -1000, 1001,
];
const STRINGS = [
  "", " ", "NaN", "Infinity", "-Infinity", "-0", "1e999", "0x1f", "null", "true", "[]", "{}", "\n", "\u0000", "\ud800",
  "/", "//", "/abs/path", "relative/path", "..", "../../etc/passwd", "rootfs", "1.3.0", "1.x", "2.0.0", "1.0.0-rc.1",
  "CAP_SYS_ADMIN", "CAP_FOO", "RLIMIT_NOFILE", "RLIMIT_FOO", "pid", "user", "time", "network", "c", "p", "x",
  "SCMP_ACT_NOTIFY", "SCMP_ACT_ERRNO", "SIGTERM", "SIGRTMIN+3", "KEY=value", "KEY", "=v", "0-3,7", "3-0", "idmap",
  "__proto__", "constructor", "é🙂", "a".repeat(5000),
];
const KEYS = [
  "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf", "", "x-unknown", "path", "type",
  "uidMappings", "user", "0", "length",
];

export class Mutator {
  constructor(private readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A copy of `config` with 1 to 3 random mutations. */
  mutate(config: unknown): unknown {
    const root = { doc: JSON.parse(JSON.stringify(config)) as Json };
    const rounds = 1 + this.int(3);
    for (let i = 0; i < rounds; i++) this.mutateOnce(root);
    return root.doc;
  }

  private mutateOnce(root: { doc: Json }) {
    const slots: Slot[] = [{ parent: root as unknown as Record<string, Json>, key: "doc" }];
    collect(root.doc, slots);
    const slot = this.pick(slots);
    const parent = slot.parent as Record<string | number, Json>;
    const op = this.int(8);
    if (op === 0 && slot.key !== "doc") {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete parent[slot.key];
    } else if (op === 1) {
      const value = parent[slot.key];
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        // defineProperty, not assignment: "__proto__" must become an own key, as JSON.parse makes it.
        Object.defineProperty(value, this.pick(KEYS), {
          value: this.value(2),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else parent[slot.key] = this.value(2);
    } else if (op === 2) {
      const value = parent[slot.key];
      parent[slot.key] = typeof value === "number" ? String(value) : typeof value === "string" ? Number(value) : [value];
    } else if (op === 3 && Array.isArray(parent[slot.key])) {
      const list = parent[slot.key] as Json[];
      if (list.length > 0) list.push(this.pick(list));
    } else {
      parent[slot.key] = this.value(3);
    }
  }

  /** A random JSON value: literals, containers, deep nesting, prototype-named keys. */
  value(depth: number): Json {
    switch (this.int(depth > 0 ? 9 : 5)) {
      case 0:
        return null;
      case 1:
        return this.random() < 0.5;
      case 2:
        return this.pick(NUMBERS);
      case 3:
        return this.int(2 ** 31) - 2 ** 30;
      case 4:
        return this.pick(STRINGS);
      case 5:
        return Array.from({ length: this.int(4) }, () => this.value(depth - 1));
      case 6: {
        const obj: Record<string, Json> = {};
        for (let i = this.int(4); i > 0; i--) {
          Object.defineProperty(obj, this.pick(KEYS), {
            value: this.value(depth - 1),
            enumerable: true,
            configurable: true,
            writable: true,
          });
        }
        return obj;
      }
      case 7:
        return nested(200 + this.int(3000), this.random() < 0.5);
      default:
        return JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}');
    }
  }
}

/** Every place a value sits, down to a depth no config reaches, so deep nesting stays cheap. */
function collect(value: Json, slots: Slot[], depth = 0) {
  if (depth > 12) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      slots.push({ parent: value, key: i });
      collect(item, slots, depth + 1);
    });
  } else if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) {
      slots.push({ parent: value, key });
      collect(value[key], slots, depth + 1);
    }
  }
}

/** [[[…]]] or {"a":{"a":…}} `depth` levels deep, built without recursion. */
function nested(depth: number, arrays: boolean): Json {
  let value: Json = 1;
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
  return value;
}
