/**
 * The CLI: parses flags into a Config, calls check(), renders, exits 0/1/2/3
 * (docs/ARCHITECTURE.md "Exit codes").
 * Every failure is one line on stderr saying what to do; --debug adds the stack.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allRules, findRule, knownRuleIds } from '../rules/index.js';
import { check } from './check.js';
import { imageForSpec } from './database/index.js';
import type { Config, DatabaseSpec } from './config.js';
import {
  applyFileConfig,
  DEFAULT_POSTGRES_IMAGE,
  defaultConfig,
  loadFileConfig,
  parseDurationMs,
  parseFailOn,
  parseFormat,
  parseWholeNumber,
  parseMigrationRole,
  splitCommand,
} from './config.js';
import { EXIT_INFRA, EXIT_PASSED, EXIT_USAGE, isMigrationGuardError, usageError } from './errors.js';
import { exitCodeFor } from './exit.js';
import { installSignalHandlers } from './lifecycle.js';
import { stderrLogger } from './log.js';
import { TOOL_VERSION } from './meta.js';
import { readRuleDoc } from './lint/docs.js';
import { renderReport } from './report/render.js';
import { passwordsOf, scrubOutput, scrubReport } from './scrub.js';
import { registerSecret } from './secrets.js';

const USAGE = `usage: migration-guard check [--project DIR] [--config alembic.ini] [--base REF]
                            [--database-url URL | --postgres-image IMAGE | --local-postgres | --no-database]
                            [--python "uv run python"] [--all] [--fail-on error|warning|never]
                            [--migration-role restricted|superuser]
                            [--format text|json|markdown|sarif|github] [--output FILE]
                            [--config-file .migration-guard.yml] [--statement-timeout 60s] [--step-timeout 5min]
                            [--concurrency N] [--only-changed] [--verbose] [--quiet] [--debug]
                            [--seed-rows 300] [--seed-random 1] [--seed-sql FILE]
                            [--table-stats FILE] [--max-lock-ms 2000]
       migration-guard rules            list the rule catalog
       migration-guard explain RULE     print a rule's doc
       migration-guard --version`;

export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'check':
        return await checkCommand(rest);
      case 'rules':
        return listRules();
      case 'explain':
        return await explain(rest);
      case '--version':
      case '-V':
        process.stdout.write(`${TOOL_VERSION}\n`);
        return EXIT_PASSED;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? EXIT_USAGE : EXIT_PASSED;
      default:
        throw usageError(`unknown command "${command}": use check, rules or explain (see --help)`);
    }
  } catch (e) {
    return reportError(e, debug);
  }
}

function reportError(e: unknown, debug: boolean): number {
  if (isMigrationGuardError(e)) {
    process.stderr.write(`migration-guard: ${scrubOutput(e.message)}\n`);
    if (debug && e.cause instanceof Error) process.stderr.write(`${scrubOutput(e.cause.stack ?? '')}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(
    `migration-guard: internal error: ${scrubOutput(firstLine(message))} (rerun with --debug and report it)\n`,
  );
  if (debug && e instanceof Error) process.stderr.write(`${scrubOutput(e.stack ?? '')}\n`);
  return EXIT_INFRA;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

export async function parseCheckArgs(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      options: {
        project: { type: 'string' },
        config: { type: 'string', multiple: true },
        base: { type: 'string' },
        'database-url': { type: 'string' },
        'postgres-image': { type: 'string' },
        'postgres-version': { type: 'string' },
        'local-postgres': { type: 'boolean' },
        'no-database': { type: 'boolean' },
        python: { type: 'string' },
        'database-url-env': { type: 'string' },
        'migration-role': { type: 'string' },
        all: { type: 'boolean' },
        'fail-on': { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string' },
        'config-file': { type: 'string' },
        'statement-timeout': { type: 'string' },
        'step-timeout': { type: 'string' },
        concurrency: { type: 'string' },
        'only-changed': { type: 'boolean' },
        'seed-rows': { type: 'string' },
        'seed-random': { type: 'string' },
        'seed-sql': { type: 'string' },
        'table-stats': { type: 'string' },
        'max-lock-ms': { type: 'string' },
        verbose: { type: 'boolean' },
        quiet: { type: 'boolean' },
        debug: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw usageError(`${firstLine(e instanceof Error ? e.message : String(e))} (see migration-guard --help)`);
  }
  const v = parsed.values;
  const config = defaultConfig(path.resolve(v.project ?? '.'));
  config.log = stderrLogger({ debug: v.debug === true, quiet: v.quiet === true });
  config.alembicConfigs = v.config ?? [];
  config.base = v.base ?? null;
  config.all = v.all === true;
  config.database = databaseSpec(v, env);
  config.python = splitCommand(v.python ?? env.MIGRATION_GUARD_PYTHON ?? 'python');
  if (v['database-url-env']) config.databaseUrlEnv = v['database-url-env'];
  if (v['migration-role'] !== undefined)
    config.migrationRole = parseMigrationRole(v['migration-role'], '--migration-role');
  if (v['fail-on']) config.failOn = parseFailOn(v['fail-on'], '--fail-on');
  if (v.format) config.format = parseFormat(v.format);
  config.output = v.output ? path.resolve(v.output) : null;
  if (v['statement-timeout'])
    config.statementTimeoutMs = duration(v['statement-timeout'], '--statement-timeout');
  if (v['step-timeout']) config.stepTimeoutMs = duration(v['step-timeout'], '--step-timeout');
  if (v.concurrency !== undefined) {
    const n = Number(v.concurrency);
    if (!Number.isInteger(n) || n < 1)
      throw usageError(`--concurrency must be a whole number ≥ 1 (got "${v.concurrency}")`);
    config.concurrency = n;
  }
  config.onlyChanged = v['only-changed'] === true;
  if (v['seed-rows'] !== undefined) config.seedRows = parseWholeNumber(v['seed-rows'], '--seed-rows');
  if (v['seed-random'] !== undefined) config.seedRandom = parseWholeNumber(v['seed-random'], '--seed-random');
  if (v['seed-sql'] !== undefined) config.seedSql = path.resolve(v['seed-sql']);
  if (v['table-stats'] !== undefined) config.tableStats = path.resolve(v['table-stats']);
  if (v['max-lock-ms'] !== undefined) config.maxLockMs = duration(v['max-lock-ms'], '--max-lock-ms');
  const configFile = v['config-file'] ?? path.join(config.projectDir, '.migration-guard.yml');
  const fileConfig = await loadFileConfig(path.resolve(configFile), knownRuleIds, {
    required: v['config-file'] !== undefined,
  });
  return applyFileConfig(config, fileConfig, v['fail-on'] !== undefined, {
    maxLockMs: v['max-lock-ms'] !== undefined,
  });
}

function duration(value: string, flag: string): number {
  const ms = parseDurationMs(value);
  if (ms === null) throw usageError(`${flag}: expected a duration such as 30s or 500ms (got "${value}")`);
  return ms;
}

interface DatabaseFlags {
  'database-url'?: string;
  'postgres-image'?: string;
  'postgres-version'?: string;
  'local-postgres'?: boolean;
  'no-database'?: boolean;
}

function databaseSpec(v: DatabaseFlags, env: NodeJS.ProcessEnv): DatabaseSpec {
  const chosen = [
    v['database-url'] !== undefined,
    v['postgres-image'] !== undefined || v['postgres-version'] !== undefined,
    v['local-postgres'] === true,
    v['no-database'] === true,
  ].filter(Boolean).length;
  if (chosen > 1) {
    throw usageError('choose one of --database-url, --postgres-image, --local-postgres, --no-database');
  }
  if (v['database-url'] !== undefined) return { kind: 'url', url: v['database-url'] };
  if (v['postgres-image'] !== undefined)
    return { kind: 'container', image: imageForSpec(v['postgres-image']) };
  if (v['postgres-version'] !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(v['postgres-version'])) {
      throw usageError(`--postgres-version must be a version such as 16 (got "${v['postgres-version']}")`);
    }
    return { kind: 'container', image: imageForSpec(v['postgres-version']) };
  }
  if (v['local-postgres']) return { kind: 'local' };
  if (v['no-database']) return { kind: 'none' };
  return { kind: 'auto', image: env.MIGRATION_GUARD_POSTGRES_IMAGE ?? DEFAULT_POSTGRES_IMAGE };
}

async function checkCommand(args: string[]): Promise<number> {
  const config = await parseCheckArgs(args);
  if (config.database.kind === 'url')
    for (const secret of passwordsOf(config.database.url)) registerSecret(secret);
  const verbose = args.includes('--verbose');
  const ruleMetas = allRules.map((r) => r.meta);
  const uninstall = installSignalHandlers();
  try {
    // Every format and the text summary come from this one scrubbed copy (src/scrub.ts).
    const report = scrubReport(await check(config));
    const rendered = renderReport(report, config.format, { ruleMetas, verbose, failOn: config.failOn });
    if (config.output) {
      await mkdir(path.dirname(config.output), { recursive: true });
      await writeFile(config.output, rendered);
      if (config.format !== 'text')
        process.stdout.write(renderReport(report, 'text', { ruleMetas, verbose, failOn: config.failOn }));
      config.log.info(`report written to ${config.output}`);
    } else {
      process.stdout.write(rendered);
    }
    return exitCodeFor(report, config.failOn);
  } finally {
    uninstall();
  }
}

function listRules(): number {
  const width = Math.max(...allRules.map((r) => r.meta.id.length));
  for (const r of allRules) {
    const sev = r.meta.defaultSeverity.padEnd(7);
    process.stdout.write(`${r.meta.id.padEnd(width)}  ${r.meta.kind.padEnd(9)}  ${sev}  ${r.meta.summary}\n`);
  }
  return EXIT_PASSED;
}

async function explain(args: string[]): Promise<number> {
  const id = args.find((a) => !a.startsWith('-'));
  if (!id) throw usageError('explain needs a rule id: migration-guard explain require-concurrent-index');
  if (!findRule(id)) throw usageError(`unknown rule "${id}": run "migration-guard rules" for the list`);
  const doc = await readRuleDoc(id);
  if (doc === null) throw usageError(`no doc found for rule "${id}" (broken installation?)`);
  process.stdout.write(doc.endsWith('\n') ? doc : `${doc}\n`);
  return EXIT_PASSED;
}
