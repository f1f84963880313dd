/**
 * Config: everything a run needs, built from CLI flags (cli.ts) or action inputs (main.ts)
 * plus the optional `.migration-guard.yml`. Nothing here reads the environment at import time.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from './errors.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import type { FailOn, RuleSetting } from './model.js';

export type { FailOn };
export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'never'];
export type OutputFormat = 'text' | 'json' | 'markdown' | 'sarif' | 'github';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'markdown', 'sarif', 'github'];

export type DatabaseSpec =
  /** An existing server: a fresh database is created on it and dropped afterwards. */
  | { kind: 'url'; url: string }
  /** Testcontainers with this image (`versionedImage`: the default, following postgres-version). */
  | { kind: 'container'; image: string; versionedImage?: boolean }
  /** initdb + pg_ctl on a temporary directory. */
  | { kind: 'local' }
  /**
   * This machine's PostgreSQL binaries, else a cached or fetched build, else a container with
   * the image (`versionedImage`: the default, following postgres-version).
   */
  | { kind: 'auto'; image: string; versionedImage?: boolean }
  /** No database: static checks only (graph and file rules). */
  | { kind: 'none' };

/** The major a run without postgres-version gets when this machine has no PostgreSQL. */
export const DEFAULT_POSTGRES_MAJOR = 16;
export const DEFAULT_POSTGRES_IMAGE = `postgres:${DEFAULT_POSTGRES_MAJOR}-alpine`;

/**
 * Who the pull request's code connects as. `restricted` (default): a fresh login role that
 * owns the fresh database and nothing else, not a superuser. `superuser`: the admin user
 * (database-url's user, or `postgres` on a server we started), for the rare project whose
 * migrations need it; the report then carries a warning.
 */
export type MigrationRoleMode = 'restricted' | 'superuser';
export const MIGRATION_ROLE_MODES: readonly MigrationRoleMode[] = ['restricted', 'superuser'];

export function parseMigrationRole(value: string, where: string): MigrationRoleMode {
  if ((MIGRATION_ROLE_MODES as readonly string[]).includes(value)) return value as MigrationRoleMode;
  throw usageError(`${where} must be one of ${MIGRATION_ROLE_MODES.join(', ')} (got "${value}")`);
}

export interface IgnoreEntry {
  rule: string;
  /** Revision id the ignore applies to; absent = every revision (with path: matching files). */
  revision?: string;
  /** Path (relative to the project dir) or glob of revision files. */
  path?: string;
  reason: string;
}

export interface LockTimeoutPolicy {
  /** Largest acceptable `SET lock_timeout` in milliseconds. */
  maxMs: number;
}

/**
 * A named set of rule settings under the user's own: `recommended` (the rules' defaults) or
 * `strict` (also the style and timeout rules; rules/registry/presets.ts).
 */
export type Preset = 'recommended' | 'strict';
export const PRESETS: readonly Preset[] = ['recommended', 'strict'];

/** The parsed `.migration-guard.yml`. */
export interface FileConfig {
  failOn?: FailOn;
  preset?: Preset;
  rules: Record<string, RuleSetting>;
  ignore: IgnoreEntry[];
  naming?: string;
  postgresVersion?: number;
  lockTimeout?: LockTimeoutPolicy;
  maxLockMs?: number;
}

export interface Config {
  /** Directory the user runs in / the workspace: git commands and relative paths start here. */
  projectDir: string;
  /** Explicit alembic config paths or globs (relative to projectDir); empty = discover. */
  alembicConfigs: string[];
  /** Base git ref; null = no base comparison (every revision pending only with --all). */
  base: string | null;
  all: boolean;
  database: DatabaseSpec;
  /** The user's Python as argv, e.g. ["uv", "run", "python"]. */
  python: string[];
  /** Environment variable that receives the fresh database URL. */
  databaseUrlEnv: string;
  /** Who the migrations connect as (see MigrationRoleMode). */
  migrationRole: MigrationRoleMode;
  failOn: FailOn;
  format: OutputFormat;
  output: string | null;
  rules: Record<string, RuleSetting>;
  ignores: IgnoreEntry[];
  naming: string | null;
  postgresVersion: number | null;
  lockTimeout: LockTimeoutPolicy | null;
  statementTimeoutMs: number;
  stepTimeoutMs: number;
  concurrency: number;
  onlyChanged: boolean;
  /** Synthetic rows per table before the pending revisions (0: none). */
  seedRows: number;
  /** Seed of the synthetic rows: the same seed gives the same rows. */
  seedRandom: number;
  /** The user's SQL file run after the synthetic rows (absolute), null without one. */
  seedSql: string | null;
  /** JSON `{"<table>": {"rows": N, "bytes": B}}` of production sizes (absolute), null without. */
  tableStats: string | null;
  /** Above this estimated lock time an observed rewrite or full scan is an error. */
  maxLockMs: number;
  /** Rule settings the user's own `rules` are laid over (see applyPreset). */
  preset: Preset;
  /**
   * No sandbox for the pull request's Python stops the run (the action on a pull request
   * without allow-unsandboxed); otherwise the run warns once and goes on (src/sandbox/).
   */
  requireSandbox: boolean;
  log: Logger;
}

export const DEFAULT_SEED_ROWS = 300;
export const DEFAULT_MAX_LOCK_MS = 2000;

export const DEFAULT_NAMING = '^[a-z]+_[a-z0-9]+(_[a-z0-9]+)*$';

export function defaultConfig(projectDir: string): Config {
  return {
    projectDir: path.resolve(projectDir),
    alembicConfigs: [],
    base: null,
    all: false,
    database: { kind: 'auto', image: DEFAULT_POSTGRES_IMAGE, versionedImage: true },
    python: ['python'],
    databaseUrlEnv: 'DATABASE_URL',
    migrationRole: 'restricted',
    failOn: 'error',
    format: 'text',
    output: null,
    rules: {},
    ignores: [],
    naming: null,
    postgresVersion: null,
    lockTimeout: null,
    statementTimeoutMs: 60_000,
    stepTimeoutMs: 300_000,
    concurrency: availableParallelism(),
    onlyChanged: false,
    seedRows: DEFAULT_SEED_ROWS,
    seedRandom: 1,
    seedSql: null,
    tableStats: null,
    maxLockMs: DEFAULT_MAX_LOCK_MS,
    preset: 'recommended',
    requireSandbox: false,
    log: silentLogger,
  };
}

/** Splits a command line such as `uv run python` or `"/opt/my python/bin/python" -X dev`. */
export function splitCommand(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of command.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  if (out.length === 0) throw usageError('python command is empty: pass e.g. --python python3');
  return out;
}

export function parseFailOn(value: string, where: string): FailOn {
  if ((FAIL_ON_VALUES as readonly string[]).includes(value)) return value as FailOn;
  throw usageError(`${where}: fail-on must be one of ${FAIL_ON_VALUES.join(', ')} (got "${value}")`);
}

export function parseFormat(value: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw usageError(`unknown --format "${value}": use one of ${OUTPUT_FORMATS.join(', ')}`);
}

const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'warning', 'error'];
const FILE_KEYS = [
  'fail-on',
  'preset',
  'rules',
  'ignore',
  'naming',
  'postgres-version',
  'lock-timeout',
  'max-lock-ms',
];

/**
 * Reads and validates `.migration-guard.yml`. Errors name the key and exit 2.
 * `knownRules` is passed in (not imported) so config stays free of the rule registry.
 */
export async function loadFileConfig(
  file: string,
  knownRules: readonly string[],
  options: { required: boolean },
): Promise<FileConfig | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    if (options.required) throw usageError(`config file ${file} not found: fix the config-file path`);
    return null;
  }
  return parseFileConfig(text, file, knownRules);
}

export function parseFileConfig(text: string, file: string, knownRules: readonly string[]): FileConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw usageError(`${file}: not valid YAML: ${msg}`);
  }
  if (raw === null || raw === undefined) return { rules: {}, ignore: [] };
  if (!isRecord(raw)) throw usageError(`${file}: expected a mapping of settings at the top level`);
  for (const key of Object.keys(raw)) {
    if (!FILE_KEYS.includes(key)) {
      throw usageError(`${file}: unknown key "${key}" (allowed: ${FILE_KEYS.join(', ')})`);
    }
  }
  const cfg: FileConfig = { rules: {}, ignore: [] };
  if (raw['fail-on'] !== undefined) cfg.failOn = parseFailOn(String(raw['fail-on']), file);
  if (raw.preset !== undefined) cfg.preset = parsePreset(String(raw.preset), `${file}: preset`);
  if (raw.rules !== undefined) {
    if (!isRecord(raw.rules)) throw usageError(`${file}: "rules" must map rule ids to off|warning|error`);
    for (const [id, setting] of Object.entries(raw.rules)) {
      if (!knownRules.includes(id)) {
        throw usageError(`${file}: rules.${id}: unknown rule (run "migration-guard rules" for the list)`);
      }
      if (typeof setting !== 'string' || !(RULE_SETTINGS as readonly string[]).includes(setting)) {
        throw usageError(
          `${file}: rules.${id}: must be off, warning or error (got ${JSON.stringify(setting)})`,
        );
      }
      cfg.rules[id] = setting as RuleSetting;
    }
  }
  if (raw.ignore !== undefined) {
    if (!Array.isArray(raw.ignore))
      throw usageError(`${file}: "ignore" must be a list of {rule, revision|path, reason}`);
    raw.ignore.forEach((entry: unknown, i: number) => {
      const where = `${file}: ignore[${i}]`;
      if (!isRecord(entry))
        throw usageError(`${where}: must be a mapping with rule, reason and revision or path`);
      const rule = entry.rule;
      if (typeof rule !== 'string' || !knownRules.includes(rule)) {
        throw usageError(`${where}.rule: unknown rule ${JSON.stringify(rule)} (run "migration-guard rules")`);
      }
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '') {
        throw usageError(`${where}.reason: a reason is required for every ignore`);
      }
      const item: IgnoreEntry = { rule, reason: entry.reason.trim() };
      if (entry.revision !== undefined) item.revision = String(entry.revision);
      if (entry.path !== undefined) item.path = String(entry.path);
      for (const k of Object.keys(entry)) {
        if (!['rule', 'reason', 'revision', 'path'].includes(k))
          throw usageError(`${where}: unknown key "${k}"`);
      }
      cfg.ignore.push(item);
    });
  }
  if (raw.naming !== undefined) {
    if (typeof raw.naming !== 'string')
      throw usageError(`${file}: naming must be a regular expression string`);
    try {
      new RegExp(raw.naming);
    } catch {
      throw usageError(`${file}: naming: not a valid regular expression`);
    }
    cfg.naming = raw.naming;
  }
  if (raw['postgres-version'] !== undefined) {
    const v = Number(raw['postgres-version']);
    if (!Number.isInteger(v) || v < 9 || v > 30) {
      throw usageError(`${file}: postgres-version must be a major version such as 15`);
    }
    cfg.postgresVersion = v;
  }
  if (raw['lock-timeout'] !== undefined) {
    const lt = raw['lock-timeout'];
    const maxMs = isRecord(lt) ? parseDurationMs(lt.max) : parseDurationMs(lt);
    if (maxMs === null)
      throw usageError(`${file}: lock-timeout must be a duration such as "5s" or {max: "5s"}`);
    cfg.lockTimeout = { maxMs };
  }
  if (raw['max-lock-ms'] !== undefined) {
    const ms = parseDurationMs(raw['max-lock-ms']);
    if (ms === null) throw usageError(`${file}: max-lock-ms must be milliseconds or a duration such as "2s"`);
    cfg.maxLockMs = ms;
  }
  return cfg;
}

/** A whole number ≥ `min` given as a flag or input, else a usage error naming `where`. */
export function parseWholeNumber(value: string, where: string, min = 0): number {
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(n) || n < min)
    throw usageError(`${where} must be a whole number ≥ ${min} (got "${value}")`);
  return n;
}

/** "5s", "500ms", "2min", 1000 → milliseconds. */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|m)?\s*$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000;
}

export function applyFileConfig(
  config: Config,
  file: FileConfig | null,
  explicitFailOn: boolean,
  explicit: { maxLockMs?: boolean; preset?: boolean } = {},
): Config {
  if (!file) return config;
  return {
    ...config,
    preset: explicit.preset ? config.preset : (file.preset ?? config.preset),
    failOn: explicitFailOn ? config.failOn : (file.failOn ?? config.failOn),
    rules: { ...file.rules, ...config.rules },
    ignores: [...config.ignores, ...file.ignore],
    naming: config.naming ?? file.naming ?? null,
    postgresVersion: config.postgresVersion ?? file.postgresVersion ?? null,
    lockTimeout: config.lockTimeout ?? file.lockTimeout ?? null,
    maxLockMs: explicit.maxLockMs ? config.maxLockMs : (file.maxLockMs ?? config.maxLockMs),
  };
}

export function parsePreset(value: string, where: string): Preset {
  if ((PRESETS as readonly string[]).includes(value)) return value as Preset;
  throw usageError(`${where} must be one of ${PRESETS.join(', ')} (got "${value}")`);
}

/**
 * Lays the user's rule settings (flags and `.migration-guard.yml`) over the preset's: a rule's
 * own setting always wins. `presetRules` comes from the rule catalogue (rules/registry/presets.ts),
 * passed in so config stays free of it.
 */
export function applyPreset(config: Config, presetRules: Readonly<Record<string, RuleSetting>>): Config {
  return { ...config, rules: { ...presetRules, ...config.rules } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
