/**
 * The sandbox the pull request's Python runs in (README.md "Security", "The sandbox"): the
 * driver, the static resolver of revision ids and the capture of the base branch's models all
 * start through `sandboxedCommand`, which turns their argv into one that builds the sandbox
 * first (src/sandbox/script.ts) and runs the argv inside it.
 *
 * Which sandbox this machine can make is found once per run, by building a real one around
 * `true`: as root, namespaces directly; else through `sudo -n` when it needs no password
 * (GitHub-hosted runners); else an unprivileged user namespace. None of them: the action on a
 * pull request stops (`establishSandbox` with `required`), the CLI warns once and runs the
 * Python unsandboxed.
 *
 * MIGRATION_GUARD_SANDBOX=none|namespaces|sudo|user-namespace forces the choice (tests, and a
 * machine where detection picks wrong); MIGRATION_GUARD_SANDBOX_SHARE names one directory the
 * sandboxed code may write (tests).
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { infraError } from '../errors.js';
import { registerCleanup } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { databaseSocket } from './database-socket.js';
import { existingRealPaths, hiddenPaths, interpreterPaths, isInside, maskedPaths, which } from './paths.js';
import { SANDBOX_SCRIPT } from './script.js';

export type SandboxKind = 'namespaces' | 'sudo' | 'user-namespace';
const KINDS: readonly SandboxKind[] = ['namespaces', 'sudo', 'user-namespace'];

/** What the report says about the sandbox: its kind and the uid the Python ran as. */
export interface SandboxInfo {
  kind: SandboxKind;
  /** The host uid the pull request's Python ran as (65534 = nobody). */
  uid: number | null;
  /**
   * database-only: a network namespace of its own (loopback only), the throwaway database
   * through the tool's Unix socket; shared: the host's network (why: in the debug log).
   */
  network: SandboxNetwork;
}

export type SandboxNetwork = 'database-only' | 'shared';

export type SandboxChoice =
  { kind: SandboxKind; network: SandboxNetwork; networkReason?: string } | { kind: null; reason: string };

/** The unprivileged uid and gid the code runs as when the sandbox can switch users. */
const NOBODY = 65534;
const FORCE_VARIABLE = 'MIGRATION_GUARD_SANDBOX';
/** A directory shown writable inside the sandbox (tests watch the migrations through it). */
const SHARE_VARIABLE = 'MIGRATION_GUARD_SANDBOX_SHARE';

let detection: Promise<SandboxChoice> | null = null;
/** Set by establishSandbox: no sandbox means no Python at all, at every spawn too. */
let required = false;
let lastUid: number | null = null;
/** Why a sandbox of this run shared the host's network; null while none did. */
let sharedNetwork: string | null = null;
let warned = false;

/** The sandbox this machine can make, found once per process. */
export function detectSandbox(): Promise<SandboxChoice> {
  return (detection ??= detect(process.env));
}

/**
 * Called once at the start of a run. `required` (the action on a pull request without
 * allow-unsandboxed): no sandbox stops the run with one line saying why and how to allow an
 * unsandboxed run. Otherwise the run goes on, with one warning.
 */
export async function establishSandbox(options: { required: boolean; log: Logger }): Promise<SandboxChoice> {
  // Set before the detection settles: a Python started meanwhile waits for it and is refused too.
  required = options.required;
  const choice = await detectSandbox();
  if (choice.kind !== null) {
    const network = choice.networkReason ? `shared network (${choice.networkReason})` : 'own network';
    options.log.debug(`sandbox for the pull request's Python: ${choice.kind}, ${network}`);
    return choice;
  }
  if (options.required) throw noSandboxError(choice.reason);
  if (!warned) {
    warned = true;
    options.log.warning(
      `the migrations' Python runs without a sandbox (${choice.reason}): it can read what your user can read`,
    );
  }
  return choice;
}

function noSandboxError(reason: string): Error {
  return infraError(
    `no sandbox for the pull request's Python: ${reason}; ` +
      'set allow-unsandboxed: true to run it without one (it can then read what the runner user can read)',
  );
}

/** For the report: the sandbox used, null when the Python ran without one or never ran. */
export async function sandboxReport(): Promise<SandboxInfo | null> {
  if (!detection) return null;
  const choice = await detection;
  if (choice.kind === null) return null;
  const network = choice.network === 'shared' || sharedNetwork !== null ? 'shared' : 'database-only';
  return { kind: choice.kind, uid: lastUid, network };
}

export interface SandboxRequest {
  /** The command to run, e.g. ["/usr/bin/python3", "/…/driver.py"]. */
  argv: string[];
  cwd: string;
  /** Paths the command needs, shown read-only (the repository, the scripts); `.git` is masked. */
  expose: string[];
  /** The command's environment (already without secrets: src/secrets.ts). */
  env: NodeJS.ProcessEnv;
  /**
   * The throwaway database the command may reach, through the tool's Unix socket (nothing else
   * on the network is reachable): `url` its URL (null: it comes later, through databaseUrl),
   * `env` the variable set to the URL the code gets. Absent: no network at all.
   */
  database?: { url: string | null; env?: string };
}

export interface SandboxedCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Sends `signal` to the process group the command was started as the leader of. */
  signalGroup: (pid: number, signal: NodeJS.Signals) => void;
  /** Removes the sandbox's mount point; call once the process has exited. */
  cleanup: () => Promise<void>;
  /** The URL to hand the code for the database's `url` (through the socket when there is one). */
  databaseUrl: (url: string) => string;
}

/** `request` wrapped into the sandbox of this run, or unchanged when there is none. */
export async function sandboxedCommand(request: SandboxRequest): Promise<SandboxedCommand> {
  const choice = await detectSandbox();
  if (choice.kind === null && required) throw noSandboxError(choice.reason);
  // A command that is not there runs nothing: spawning it directly gives the usual error.
  if (choice.kind === null || !commandExists(request)) return plainCommand(request);
  return wrap(choice.kind, request, choice.network === 'database-only');
}

function commandExists(request: SandboxRequest): boolean {
  const command = request.argv[0];
  return command !== undefined && which(command, request.cwd, request.env.PATH ?? '') !== null;
}

function plainCommand(request: SandboxRequest): SandboxedCommand {
  const [command = '', ...args] = request.argv;
  return {
    command,
    args,
    env: request.env,
    signalGroup: killGroup,
    cleanup: () => Promise.resolve(),
    databaseUrl: (url) => url,
  };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  process.kill(-pid, signal);
}

/** Under sudo the processes are root's: only root can signal them. */
function sudoKillGroup(pid: number, signal: NodeJS.Signals): void {
  const result = spawnSync('sudo', ['-n', 'kill', '-s', signal.replace(/^SIG/, ''), '--', `-${pid}`], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  if (result.status !== 0) process.kill(-pid, signal);
}

/**
 * The environment without what would change how bash runs the setup as root: a file it
 * sources first (BASH_ENV, ENV), options, functions that would shadow `mount`.
 */
function setupEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (['BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'CDPATH', 'GLOBIGNORE'].includes(name)) continue;
    if (name.startsWith('BASH_FUNC_')) continue;
    out[name] = value;
  }
  return out;
}

async function wrap(kind: SandboxKind, given: SandboxRequest, isolate: boolean): Promise<SandboxedCommand> {
  const request = { ...given, env: setupEnvironment(given.env) };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mg-sandbox-'));
  const root = path.join(dir, 'root');
  await mkdir(root);
  const socket = isolate ? await databaseSocket(path.join(dir, 'db'), request.database, request.env) : null;
  if (socket && 'shared' in socket) sharedNetwork = socket.shared;
  const ownNetwork = isolate && !(socket && 'shared' in socket);
  const forwarder = socket && 'socket' in socket ? socket.socket : null;
  const closeForwarder = forwarder ? registerCleanup(() => forwarder.close()) : () => undefined;
  const hidden = hiddenPaths(request.env);
  const interpreter = interpreterPaths(request.argv, request.cwd, request.env).filter((p) =>
    hidden.some((h) => isInside(p, h)),
  );
  const exposed = outermost(existingRealPaths([...request.expose, ...interpreter]));
  // A hidden directory inside an exposed one (a HOME inside the checkout) stays hidden.
  const hiddenInside = hidden.filter((h) => exposed.some((e) => h !== e && isInside(h, e)));
  const { uid, gid, switchBy } = kind === 'user-namespace' ? ownIds() : pickUid(exposed, hidden);
  const masked = [...maskedPaths(existingRealPaths(request.expose), switchBy === 'userns'), ...hiddenInside];
  lastUid = uid;
  let envFile = '-';
  if (kind === 'sudo') {
    // sudo resets the environment: the script restores it from this file (readable by root only
    // besides us; the sandbox hides the temp directory it is in).
    envFile = path.join(dir, 'env');
    const pairs = Object.entries(request.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}\0`]));
    await writeFile(envFile, pairs.join(''), { mode: 0o600 });
  }
  const unshare = [
    'unshare',
    ...(kind === 'user-namespace' ? ['--user', '--map-root-user'] : []),
    '--pid',
    '--fork',
    '--kill-child',
    '--mount',
    '--ipc',
    '--uts',
    ...(ownNetwork ? ['--net'] : []),
    '--',
    'bash',
    // No startup file: bash reads ~/.bashrc when its stdin is a socket (Node's pipes are).
    '--norc',
    '--noprofile',
    '-c',
    SANDBOX_SCRIPT,
    'migration-guard-sandbox',
    root,
    switchBy,
    String(uid),
    String(gid),
    envFile,
    realCwd(request.cwd),
    forwarder ? forwarder.dir : '-',
    ...counted(hidden),
    ...counted(exposed),
    ...counted(existingRealPaths([process.env[SHARE_VARIABLE]])),
    ...counted(masked),
    '--',
    ...request.argv,
  ];
  const argv = kind === 'sudo' ? ['sudo', '-n', '--', ...unshare] : unshare;
  const [command = '', ...args] = argv;
  return {
    command: resolveTool(command),
    args,
    env: request.env,
    signalGroup: kind === 'sudo' ? sudoKillGroup : killGroup,
    cleanup: async () => {
      closeForwarder();
      await forwarder?.close();
      await rm(dir, { recursive: true, force: true });
    },
    databaseUrl: (url) => forwarder?.urlFor(url) ?? url,
  };
}

/** The paths not inside another one of the list (a bind of the outer one shows them). */
function outermost(paths: string[]): string[] {
  return paths.filter((p) => !paths.some((q) => q !== p && isInside(p, q)));
}

function counted(list: string[]): string[] {
  return [String(list.length), ...list];
}

function realCwd(cwd: string): string {
  return existingRealPaths([cwd])[0] ?? cwd;
}

/** How the script leaves root: `setpriv` to another uid, or a nested user namespace. */
type UserSwitch = { uid: number; gid: number; switchBy: 'setpriv' | 'userns' };

function ownIds(): UserSwitch {
  return { uid: process.getuid?.() ?? NOBODY, gid: process.getgid?.() ?? NOBODY, switchBy: 'userns' };
}

/**
 * nobody when it can read everything exposed; else the owner of the first exposed path (the
 * repository) when that is not root; else root in a nested user namespace: no capability
 * outside it, every mount locked, on a read-only tree.
 */
function pickUid(exposed: string[], hidden: string[]): UserSwitch {
  if (exposed.every((p) => readableByOthers(p, hidden)))
    return { uid: NOBODY, gid: NOBODY, switchBy: 'setpriv' };
  const first = exposed[0];
  const owner = first ? statSync(first) : null;
  if (owner && owner.uid !== 0) return { uid: owner.uid, gid: owner.gid, switchBy: 'setpriv' };
  return { uid: 0, gid: 0, switchBy: 'userns' };
}

/** `p` and its ancestors outside the hidden directories are readable and searchable by others. */
function readableByOthers(p: string, hidden: string[]): boolean {
  try {
    const st = statSync(p);
    if ((st.mode & (st.isDirectory() ? 0o005 : 0o004)) !== (st.isDirectory() ? 0o005 : 0o004)) return false;
    for (let dir = path.dirname(p); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      // Inside a hidden directory the ancestors are the sandbox's own (mode 1777).
      if (hidden.some((h) => isInside(dir, h))) break;
      if ((statSync(dir).mode & 0o001) === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** A tool by absolute path (sbin directories are not on every user's PATH). */
function resolveTool(name: string): string {
  for (const dir of [
    ...(process.env.PATH ?? '').split(path.delimiter),
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return name;
}

async function detect(env: NodeJS.ProcessEnv): Promise<SandboxChoice> {
  const forced = env[FORCE_VARIABLE];
  if (forced === 'none') return { kind: null, reason: `${FORCE_VARIABLE}=none` };
  if (process.platform !== 'linux') return { kind: null, reason: `not Linux (${process.platform})` };
  for (const tool of ['unshare', 'setpriv', 'pivot_root', 'mount', 'bash']) {
    if (resolveTool(tool) === tool) return { kind: null, reason: `${tool} (util-linux, bash) not found` };
  }
  let candidates: SandboxKind[];
  if (forced && (KINDS as readonly string[]).includes(forced)) candidates = [forced as SandboxKind];
  else if (process.getuid?.() === 0) candidates = ['namespaces', 'user-namespace'];
  else candidates = [...(sudoWorks() ? (['sudo'] as const) : []), 'user-namespace'];
  const failures: string[] = [];
  for (const kind of candidates) {
    const failure = await probe(kind, true);
    if (failure === null) return { kind, network: 'database-only' };
    // No network namespace (a policy that refuses it): the rest of the sandbox still holds.
    if ((await probe(kind, false)) === null) return { kind, network: 'shared', networkReason: failure };
    failures.push(`${kind}: ${failure}`);
  }
  return { kind: null, reason: failures.join('; ') || 'no way to make one' };
}

function sudoWorks(): boolean {
  if (resolveTool('sudo') === 'sudo') return false;
  return spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** Builds a real sandbox around `true`; null when it worked, else the last line of its error. */
async function probe(kind: SandboxKind, ownNetwork: boolean): Promise<string | null> {
  const wrapped = await wrap(
    kind,
    { argv: ['true'], cwd: '/', expose: [], env: { PATH: process.env.PATH ?? '' } },
    ownNetwork,
  );
  if (kind !== 'user-namespace') {
    // Real root (directly or through sudo) may mount once it has the namespaces: asking for
    // them is enough, and costs a tenth of building the whole sandbox. A user namespace is
    // built in full: a kernel policy (AppArmor) may grant it and then refuse it every mount.
    // unshare's own `--` (sudo's comes before it).
    const at = wrapped.args.indexOf('--', wrapped.args.indexOf('--kill-child'));
    wrapped.args.splice(at + 1, wrapped.args.length, 'true');
  }
  try {
    return await new Promise((resolve) => {
      execFile(
        wrapped.command,
        wrapped.args,
        { env: wrapped.env, timeout: 20_000 },
        (error, _stdout, stderr) => {
          if (!error) resolve(null);
          else resolve(stderr.trim().split('\n').at(-1) || error.message.split('\n')[0] || 'failed');
        },
      );
    });
  } finally {
    await wrapped.cleanup();
  }
}

/** The tests' hook: forget the detection (after changing MIGRATION_GUARD_SANDBOX). */
export function resetSandboxForTests(): void {
  detection = null;
  required = false;
  lastUid = null;
  sharedNetwork = null;
  warned = false;
}
