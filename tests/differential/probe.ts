/**
 * The script a differential container runs: it prints what the process sees
 * of itself and its surroundings in named sections, so the outputs of two
 * runtimes can be compared section by section.
 */

/** Starts a section in the probe's output; chosen so no probed file prints it. */
export const SECTION_MARK = "@@@";

/** Section name → shell snippet whose output (stdout and stderr) is the section. */
export type Probes = Record<string, string>;

/** What every variant prints, in this order, before its own sections. */
export const STANDARD_PROBES: Probes = {
  status: "grep -E '^(Cap|NoNewPrivs|Seccomp|Uid|Gid|Groups)' /proc/self/status",
  mountinfo: "cat /proc/self/mountinfo",
  hostname: "hostname",
  domainname: "cat /proc/sys/kernel/domainname",
  "ulimit-soft": "ulimit -a",
  "ulimit-hard": "ulimit -Ha",
  dev: "ls -ln /dev",
  umask: "umask",
  pwd: "pwd",
  id: "id",
  pid: "echo $$",
  env: "env | sort",
  // Open descriptors of the shell itself: anything past 0-2 leaked from the runtime.
  fds: "ls -l /proc/$$/fd",
};

/**
 * A POSIX sh script printing the standard sections, then `extra`, then
 * running `finish` (which decides the exit status). Each section ends with
 * the exit status of its snippet, so a failing command is visible too.
 */
export function probeScript(extra: Probes = {}, finish = "exit 0"): string {
  const sections = Object.entries({ ...STANDARD_PROBES, ...extra }).map(([name, snippet]) =>
    `echo '${SECTION_MARK} ${name}'\n{ ${snippet}\n}\necho "[status $?]"`
  );
  // Errors of probed commands belong to what the container saw.
  return ["exec 2>&1", ...sections, finish].join("\n");
}

/** Splits probe output into its sections; text before the first one is kept as "(before)". */
export function parseSections(stdout: string): Map<string, string> {
  const sections = new Map<string, string>();
  let name = "(before)";
  let lines: string[] = [];
  const flush = () => {
    if (name !== "(before)" || lines.some((l) => l !== "")) sections.set(name, lines.join("\n"));
  };
  for (const line of stdout.replace(/\n$/, "").split("\n")) {
    if (line.startsWith(`${SECTION_MARK} `)) {
      flush();
      name = line.slice(SECTION_MARK.length + 1);
      lines = [];
    } else {
      lines.push(line);
    }
  }
  flush();
  return sections;
}
