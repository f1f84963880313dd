/**
 * Action inputs → Config (the same Config the CLI builds) and the action's own options.
 * Defaults that depend on other inputs (postgres-image, fail-on) are empty in action.yml and
 * resolved here, so an explicit input can be told apart from a default.
 */
import path from 'node:path';
import type { Config, DatabaseSpec } from '../config.js';
import {
  DEFAULT_POSTGRES_IMAGE,
  defaultConfig,
  parseDurationMs,
  parseFailOn,
  parseWholeNumber,
  parseMigrationRole,
  parsePreset,
  splitCommand,
} from '../config.js';
import { usageError } from '../errors.js';
import { databaseFromChoice, inputSpec, parseConcurrency, parseMaxAnnotations } from '../options.js';
import { passwordsOf } from '../secrets.js';
import type { CommentPolicy } from './comment.js';
import { COMMENT_POLICIES } from './comment.js';
import type { Env } from './event.js';
import { pullRequestOf, readEvent } from './event.js';

/** Like core.getInput: the trimmed value, '' when the input is not set. */
export type GetInput = (name: string) => string;

/**
 * check: run the checks. discover: list the projects a matrix should check (git only, no PR
 * code runs). comment: post the comment for one or several report files.
 */
export type ActionMode = 'check' | 'discover' | 'comment';
export const ACTION_MODES: readonly ActionMode[] = ['check', 'discover', 'comment'];
export const DEFAULT_CONFIG_FILE = '.migration-guard.yml';
export const REPORT_FILE_NAME = 'migration-guard-report.json';
/** Where mode comment writes the merge of several reports (output report-path). */
export const MERGED_REPORT_FILE_NAME = 'migration-guard-merged-report.json';

export interface ActionOptions {
  mode: ActionMode;
  comment: CommentPolicy;
  token: string;
  /** Absolute path of .migration-guard.yml and whether it must exist (explicitly set). */
  configFile: string;
  configFileRequired: boolean;
  /** fail-on given as an input (wins over the config file). */
  failOnExplicit: boolean;
  /** preset given as an input (wins over the config file). */
  presetExplicit: boolean;
  /**
   * check: where the JSON report goes; comment: the downloaded report(s) to post — a file, a
   * directory (every *.json in it, recursively) or a glob, relative to the workspace.
   */
  reportFile: string;
  sarifFile: string | null;
  allowUntrusted: boolean;
  /** Check a pull request even when no sandbox can be made for its Python (src/sandbox/). */
  allowUnsandboxed: boolean;
  /**
   * comment: projects that must have a report (the discover job's matrix); a missing one is
   * named in the comment and fails the step.
   */
  expectedProjects: string[];
  /**
   * comment: expected-projects was given and lists no project (the discover job found no changed
   * migration): no check job ran, so there is no report to read.
   */
  noProjectsExpected: boolean;
  /** Annotations per level (errors, warnings); the rest are summarised in one annotation. */
  maxAnnotations: number;
}

export function workspaceOf(env: Env): string {
  return path.resolve(env.GITHUB_WORKSPACE || process.cwd());
}

export function configFromInputs(getInput: GetInput, env: Env): Config {
  const workspace = workspaceOf(env);
  const config = defaultConfig(path.resolve(workspace, getInput('working-directory') || '.'));
  config.alembicConfigs = splitList(getInput('alembic-config'));
  config.base = getInput('base-ref') || pullRequestOf(readEvent(env))?.baseSha || null;
  config.all = booleanInput(getInput, 'all', false);
  // The action checks only what a pull request changes unless told otherwise (the CLI is the opposite).
  config.onlyChanged = booleanInput(getInput, 'only-changed', true);
  config.python = splitCommand(getInput('python') || 'python');
  config.databaseUrlEnv = getInput('database-url-env') || config.databaseUrlEnv;
  const migrationRole = getInput('migration-role');
  if (migrationRole) config.migrationRole = parseMigrationRole(migrationRole, 'input migration-role');
  const failOn = getInput('fail-on');
  if (failOn) config.failOn = parseFailOn(failOn, 'input fail-on');
  const preset = getInput('preset');
  if (preset) config.preset = parsePreset(preset, 'input preset');
  const concurrency = getInput('concurrency');
  if (concurrency) config.concurrency = parseConcurrency(concurrency, 'input concurrency');
  const seedRows = getInput('seed-rows');
  if (seedRows) config.seedRows = parseWholeNumber(seedRows, 'input seed-rows');
  const seedRandom = getInput('seed-random');
  if (seedRandom) config.seedRandom = parseWholeNumber(seedRandom, 'input seed-random');
  const seedSql = getInput('seed-sql');
  if (seedSql) config.seedSql = path.resolve(config.projectDir, seedSql);
  const tableStats = getInput('table-stats');
  if (tableStats) config.tableStats = path.resolve(config.projectDir, tableStats);
  const maxLockMs = getInput('max-lock-ms');
  if (maxLockMs) {
    const ms = parseDurationMs(maxLockMs);
    if (ms === null)
      throw usageError(
        `input max-lock-ms must be milliseconds or a duration such as 2s (got "${maxLockMs}")`,
      );
    config.maxLockMs = ms;
  }
  const { database, postgresVersion } = databaseFromInputs(getInput);
  config.database = database;
  if (postgresVersion !== null) config.postgresVersion = postgresVersion;
  return config;
}

export function actionOptionsFromInputs(getInput: GetInput, env: Env, config: Config): ActionOptions {
  const workspace = workspaceOf(env);
  const mode = getInput('mode') || 'check';
  if (!(ACTION_MODES as readonly string[]).includes(mode)) {
    throw usageError(`input mode must be check, discover or comment (got "${mode}")`);
  }
  const comment = getInput('comment') || 'always';
  if (!(COMMENT_POLICIES as readonly string[]).includes(comment)) {
    throw usageError(`input comment must be one of ${COMMENT_POLICIES.join(', ')} (got "${comment}")`);
  }
  const configFileInput = getInput('config-file') || DEFAULT_CONFIG_FILE;
  const reportFileInput = getInput('report-file');
  if (mode === 'comment' && !reportFileInput) {
    throw usageError(
      'mode: comment needs report-file: the report JSON (or a directory or glob of reports) downloaded from the check jobs',
    );
  }
  const tmp = env.RUNNER_TEMP || env.TMPDIR || '/tmp';
  const sarif = getInput('sarif-file');
  return {
    mode: mode as ActionMode,
    comment: comment as CommentPolicy,
    token: getInput('github-token'),
    configFile: path.resolve(config.projectDir, configFileInput),
    configFileRequired: configFileInput !== DEFAULT_CONFIG_FILE,
    failOnExplicit: getInput('fail-on') !== '',
    presetExplicit: getInput('preset') !== '',
    reportFile: reportFileInput ? path.resolve(workspace, reportFileInput) : path.join(tmp, REPORT_FILE_NAME),
    sarifFile: sarif ? path.resolve(workspace, sarif) : null,
    allowUntrusted: booleanInput(getInput, 'allow-untrusted', false),
    allowUnsandboxed: booleanInput(getInput, 'allow-unsandboxed', false),
    expectedProjects: expectedProjectsInput(getInput('expected-projects')),
    noProjectsExpected:
      getInput('expected-projects').trim() !== '' &&
      expectedProjectsInput(getInput('expected-projects')).length === 0,
    maxAnnotations: parseMaxAnnotations(
      getInput('max-annotations') || (inputSpec('max-annotations').inputDefault as string),
      'input max-annotations',
    ),
  };
}

/** The discover job's `matrix` output, or a plain newline/comma list of config paths. */
export function expectedProjectsInput(value: string): string[] {
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return splitList(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(
      "input expected-projects must be the discover job's matrix output (JSON) or a list of configs",
    );
  }
  const entries = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' &&
        parsed !== null &&
        Array.isArray((parsed as { include?: unknown }).include)
      ? (parsed as { include: unknown[] }).include
      : null;
  const projects = entries?.map((e) =>
    typeof e === 'string'
      ? e
      : typeof e === 'object' && e !== null && typeof (e as { project?: unknown }).project === 'string'
        ? (e as { project: string }).project
        : null,
  );
  if (!projects || projects.some((p) => p === null)) {
    throw usageError(
      'input expected-projects must be the discover job\'s matrix output: {"include":[{"project":"…"}]}',
    );
  }
  return projects as string[];
}

function databaseFromInputs(getInput: GetInput): { database: DatabaseSpec; postgresVersion: number | null } {
  const chosen = databaseFromChoice(
    {
      url: getInput('database-url'),
      image: getInput('postgres-image'),
      version: getInput('postgres-version'),
    },
    'input',
    DEFAULT_POSTGRES_IMAGE,
  );
  // The action always has Docker: no local-binaries probe, a container of the default image
  // (which follows postgres-version, from the input or the config file).
  if (chosen.database.kind === 'auto') {
    const { kind: _auto, ...image } = chosen.database;
    return { database: { kind: 'container', ...image }, postgresVersion: chosen.postgresVersion };
  }
  return chosen;
}

/** The password of a database URL or DSN, for core.setSecret (raw and percent-decoded). */
export function urlSecrets(url: string): string[] {
  return passwordsOf(url);
}

export function isGlob(pattern: string): boolean {
  return /[*?[{]/.test(pattern);
}

/** Newline- or comma-separated list, blanks dropped. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function booleanInput(getInput: GetInput, name: string, fallback: boolean): boolean {
  const v = getInput(name);
  if (v === '') return fallback;
  if (TRUE.includes(v)) return true;
  if (FALSE.includes(v)) return false;
  throw usageError(`input ${name} must be true or false (got "${v}")`);
}
