/**
 * Process measurement shared by the benchmarks: the peak resident set (`VmHWM` from /proc) of
 * a child process tree, polled while it runs (the Python driver is a grandchild of the
 * command the bench starts, so `ru_maxrss` of the child alone would miss it).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
}

function listProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces and parentheses: the fields after the last ')' are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(rest[1]) });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Every process below `rootPid` (not the root itself). */
export function descendants(rootPid: number): number[] {
  const procs = listProcesses();
  const found = new Set<number>([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(rootPid);
  return [...found];
}

export function vmHwmKb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

export interface MeasuredRun {
  code: number | null;
  wallMs: number;
  stdout: string;
  stderr: string;
  /** Peak VmHWM per role (name → kB), over every process the classifier named. */
  peaksKb: Map<string, number>;
}

/**
 * Runs `command args` and polls every `intervalMs` the VmHWM of the child and its descendants;
 * `classify(cmdline)` names the role of a process (e.g. 'node', 'driver') or null to ignore it.
 */
export async function runMeasured(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    classify: (cmd: string) => string | null;
    intervalMs?: number;
  },
): Promise<MeasuredRun> {
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const peaksKb = new Map<string, number>();
  const sample = () => {
    if (child.pid === undefined) return;
    for (const pid of [child.pid, ...descendants(child.pid)]) {
      const role = options.classify(cmdline(pid));
      if (role === null) continue;
      const kb = vmHwmKb(pid);
      if (kb !== null) peaksKb.set(role, Math.max(peaksKb.get(role) ?? 0, kb));
    }
  };
  const poll = setInterval(sample, options.intervalMs ?? 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  return { code, wallMs: performance.now() - t0, stdout, stderr, peaksKb };
}
