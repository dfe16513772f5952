/**
 * The libc symbols runt binds, described once in a runtime-neutral way;
 * each backend translates this table into its own dlopen signature format.
 * Variadic functions (syscall, fcntl, ioctl, prctl, open) are bound with a
 * fixed integer signature: on x86_64 and aarch64 Linux, integer varargs are
 * passed exactly like named arguments.
 */

/** "buffer" is a Uint8Array (or null) whose address is passed. */
export type NativeType = "i16" | "i32" | "u32" | "i64" | "u64" | "usize" | "buffer" | "void";

export interface Signature {
  readonly args: readonly NativeType[];
  readonly result: NativeType;
}

const I64x7 = ["i64", "i64", "i64", "i64", "i64", "i64", "i64"] as const;

export const SYMBOLS = {
  capget: { args: ["buffer", "buffer"], result: "i32" },
  capset: { args: ["buffer", "buffer"], result: "i32" },
  prctl: { args: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  setresuid: { args: ["u32", "u32", "u32"], result: "i32" },
  setresgid: { args: ["u32", "u32", "u32"], result: "i32" },
  setgroups: { args: ["usize", "buffer"], result: "i32" },
  fchown: { args: ["i32", "u32", "u32"], result: "i32" },
  execve: { args: ["buffer", "buffer", "buffer"], result: "i32" },
  posix_spawn: { args: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  posix_spawnp: { args: ["buffer", "buffer", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_init: { args: ["buffer"], result: "i32" },
  posix_spawn_file_actions_destroy: { args: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { args: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addclose: { args: ["buffer", "i32"], result: "i32" },
  posix_spawn_file_actions_addopen: { args: ["buffer", "i32", "buffer", "i32", "u32"], result: "i32" },
  posix_spawn_file_actions_addchdir_np: { args: ["buffer", "buffer"], result: "i32" },
  posix_spawn_file_actions_addfchdir_np: { args: ["buffer", "i32"], result: "i32" },
  posix_spawn_file_actions_addclosefrom_np: { args: ["buffer", "i32"], result: "i32" },
  posix_spawnattr_init: { args: ["buffer"], result: "i32" },
  posix_spawnattr_destroy: { args: ["buffer"], result: "i32" },
  posix_spawnattr_setflags: { args: ["buffer", "i16"], result: "i32" },
  posix_spawnattr_setpgroup: { args: ["buffer", "i32"], result: "i32" },
  posix_spawnattr_setsigmask: { args: ["buffer", "buffer"], result: "i32" },
  posix_spawnattr_setsigdefault: { args: ["buffer", "buffer"], result: "i32" },
  kill: { args: ["i32", "i32"], result: "i32" },
  sigprocmask: { args: ["i32", "buffer", "buffer"], result: "i32" },
  syscall: { args: I64x7, result: "i64" },
  pipe2: { args: ["buffer", "i32"], result: "i32" },
  dup2: { args: ["i32", "i32"], result: "i32" },
  connect: { args: ["i32", "buffer", "u32"], result: "i32" },
  bind: { args: ["i32", "buffer", "u32"], result: "i32" },
  listen: { args: ["i32", "i32"], result: "i32" },
  accept4: { args: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  getpid: { args: [], result: "i32" },
  gettid: { args: [], result: "i32" },
  getppid: { args: [], result: "i32" },
  getuid: { args: [], result: "u32" },
  geteuid: { args: [], result: "u32" },
} as const satisfies Record<string, Signature>;

export type SymbolName = keyof typeof SYMBOLS;

/** The shared object every backend opens. */
export const LIBC = "libc.so.6";
