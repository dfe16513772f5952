/**
 * Terminals as people and container managers use them: an interactive
 * `run` in a real terminal (tmux), a --console-socket receiver written for
 * runc, `exec --tty`, and a terminal container under a caller with no
 * terminal at all. Where runc can do the same, it does, and the container
 * must see the same.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { makeBundle } from "../fixtures/bundle.ts";
import { closeFd, ConsoleSocket, readTerminal, typeInto } from "../fixtures/console_socket.ts";
import { TmuxSession } from "../fixtures/tmux.ts";
import { hasCommand, isRoot, REPO, runt, runtArgv, runtOk, tempDir, UNDER } from "./runt.ts";
import { state, waitFor } from "./containers.ts";
import { systemLsm } from "../../runtime/process/lsm.ts";

const skip = isRoot ? false : "needs root";
const skipTmux = !isRoot ? "needs root" : hasCommand("tmux") ? false : "needs tmux";

function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
}

/** What an interactive shell in the container reports, driven through tmux. */
async function interactive(runtime: string[], root: string, bundle: string, id: string) {
  const run = shellQuote([...runtime, "--root", root, "run", "-b", bundle, id]);
  const t = new TmuxSession(`stty -g > ${bundle}/before; ${run}; echo "EXIT=$?"; stty -g > ${bundle}/after; sleep 600`, 80, 24);
  try {
    await t.waitFor(/# $/m, "the container's prompt");
    t.line("echo size=$(stty size) tty=$(tty) sid=$(cut -d' ' -f6 /proc/self/stat)");
    const first = await t.waitFor(/size=(\d+ \d+) tty=(\S+) sid=(\d+)/, "the first answer");
    t.resize(100, 30);
    t.line("echo resized=$(stty size)");
    const resized = await t.waitFor(/resized=(\d+ \d+)/, "the size after resizing");
    t.line("sleep 60");
    await new Promise((r) => setTimeout(r, 300));
    t.keys("C-c");
    t.line("echo alive=$((6*7)); stty -a | tr -s ' ;\\n' ' ' > /out/stty");
    await t.waitFor(/alive=42/, "the shell after Ctrl-C");
    t.line("exit 3");
    const exit = await t.waitFor(/EXIT=(\d+)/, "runt to exit");
    await waitForFile(join(bundle, "after"));
    return {
      size: first[1],
      tty: first[2],
      sid: first[3],
      resized: resized[1],
      exit: exit[1],
      stty: readFileSync(join(bundle, "out", "stty"), "utf8"),
      hostRestored: readFileSync(join(bundle, "before"), "utf8") === readFileSync(join(bundle, "after"), "utf8"),
      hostSettings: { before: readFileSync(join(bundle, "before"), "utf8").trim(), after: readFileSync(join(bundle, "after"), "utf8").trim() },
    };
  } finally {
    t.kill();
  }
}

async function waitForFile(path: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!existsSync(path) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

test("an interactive run in a real terminal: keys, window size, Ctrl-C, exit status, host terminal restored — as under runc", { skip: skipTmux }, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh"], (s) => {
    s.process!.terminal = true;
    s.root!.readonly = false;
  });
  try {
    const got = await interactive(runtArgv(), root.path, b.dir, "tty-run");
    assert.deepEqual(
      { size: got.size, tty: got.tty, sid: got.sid, resized: got.resized, exit: got.exit, hostRestored: got.hostRestored },
      { size: "24 80", tty: "/dev/pts/0", sid: "1", resized: "30 100", exit: "3", hostRestored: true },
      `host terminal (stty -g) before and after: ${JSON.stringify(got.hostSettings)}`,
    );
    assert.equal(runt(["--root", root.path, "list", "-q"]).stdout, "", "the container is deleted after the run");
    // runc 1.1.5 does not give the host terminal back exactly as it found it; runt does (asserted above).
    const { hostRestored: _, hostSettings: _s, ...runc } = await interactive(["runc"], root.path, b.dir, "tty-run-runc");
    const { hostRestored: __, hostSettings: __s, ...ours } = got;
    assert.deepEqual(ours, runc);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

/** create with a console socket, start, type a command, read the answer: containerd's way, for any runtime. */
function throughConsoleSocket(runtime: string[], root: string, bundle: string, id: string) {
  const socket = new ConsoleSocket(join(bundle, `${id}.sock`));
  try {
    const created = runt(["--root", root, "create", "--console-socket", socket.path, "-b", bundle, id], { files: true, argv: runtime });
    assert.equal(created.status, 0, created.stderr);
    const { master, name } = socket.receive();
    try {
      runtOk(["--root", root, "start", id], { argv: runtime });
      readTerminal(master, /\/ # /);
      typeInto(master, "echo answer=$((6*7)); tty; ls -l /dev/console | cut -c1-11; echo done\n");
      const answers = readTerminal(master, /\ndone\r?\n.*# /);
      // The shell is idle at its prompt: what its descriptors are, seen from the host.
      const pid = state(root, id, runtime).pid;
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
      typeInto(master, "exit\n");
      // Until the shell exits and the terminal hangs up.
      readTerminal(master, /(?!)/);
      waitFor(() => state(root, id, runtime).status === "stopped", "the container to stop");
      // From the first answer on: how much of the banner and echo precede it depends on typing speed.
      const plain = answers.replace(/\r/g, "");
      return { name, text: plain.slice(plain.indexOf("answer="), plain.lastIndexOf("done") + 4), fds };
    } finally {
      closeFd(master);
      runt(["--root", root, "delete", "--force", id], { argv: runtime });
    }
  } finally {
    socket.close();
  }
}

test("a --console-socket receiver written for runc gets the master, types a command and reads the answer", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh"], (s) => (s.process!.terminal = true));
  try {
    const got = throughConsoleSocket(runtArgv(), root.path, b.dir, "tty-socket");
    assert.equal(got.name, "/dev/ptmx");
    assert.match(got.text, /^answer=42$/m);
    assert.match(got.text, /^\/dev\/pts\/0$/m, "the terminal is the container's first pty");
    assert.match(got.text, /^crw--w---- $/m, "/dev/console is the terminal, bound as runc binds it");
    // PID 1 holds the terminal and the /dev/tty an interactive ash opens for itself: nothing of the runtime's.
    assert.deepEqual([...new Set(got.fds)].sort(), ["/dev/pts/0", "/dev/tty"], got.fds.join(" "));
    const runc = throughConsoleSocket(["runc"], root.path, b.dir, "tty-socket-runc");
    assert.deepEqual(got, runc);
  } finally {
    b.cleanup();
    root.cleanup();
  }
});

test("exec --tty: relayed in the foreground, sent to --console-socket when detached", { skip }, () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"]);
  const socket = new ConsoleSocket(join(b.dir, "exec.sock"));
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, "tty-exec"], { files: true });
    const fg = runt(["--root", root.path, "exec", "--tty", "tty-exec", "sh", "-c", "tty; ls /proc/self/fd | tr '\\n' ' '; echo; exit 4"]);
    assert.equal(fg.status, 4, fg.stderr);
    // Everything, to the last newline written just before the exit.
    assert.equal(fg.stdout, "/dev/pts/0\n0 1 2 3 \n", "a terminal of its own, and nothing leaked");

    const bg = runt(["--root", root.path, "exec", "-d", "-t", "--console-socket", socket.path, "tty-exec", "sh"], { files: true });
    assert.equal(bg.status, 0, bg.stderr);
    const { master } = socket.receive();
    try {
      typeInto(master, "echo pid1=$(cat /proc/1/cmdline | tr '\\0' ' '); exit\n");
      assert.match(readTerminal(master, /pid1=sleep 60\r?\n/), /pid1=sleep 60\r?\n/);
    } finally {
      closeFd(master);
    }
    if (!systemLsm.apparmorEnabled()) {
      const confined = runt(["--root", root.path, "exec", "--apparmor", "runt-test", "tty-exec", "true"]);
      assert.deepEqual(confined.errLines, ['runt: process.apparmorProfile: AppArmor is not enabled on this host, so profile "runt-test" cannot be applied']);
    }
    const noSocket = runt(["--root", root.path, "exec", "-d", "-t", "tty-exec", "sh"]);
    // exec's own failure: 255, as runc exits.
    assert.equal(noSocket.status, 255);
    assert.deepEqual(noSocket.errLines, ["runt: process.terminal: without --console-socket there is nowhere to send the terminal of a detached process"]);
  } finally {
    socket.close();
    runt(["--root", root.path, "delete", "--force", "tty-exec"]);
    b.cleanup();
    root.cleanup();
  }
});

test("exec --tty: the terminal is set up for relaying before the process can write, however late runt takes it — the bytes runc relays", {
  skip: skipTmux || (UNDER !== "deno" ? "the library is exercised from the Deno run" : false),
}, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sleep", "60"]);
  const command = ["sh", "-c", "tty; echo x; exit 4"];
  try {
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, "tty-late"], { files: true });
    // runt holds the master back until the process has written to the terminal (what a loaded machine may do).
    const script = join(REPO, "tests/integration/terminal_slow_parent.ts");
    const late = spawnSync(process.execPath, ["run", "-A", "--no-check", script, root.path, "tty-late", ...command], { encoding: "utf8", killSignal: "SIGKILL", timeout: 60_000, stdio: ["ignore", "pipe", "pipe"] });
    assert.equal(late.status, 4, late.stderr);
    assert.equal(late.stdout, "/dev/pts/0\nx\n", "newlines as written, not translated to \\r\\n by the container's terminal");

    // runc relays only with a terminal of its own: tmux gives it one, and its output goes to a file.
    // runc 1.1.5 clears onlcr while its process may already run (the same race, lost now and then
    // under load): its process waits for that first, so what is compared is what runc means to relay.
    runtOk(["--root", root.path, "run", "-d", "-b", b.dir, "tty-late-runc"], { files: true, argv: ["runc"] });
    const settled = ["sh", "-c", `until stty -a 2>/dev/null | grep -q -- -onlcr; do :; done; ${command[2]}`];
    const t = new TmuxSession(`runc --root ${root.path} exec -t tty-late-runc ${shellQuote(settled)} > ${b.out}/runc; echo EXIT=$?; sleep 600`);
    try {
      assert.equal((await t.waitFor(/EXIT=(\d+)/, "runc exec to exit"))[1], "4");
    } finally {
      t.kill();
    }
    assert.equal(late.stdout, readFileSync(join(b.out, "runc"), "utf8"));
  } finally {
    runt(["--root", root.path, "delete", "--force", "tty-late"]);
    runt(["--root", root.path, "delete", "--force", "tty-late-runc"], { argv: ["runc"] });
    b.cleanup();
    root.cleanup();
  }
});

test("a terminal container under a caller without a terminal still runs, and SIGTERM to runt reaches it", { skip }, async () => {
  const root = tempDir("runt-root-");
  const b = makeBundle(["sh", "-c", "trap 'echo got-term; exit 42' TERM; tty; echo ready > /out/ready; while :; do sleep 0.05; done"], (s) => {
    s.process!.terminal = true;
  });
  try {
    const [cmd, ...pre] = runtArgv();
    const child = spawn(cmd, [...pre, "--root", root.path, "run", "-b", b.dir, "tty-pipe"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    child.stdout!.on("data", (d) => (stdout += d));
    // "close", not "exit": what runt relayed just before it exited is read by then.
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const end = Date.now() + 20_000;
    while (!existsSync(join(b.out, "ready")) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    process.kill(child.pid!, "SIGTERM");
    assert.equal(await exited, 42);
    assert.match(stdout, /^\/dev\/pts\/0\n/);
    assert.match(stdout, /got-term/);
  } finally {
    runt(["--root", root.path, "delete", "--force", "tty-pipe"]);
    b.cleanup();
    root.cleanup();
  }
});
