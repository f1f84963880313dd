/**
 * The CLI: parses flags with the option table (options.ts) into a Config, calls check(),
 * renders, exits 0/1/2/3 (docs/ARCHITECTURE.md "Exit codes"). Every failure is one line on
 * stderr saying what to do; --debug adds the stack.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allRules, findRule, knownRuleIds, presetRuleSettings } from '../rules/index.js';
import { check } from './check.js';
import type { Config } from './config.js';
import {
  applyFileConfig,
  applyPreset,
  DEFAULT_POSTGRES_IMAGE,
  defaultConfig,
  loadFileConfig,
  parseDurationMs,
  parseFailOn,
  parseFormat,
  parseWholeNumber,
  parseMigrationRole,
  parsePreset,
  splitCommand,
} from './config.js';
import { EXIT_INFRA, EXIT_PASSED, EXIT_USAGE, isMigrationGuardError, usageError } from './errors.js';
import { exitCodeFor } from './exit.js';
import { renderCommandHelp, renderMainHelp } from './help.js';
import {
  currentActivity,
  installSignalHandlers,
  interruption,
  setActivity,
  setPartialReportWriter,
} from './lifecycle.js';
import { CheckProgress } from './check/progress.js';
import { TOOL_VERSION, unsupportedNode } from './meta.js';
import type { CommandName } from './options.js';
import {
  COMMANDS,
  databaseFromChoice,
  nearest,
  parseArgsOptions,
  parseConcurrency,
  parseDurationOption,
  unknownFlagMessage,
} from './options.js';
import { readRuleDoc } from './lint/docs.js';
import { ruleDocsUrl } from './lint/types.js';
import { renderReport } from './report/render.js';
import { registerVocabulary, scrubOutput, scrubReport } from './scrub.js';
import { passwordsOf, registerSecret, secretsOfEnvironment } from './secrets.js';
import { helpWidth, styleFor, terminalLogger } from './terminal.js';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: { write(chunk: string): boolean; isTTY?: boolean; columns?: number };
  stderr: { write(chunk: string): boolean; isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

const COMMAND_NAMES = COMMANDS.map((c) => c.name);

export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  const tooOld = unsupportedNode(process.versions.node);
  if (tooOld) {
    io.stderr.write(`migration-guard: ${tooOld}\n`);
    return EXIT_INFRA;
  }
  try {
    const [command, ...rest] = argv;
    if (isCommand(command) && command !== 'help' && wantsHelp(rest)) {
      return printHelp(io, command);
    }
    switch (command) {
      case 'check':
        return await checkCommand(rest, io);
      case 'rules':
        return listRules(rest, io);
      case 'explain':
        return await explain(rest, io);
      case '--version':
      case '-V':
        io.stdout.write(`${TOOL_VERSION}\n`);
        return EXIT_PASSED;
      case undefined:
        printHelp(io, null);
        return EXIT_USAGE;
      case '--help':
      case '-h':
      case 'help':
        return helpCommand(rest, io);
      default: {
        const guess = command.startsWith('-') ? null : nearest(command, COMMAND_NAMES);
        const hint = guess
          ? `did you mean ${guess}?`
          : `use ${COMMAND_NAMES.join(', ')} (see migration-guard --help)`;
        throw usageError(`unknown command "${command}": ${hint}`);
      }
    }
  } catch (e) {
    return reportError(e, debug, io);
  }
}

function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && (COMMAND_NAMES as readonly string[]).includes(name);
}

/** --help or -h before a `--` separator. */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function printHelp(io: CliIo, command: CommandName | null): number {
  const options = { width: helpWidth(io.stdout), style: styleFor(io.stdout, io.env) };
  io.stdout.write(
    command === null || command === 'help' ? renderMainHelp(options) : renderCommandHelp(command, options),
  );
  return EXIT_PASSED;
}

function helpCommand(args: string[], io: CliIo): number {
  const topic = args.find((a) => !a.startsWith('-'));
  if (topic === undefined) return printHelp(io, null);
  if (!isCommand(topic)) {
    const guess = nearest(topic, COMMAND_NAMES);
    throw usageError(
      `no help for "${topic}": ${guess ? `did you mean ${guess}?` : `commands are ${COMMAND_NAMES.join(', ')}`}`,
    );
  }
  return printHelp(io, topic);
}

function reportError(e: unknown, debug: boolean, io: CliIo): number {
  const prefix = styleFor(io.stderr, io.env).red('migration-guard:');
  if (isMigrationGuardError(e)) {
    io.stderr.write(`${prefix} ${scrubOutput(e.message)}\n`);
    if (debug && e.cause instanceof Error) io.stderr.write(`${scrubOutput(e.cause.stack ?? '')}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(
    `${prefix} internal error: ${scrubOutput(firstLine(message))} (rerun with --debug and report it)\n`,
  );
  if (debug && e instanceof Error) io.stderr.write(`${scrubOutput(e.stack ?? '')}\n`);
  return EXIT_INFRA;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Parses one command's flags with the option table; an unknown flag gets a "did you mean". */
export function parseFlags(
  command: CommandName,
  args: string[],
  allowPositionals = false,
): { values: FlagValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, allowPositionals, strict: true, options: parseArgsOptions(command) });
    return { values: parsed.values as FlagValues, positionals: parsed.positionals };
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = firstLine(e instanceof Error ? e.message : String(e));
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown?.[1]) {
      throw usageError(unknownFlagMessage(command, unknown[1]));
    }
    const positional = /^Unexpected argument '([^']+)'/.exec(message);
    if (positional?.[1]) {
      throw usageError(
        `unexpected argument "${positional[1]}" for ${command} (see migration-guard ${command} --help)`,
      );
    }
    throw usageError(`${message} (see migration-guard ${command} --help)`);
  }
}

function stringFlag(v: FlagValues, name: string): string | undefined {
  const value = v[name];
  return typeof value === 'string' ? value : undefined;
}

export async function parseCheckArgs(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const { values: v } = parseFlags('check', args);
  const config = defaultConfig(path.resolve(stringFlag(v, 'project') ?? '.'));
  config.log = terminalLogger({ debug: v.debug === true, quiet: v.quiet === true, env });
  config.alembicConfigs = Array.isArray(v.config) ? v.config : [];
  config.base = stringFlag(v, 'base') ?? null;
  config.all = v.all === true;
  const { database, postgresVersion } = databaseFromChoice(
    {
      url: stringFlag(v, 'database-url'),
      image: stringFlag(v, 'postgres-image'),
      version: stringFlag(v, 'postgres-version'),
      local: v['local-postgres'] === true,
      none: v['no-database'] === true,
    },
    'flag',
    env.MIGRATION_GUARD_POSTGRES_IMAGE || DEFAULT_POSTGRES_IMAGE,
  );
  config.database = database;
  if (postgresVersion !== null) config.postgresVersion = postgresVersion;
  config.python = splitCommand(stringFlag(v, 'python') ?? (env.MIGRATION_GUARD_PYTHON || 'python'));
  const migrationRole = stringFlag(v, 'migration-role');
  if (migrationRole !== undefined)
    config.migrationRole = parseMigrationRole(migrationRole, '--migration-role');
  const urlEnv = stringFlag(v, 'database-url-env');
  if (urlEnv) config.databaseUrlEnv = urlEnv;
  const failOn = stringFlag(v, 'fail-on');
  if (failOn) config.failOn = parseFailOn(failOn, '--fail-on');
  const preset = stringFlag(v, 'preset');
  if (preset !== undefined) config.preset = parsePreset(preset, '--preset');
  const format = stringFlag(v, 'format');
  if (format) config.format = parseFormat(format);
  const output = stringFlag(v, 'output');
  config.output = output ? path.resolve(output) : null;
  const statementTimeout = stringFlag(v, 'statement-timeout');
  if (statementTimeout)
    config.statementTimeoutMs = parseDurationOption(statementTimeout, '--statement-timeout');
  const stepTimeout = stringFlag(v, 'step-timeout');
  if (stepTimeout) config.stepTimeoutMs = parseDurationOption(stepTimeout, '--step-timeout');
  const concurrency = stringFlag(v, 'concurrency');
  if (concurrency !== undefined) config.concurrency = parseConcurrency(concurrency, '--concurrency');
  config.onlyChanged = v['only-changed'] === true;
  const seedRows = stringFlag(v, 'seed-rows');
  if (seedRows !== undefined) config.seedRows = parseWholeNumber(seedRows, '--seed-rows');
  const seedRandom = stringFlag(v, 'seed-random');
  if (seedRandom !== undefined) config.seedRandom = parseWholeNumber(seedRandom, '--seed-random');
  const seedSql = stringFlag(v, 'seed-sql');
  if (seedSql !== undefined) config.seedSql = path.resolve(seedSql);
  const tableStats = stringFlag(v, 'table-stats');
  if (tableStats !== undefined) config.tableStats = path.resolve(tableStats);
  // A bare number is unambiguous here: the name says milliseconds.
  const maxLockMs = stringFlag(v, 'max-lock-ms');
  if (maxLockMs !== undefined) {
    const ms = parseDurationMs(maxLockMs);
    if (ms === null)
      throw usageError(`--max-lock-ms: expected milliseconds or a duration such as 2s (got "${maxLockMs}")`);
    config.maxLockMs = ms;
  }
  const configFileFlag = stringFlag(v, 'config-file');
  const configFile = configFileFlag ?? path.join(config.projectDir, '.migration-guard.yml');
  const fileConfig = await loadFileConfig(path.resolve(configFile), knownRuleIds, {
    required: configFileFlag !== undefined,
  });
  const merged = applyFileConfig(config, fileConfig, failOn !== undefined, {
    maxLockMs: maxLockMs !== undefined,
    preset: preset !== undefined,
  });
  return applyPreset(merged, presetRuleSettings(merged.preset));
}

async function checkCommand(args: string[], io: CliIo): Promise<number> {
  // Run inside a workflow, the environment holds its tokens: masked in every output too.
  for (const secret of secretsOfEnvironment(io.env)) registerSecret(secret);
  registerVocabulary(knownRuleIds);
  const config = await parseCheckArgs(args, io.env);
  if (config.database.kind === 'url') {
    const url = config.database.url;
    for (const secret of passwordsOf(url)) registerSecret(secret);
    // The URL came on our command line: overwrite it there (/proc/<pid>/cmdline, `ps`), so
    // no other process of the machine reads the admin password from it.
    if (io.env === process.env && process.argv.some((a) => a.includes(url)))
      process.title = 'migration-guard check';
  }
  const verbose = args.includes('--verbose');
  const ruleMetas = allRules.map((r) => r.meta);
  const uninstall = installSignalHandlers();
  const progress = new CheckProgress();
  const output = config.output;
  // Cancelled (SIGINT/SIGTERM): what finished is still written where a report was asked for.
  if (output)
    setPartialReportWriter(async (signal) => {
      const partial = scrubReport(progress.partialReport(config, signal, currentActivity()));
      await mkdir(path.dirname(output), { recursive: true });
      await writeFile(
        output,
        renderReport(partial, config.format, { ruleMetas, verbose, failOn: config.failOn }),
      );
    });
  try {
    // Every format and the text summary come from this one scrubbed copy (src/scrub.ts).
    const report = scrubReport(await check(config, progress));
    setActivity('reporting');
    config.log.status?.(null);
    const rendered = renderReport(report, config.format, { ruleMetas, verbose, failOn: config.failOn });
    if (config.output) {
      await mkdir(path.dirname(config.output), { recursive: true });
      await writeFile(config.output, rendered);
      if (config.format !== 'text')
        io.stdout.write(renderReport(report, 'text', { ruleMetas, verbose, failOn: config.failOn }));
      config.log.info(`report written to ${config.output}`);
    } else {
      io.stdout.write(rendered);
    }
    return exitCodeFor(report, config.failOn);
  } finally {
    config.log.status?.(null);
    // Interrupted: the signal handler still needs the writer (it runs after the cleanups).
    if (!interruption()) setPartialReportWriter(null);
    uninstall();
  }
}

function listRules(args: string[], io: CliIo): number {
  const { values } = parseFlags('rules', args);
  const format = stringFlag(values, 'format') ?? 'text';
  if (format === 'json') {
    const rules = allRules.map((r) => ({
      id: r.meta.id,
      kind: r.meta.kind,
      defaultSeverity: r.meta.defaultSeverity,
      summary: r.meta.summary,
      help: r.meta.help,
      docsUrl: ruleDocsUrl(r.meta.id),
    }));
    io.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
    return EXIT_PASSED;
  }
  if (format !== 'text') throw usageError(`rules --format must be text or json (got "${format}")`);
  const style = styleFor(io.stdout, io.env);
  const width = Math.max(...allRules.map((r) => r.meta.id.length));
  for (const r of allRules) {
    const sev = r.meta.defaultSeverity.padEnd(7);
    const colored =
      r.meta.defaultSeverity === 'error'
        ? style.red(sev)
        : r.meta.defaultSeverity === 'warning'
          ? style.yellow(sev)
          : style.dim(sev);
    io.stdout.write(
      `${style.cyan(r.meta.id.padEnd(width))}  ${r.meta.kind.padEnd(9)}  ${colored}  ${r.meta.summary}\n`,
    );
  }
  return EXIT_PASSED;
}

async function explain(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseFlags('explain', args, true);
  const id = positionals[0];
  if (!id) throw usageError('explain needs a rule id: migration-guard explain require-concurrent-index');
  if (!findRule(id)) {
    const guess = nearest(id, knownRuleIds);
    throw usageError(
      `unknown rule "${id}": ${guess ? `did you mean ${guess}? ` : ''}run "migration-guard rules" for the list`,
    );
  }
  const doc = await readRuleDoc(id);
  if (doc === null) throw usageError(`no doc found for rule "${id}" (broken installation?)`);
  io.stdout.write(doc.endsWith('\n') ? doc : `${doc}\n`);
  return EXIT_PASSED;
}
