/**
 * What the sandbox hides, shows and masks (README.md "Security", "The sandbox"). Every path is
 * resolved to its real path here: the setup script mounts on real paths only, so a symbolic
 * link cannot send a mount outside the new root.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whole directories replaced by an empty tmpfs: homes, temp directories, the runner's own. */
export function hiddenPaths(env: NodeJS.ProcessEnv): string[] {
  const runnerWork = env.RUNNER_WORKSPACE ? path.dirname(env.RUNNER_WORKSPACE) : undefined;
  return existingRealPaths([
    '/home',
    '/root',
    '/tmp',
    '/var/tmp',
    '/dev/shm',
    '/run/user',
    os.tmpdir(),
    env.HOME,
    env.TMPDIR,
    env.RUNNER_TEMP,
    env.RUNNER_TOOL_CACHE,
    env.AGENT_TOOLSDIRECTORY,
    // The runner's `_work`: every checkout of the runner, `_temp`, `_actions`, `_tool`.
    runnerWork,
  ]).filter((p) => p !== '/');
}

/**
 * Single entries turned into an empty directory or /dev/null. `keepsGroups`: the code keeps the
 * runner user's groups or is uid 0 (a user namespace), so what only root or a group may read is
 * masked too; `setpriv` to another uid drops every group, and those files stay closed to it.
 */
export function maskedPaths(exposed: string[], keepsGroups: boolean): string[] {
  return existingRealPaths([
    // The checkout's persisted credentials (actions/checkout writes the token into .git/config).
    ...exposed.map((p) => path.join(p, '.git')),
    ...(keepsGroups
      ? [
          // A way to the host's root and to every container (group docker).
          '/var/run/docker.sock',
          '/run/docker.sock',
          '/run/containerd/containerd.sock',
          // Readable by uid 0 without capabilities (group shadow).
          '/etc/shadow',
          '/etc/gshadow',
        ]
      : []),
  ]);
}

/**
 * The interpreter's installation when it lies in a hidden directory (setup-python installs
 * into the runner's tool cache; pyenv, uv and poetry keep theirs in the home): the prefix of
 * the command as found on PATH and of its real path, and the per-user Python directories
 * under HOME that an interpreter there may import from. Read-only in the sandbox.
 */
export function interpreterPaths(argv: string[], cwd: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const command = argv[0];
  const found = command ? which(command, cwd, env.PATH ?? '') : null;
  if (found) {
    out.push(path.dirname(path.dirname(found)));
    out.push(path.dirname(path.dirname(realOrSelf(found))));
  }
  const home = env.HOME;
  if (home) {
    for (const sub of [
      '.local/lib',
      '.local/bin',
      '.local/share/uv',
      '.local/share/virtualenvs',
      '.cache/pypoetry/virtualenvs',
      '.pyenv',
    ])
      out.push(path.join(home, sub));
  }
  return existingRealPaths(out).filter((p) => p !== '/');
}

export function which(command: string, cwd: string, searchPath: string): string | null {
  if (command.includes('/')) {
    const p = path.resolve(cwd, command);
    return existsSync(p) ? p : null;
  }
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, command);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Real paths of the given ones that exist, without duplicates, shortest first. */
export function existingRealPaths(paths: (string | undefined)[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    if (!p || !path.isAbsolute(p) || !existsSync(p)) continue;
    out.add(realOrSelf(p));
  }
  return [...out].sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** True when `p` lies in `dir` (or is it). */
export function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
