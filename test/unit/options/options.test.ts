/**
 * The option table (src/options.ts) against everything that lists options: the parser, the
 * help of every command, action.yml, the README, the environment variables the code reads.
 * UPDATE_README=1 rewrites the README's generated blocks.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseCheckArgs, parseFlags } from '../../../src/cli.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { configFromInputs } from '../../../src/github/inputs.js';
import { README_BLOCKS, renderCommandHelp } from '../../../src/help.js';
import {
  COMMANDS,
  ENVIRONMENT,
  OPTIONS,
  OUTPUTS,
  databaseFromChoice,
  flagsOf,
  nearest,
  parseArgsOptions,
  parseDurationOption,
  unknownFlagMessage,
} from '../../../src/options.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const readmePath = path.join(root, 'README.md');

function expectUsageError(fn: () => unknown, pattern: RegExp): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(MigrationGuardError);
  expect((thrown as MigrationGuardError).exitCode).toBe(2);
  expect((thrown as Error).message).toMatch(pattern);
  expect((thrown as Error).message).not.toContain('\n');
}

interface ActionYml {
  description: string;
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
}
const actionYml = parseYaml(readFileSync(path.join(root, 'action.yml'), 'utf8')) as ActionYml;

describe('the option table', () => {
  it('gives every option a unique flag and input', () => {
    const flags = OPTIONS.flatMap((o) => (o.flag ? [o.flag] : []));
    const inputs = OPTIONS.flatMap((o) => (o.input ? [o.input] : []));
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(inputs).size).toBe(inputs.length);
    for (const o of OPTIONS) {
      expect(o.flag !== null || o.input !== null, o.name).toBe(true);
      expect(o.flag === null || o.commands.length > 0, o.name).toBe(true);
      expect(o.description.length, o.name).toBeGreaterThan(10);
    }
  });

  it('is exactly the inputs of action.yml, with the same defaults', () => {
    const tableInputs = OPTIONS.filter((o) => o.input !== null);
    expect(Object.keys(actionYml.inputs).sort()).toEqual(tableInputs.map((o) => o.input).sort());
    for (const o of tableInputs) {
      expect(actionYml.inputs[o.input as string]?.default ?? '', o.input as string).toBe(
        o.inputDefault ?? '',
      );
    }
  });

  it('is exactly the outputs of action.yml', () => {
    expect(Object.keys(actionYml.outputs).sort()).toEqual(OUTPUTS.map((o) => o.name).sort());
  });

  it('keeps the action description within the Marketplace limit of 125 characters', () => {
    expect(actionYml.description.length).toBeLessThanOrEqual(125);
  });

  it('lists every MIGRATION_GUARD_* variable the code reads', () => {
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.(ts|py)$/.test(name)) {
          for (const m of readFileSync(file, 'utf8').matchAll(
            /env(?:iron)?(?:\.|\[['"])(MIGRATION_GUARD_[A-Z_]+)/g,
          )) {
            read.add(m[1] as string);
          }
        }
      }
    };
    walk(path.join(root, 'src'));
    expect(read.size).toBeGreaterThan(0);
    const documented = ENVIRONMENT.map((e) => e.name);
    expect([...read].filter((v) => !documented.includes(v))).toEqual([]);
  });
});

describe('the parser, the help and the README agree with the table', () => {
  it.each(COMMANDS.map((c) => c.name))('help of %s shows every flag the parser accepts', (command) => {
    const help = renderCommandHelp(command);
    const parserFlags = Object.keys(parseArgsOptions(command));
    expect(parserFlags.length).toBeGreaterThan(0);
    for (const flag of parserFlags) expect(help, flag).toContain(`--${flag}`);
    for (const o of flagsOf(command)) {
      if (o.cliDefault !== undefined)
        expect(help.replace(/\s+/g, ' '), o.name).toContain(`default: ${o.cliDefault}`);
      if (o.env) expect(help.replace(/\s+/g, ' '), o.name).toContain(o.env);
    }
  });

  it('help of check lists every environment variable', () => {
    const help = renderCommandHelp('check');
    for (const e of ENVIRONMENT) expect(help).toContain(e.name);
  });

  it.each(Object.keys(README_BLOCKS))('README block %s is generated from the table', (block) => {
    const readme = readFileSync(readmePath, 'utf8');
    const start = `<!-- ${block}:start -->\n`;
    const end = `\n<!-- ${block}:end -->`;
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from, `README has the ${block}:start/end markers`).toBeGreaterThanOrEqual(0);
    const expected = (README_BLOCKS[block] as () => string)();
    const actual = readme.slice(from + start.length, to);
    if (actual !== expected && process.env.UPDATE_README === '1') {
      writeFileSync(readmePath, readme.slice(0, from + start.length) + expected + readme.slice(to));
      return;
    }
    expect(actual).toBe(expected);
  });

  it('the README names every parser flag, every action input and output, every variable', () => {
    const readme = readFileSync(readmePath, 'utf8');
    for (const command of COMMANDS.map((c) => c.name)) {
      for (const flag of Object.keys(parseArgsOptions(command)))
        expect(readme, flag).toContain(`\`--${flag}`);
    }
    for (const input of Object.keys(actionYml.inputs)) expect(readme, input).toContain(`| \`${input}\` |`);
    for (const output of Object.keys(actionYml.outputs))
      expect(readme, output).toContain(`| \`${output}\` |`);
    for (const e of ENVIRONMENT) expect(readme, e.name).toContain(`\`${e.name}\``);
  });
});

describe('flag parsing', () => {
  it('suggests the nearest flag for a typo', () => {
    expect(unknownFlagMessage('check', '--fial-on')).toBe(
      'unknown option --fial-on for check: did you mean --fail-on?',
    );
    expect(unknownFlagMessage('check', '--postgres-verison=15')).toContain(
      'did you mean --postgres-version?',
    );
    expect(unknownFlagMessage('check', '--zzzzzzzzzzz')).toContain('see migration-guard check --help');
    expectUsageError(() => parseFlags('check', ['--fial-on', 'warning']), /did you mean --fail-on\?/);
    expectUsageError(() => parseFlags('rules', ['--formt', 'json']), /did you mean --format\?/);
    expect(nearest('chek', ['check', 'rules', 'explain'])).toBe('check');
    expect(nearest('xyz', ['check', 'rules', 'explain'])).toBeNull();
  });

  it('takes only the flags of the command', () => {
    expectUsageError(() => parseFlags('rules', ['--base', 'main']), /unknown option --base for rules/);
    expectUsageError(() => parseFlags('check', ['stray']), /unexpected argument "stray"/);
  });

  it('requires a unit on durations', () => {
    expect(parseDurationOption('500ms', '--x')).toBe(500);
    expect(parseDurationOption('30s', '--x')).toBe(30_000);
    expect(parseDurationOption('2min', '--x')).toBe(120_000);
    expectUsageError(
      () => parseDurationOption('5', '--statement-timeout'),
      /--statement-timeout: .*with a unit/,
    );
    expectUsageError(() => parseDurationOption('5 hours', '--step-timeout'), /with a unit/);
  });

  it('rejects a bare-number duration flag', async () => {
    await expect(parseCheckArgs(['--statement-timeout', '5', '--no-database'])).rejects.toThrow(
      /with a unit/,
    );
    const config = await parseCheckArgs([
      '--statement-timeout',
      '5s',
      '--step-timeout',
      '2min',
      '--no-database',
    ]);
    expect(config.statementTimeoutMs).toBe(5000);
    expect(config.stepTimeoutMs).toBe(120_000);
  });
});

describe('one database choice for flags and inputs', () => {
  it('postgres-version is the same major from the CLI and the action, with the default way to a server', async () => {
    const cli = await parseCheckArgs([
      '--postgres-version',
      '15',
      '--project',
      root,
      '--config-file',
      '/dev/null',
    ]);
    const action = configFromInputs((name) => (name === 'postgres-version' ? '15' : ''), {
      GITHUB_WORKSPACE: root,
    });
    // The CLI: this machine's binaries, a build, else the default image, which follows the major.
    expect(cli.database).toEqual({ kind: 'auto', image: 'postgres:16-alpine', versionedImage: true });
    // The action: a container of the default image, which follows the major.
    expect(action.database).toEqual({ kind: 'container', image: 'postgres:16-alpine', versionedImage: true });
    expect(cli.postgresVersion).toBe(15);
    expect(action.postgresVersion).toBe(15);
  });

  it('names conflicts the way the user wrote them', () => {
    expectUsageError(
      () => databaseFromChoice({ url: 'postgresql://h/db', local: true }, 'flag', 'img'),
      /--database-url and --local-postgres conflict/,
    );
    expectUsageError(
      () => databaseFromChoice({ image: 'pg:1', local: true }, 'input', 'img'),
      /^inputs postgres-image and local-postgres conflict/,
    );
    expectUsageError(
      () => databaseFromChoice({ url: 'mysql://h/db' }, 'flag', 'img'),
      /--database-url must be a postgresql/,
    );
    expect(databaseFromChoice({}, 'flag', 'img')).toEqual({
      database: { kind: 'auto', image: 'img' },
      postgresVersion: null,
    });
    expect(databaseFromChoice({ image: '14' }, 'flag', 'img').database).toEqual({
      kind: 'container',
      image: 'postgres:14-alpine',
    });
  });

  it('postgres-version goes with every way to get a database', () => {
    const withVersion = (choice: Parameters<typeof databaseFromChoice>[0]) =>
      databaseFromChoice({ ...choice, version: '17' }, 'flag', 'postgres:16-alpine');
    expect(withVersion({ local: true })).toEqual({ database: { kind: 'local' }, postgresVersion: 17 });
    expect(withVersion({ url: 'postgresql://u:p@h/db' })).toEqual({
      database: { kind: 'url', url: 'postgresql://u:p@h/db' },
      postgresVersion: 17,
    });
    // An explicit image is used as given (its server's major is checked when it starts).
    expect(withVersion({ image: 'pg:custom' })).toEqual({
      database: { kind: 'container', image: 'pg:custom' },
      postgresVersion: 17,
    });
    expect(withVersion({ none: true })).toEqual({ database: { kind: 'none' }, postgresVersion: 17 });
    expect(withVersion({})).toEqual({
      database: { kind: 'auto', image: 'postgres:16-alpine', versionedImage: true },
      postgresVersion: 17,
    });
    expectUsageError(
      () => databaseFromChoice({ local: true, version: 'latest' }, 'flag', 'img'),
      /--postgres-version must be a major version such as 16 \(got "latest"\)/,
    );
  });

  it('reads MIGRATION_GUARD_PYTHON and MIGRATION_GUARD_POSTGRES_IMAGE when no flag is given', async () => {
    const config = await parseCheckArgs(['--project', root, '--config-file', '/dev/null'], {
      MIGRATION_GUARD_PYTHON: 'uv run python',
      MIGRATION_GUARD_POSTGRES_IMAGE: 'pg:custom',
    });
    expect(config.python).toEqual(['uv', 'run', 'python']);
    expect(config.database).toEqual({ kind: 'auto', image: 'pg:custom' });
  });
});
