/**
 * The one table of options. The CLI parser (cli.ts), the action-input reader
 * (github/inputs.ts), the CLI help (help.ts), action.yml and the README tables all come from
 * it or are tested against it (test/unit/options/). Add a flag or an input here first.
 *
 * An option may be a CLI flag, an action input, or both (the same setting, sometimes under
 * another name: --project is working-directory). Both readers share the value checks below so
 * a flag and its input accept exactly the same values.
 */
import type { DatabaseSpec } from './config.js';
import {
  DEFAULT_MAX_LOCK_MS,
  DEFAULT_POSTGRES_IMAGE,
  DEFAULT_SEED_ROWS,
  FAIL_ON_VALUES,
  OUTPUT_FORMATS,
  PRESETS,
  parseDurationMs,
} from './config.js';
import { usageError } from './errors.js';

export type CommandName = 'check' | 'rules' | 'explain' | 'help';

export interface CommandSpec {
  name: CommandName;
  /** What follows `migration-guard <name>` in the usage line. */
  synopsis: string;
  summary: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'check',
    synopsis: '[options]',
    summary:
      'round-trip every pending revision on a throwaway PostgreSQL, lint the SQL it ran, check the revision graph',
  },
  { name: 'rules', synopsis: '[--format text|json]', summary: 'list the rule catalog' },
  {
    name: 'explain',
    synopsis: 'RULE',
    summary: "print a rule's doc (why it is dangerous, the safe pattern)",
  },
  { name: 'help', synopsis: '[COMMAND]', summary: 'show this help, or the help of one command' },
];

/** Help sections, in the order help shows them. */
export type OptionGroup = 'project' | 'database' | 'policy' | 'output' | 'action';

export const GROUP_TITLES: Record<OptionGroup, string> = {
  project: 'Project',
  database: 'Database',
  policy: 'Checks and policy',
  output: 'Output',
  action: 'Action only',
};

export interface OptionSpec {
  /** The setting's name: the CLI flag without dashes and/or the action input. */
  name: string;
  /** The CLI flag, without dashes; null when the option is an action input only. */
  flag: string | null;
  /** One-letter alias of the flag. */
  short?: string;
  /** The action input; null when the option is a CLI flag only. */
  input: string | null;
  /** Commands that take the flag. */
  commands: readonly CommandName[];
  type: 'string' | 'boolean';
  /** The flag may be repeated (values accumulate). */
  multiple?: boolean;
  /** Placeholder of the value in help (`--base REF`). */
  value?: string;
  /** The CLI default as help shows it; absent = none. */
  cliDefault?: string;
  /** The exact `default:` of the input in action.yml. */
  inputDefault?: string;
  /** What the action does when the input is empty, as the README shows it. */
  inputDefaultText?: string;
  /** Environment variable the CLI reads when the flag is absent. */
  env?: string;
  group: OptionGroup;
  /** One line: what it does. Help and README print it. */
  description: string;
  /** A different description for some commands (--format of rules). */
  perCommand?: Partial<Record<CommandName, string>>;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'project',
    flag: 'project',
    input: 'working-directory',
    commands: ['check'],
    type: 'string',
    value: 'DIR',
    cliDefault: '.',
    inputDefault: '.',
    group: 'project',
    description: 'project directory; git commands and relative paths start here',
  },
  {
    name: 'config',
    flag: 'config',
    input: 'alembic-config',
    commands: ['check'],
    type: 'string',
    multiple: true,
    value: 'FILE',
    cliDefault: 'discover alembic.ini files',
    inputDefault: '',
    inputDefaultText: 'discover `alembic.ini` files',
    group: 'project',
    description:
      'alembic config file(s) relative to the project: paths or globs (the input: a newline/comma list)',
  },
  {
    name: 'base',
    flag: 'base',
    input: 'base-ref',
    commands: ['check'],
    type: 'string',
    value: 'REF',
    cliDefault: 'none: every revision is pending',
    inputDefault: '',
    inputDefaultText: "the pull request's base SHA",
    group: 'project',
    description: 'git ref the changes are compared with (needs fetch-depth: 0 in the action)',
  },
  {
    name: 'config-file',
    flag: 'config-file',
    input: 'config-file',
    commands: ['check'],
    type: 'string',
    value: 'FILE',
    cliDefault: '<project>/.migration-guard.yml',
    inputDefault: '.migration-guard.yml',
    group: 'project',
    description: 'project settings (rules, ignores, naming); must exist when set explicitly',
  },
  {
    name: 'python',
    flag: 'python',
    input: 'python',
    commands: ['check'],
    type: 'string',
    value: 'CMD',
    cliDefault: 'python',
    inputDefault: 'python',
    env: 'MIGRATION_GUARD_PYTHON',
    group: 'project',
    description: 'the Python that imports your migrations, e.g. "uv run python", "poetry run python"',
  },
  {
    name: 'all',
    flag: 'all',
    input: 'all',
    commands: ['check'],
    type: 'boolean',
    cliDefault: 'false',
    inputDefault: 'false',
    group: 'project',
    description: 'check every revision, not only the pending ones (an audit of the whole history)',
  },
  {
    name: 'only-changed',
    flag: 'only-changed',
    input: 'only-changed',
    commands: ['check'],
    type: 'boolean',
    cliDefault: 'false',
    inputDefault: 'true',
    group: 'project',
    description: 'skip projects whose revision files and env.py did not change since the base (monorepos)',
  },
  {
    name: 'concurrency',
    flag: 'concurrency',
    input: 'concurrency',
    commands: ['check'],
    type: 'string',
    value: 'N',
    cliDefault: 'the number of CPUs',
    inputDefault: '',
    inputDefaultText: 'the number of CPUs',
    group: 'project',
    description: 'how many projects are checked at the same time (each on its own fresh database)',
  },
  {
    name: 'database-url',
    flag: 'database-url',
    input: 'database-url',
    commands: ['check'],
    type: 'string',
    value: 'URL',
    inputDefault: '',
    group: 'database',
    description:
      'a PostgreSQL server to use: a fresh database is created there and dropped afterwards; the password is masked',
  },
  {
    name: 'postgres-image',
    flag: 'postgres-image',
    input: 'postgres-image',
    commands: ['check'],
    type: 'string',
    value: 'IMAGE',
    cliDefault: DEFAULT_POSTGRES_IMAGE,
    inputDefault: '',
    inputDefaultText: `\`${DEFAULT_POSTGRES_IMAGE}\``,
    env: 'MIGRATION_GUARD_POSTGRES_IMAGE',
    group: 'database',
    description: 'image of the throwaway server (Testcontainers); the variable sets the fallback image',
  },
  {
    name: 'postgres-version',
    flag: 'postgres-version',
    input: 'postgres-version',
    commands: ['check'],
    type: 'string',
    value: 'N',
    inputDefault: '',
    group: 'database',
    description: 'shortcut for the image postgres:<N>-alpine; also the version version-aware rules assume',
  },
  {
    name: 'local-postgres',
    flag: 'local-postgres',
    input: null,
    commands: ['check'],
    type: 'boolean',
    group: 'database',
    description: 'initdb + pg_ctl a throwaway server in a temporary directory (needs PostgreSQL binaries)',
  },
  {
    name: 'no-database',
    flag: 'no-database',
    input: null,
    commands: ['check'],
    type: 'boolean',
    group: 'database',
    description: 'static checks only (revision graph and file rules): no database, no round trip',
  },
  {
    name: 'database-url-env',
    flag: 'database-url-env',
    input: 'database-url-env',
    commands: ['check'],
    type: 'string',
    value: 'NAME',
    cliDefault: 'DATABASE_URL',
    inputDefault: 'DATABASE_URL',
    group: 'database',
    description: 'environment variable your env.py reads the database URL from',
  },
  {
    name: 'migration-role',
    flag: 'migration-role',
    input: 'migration-role',
    commands: ['check'],
    type: 'string',
    value: 'ROLE',
    cliDefault: 'restricted',
    inputDefault: 'restricted',
    group: 'database',
    description:
      'who the migrations connect as: restricted (a fresh role owning only the throwaway database) or superuser (the admin user; the report warns)',
  },
  {
    name: 'statement-timeout',
    flag: 'statement-timeout',
    input: null,
    commands: ['check'],
    type: 'string',
    value: 'DURATION',
    cliDefault: '60s',
    group: 'database',
    description: 'longest one statement may run (with a unit: 500ms, 30s, 2min)',
  },
  {
    name: 'step-timeout',
    flag: 'step-timeout',
    input: null,
    commands: ['check'],
    type: 'string',
    value: 'DURATION',
    cliDefault: '5min',
    group: 'database',
    description: 'longest one upgrade or downgrade may run (with a unit: 30s, 5min)',
  },
  {
    name: 'seed-rows',
    flag: 'seed-rows',
    input: 'seed-rows',
    commands: ['check'],
    type: 'string',
    value: 'N',
    cliDefault: String(DEFAULT_SEED_ROWS),
    inputDefault: String(DEFAULT_SEED_ROWS),
    group: 'database',
    description:
      'synthetic rows per table the round trip runs on (catalog-driven, adversarial within constraints); 0 turns seeding off',
  },
  {
    name: 'seed-random',
    flag: 'seed-random',
    input: 'seed-random',
    commands: ['check'],
    type: 'string',
    value: 'N',
    cliDefault: '1',
    inputDefault: '1',
    group: 'database',
    description: 'seed of the synthetic rows; the same seed gives the same rows, so a failure reproduces',
  },
  {
    name: 'seed-sql',
    flag: 'seed-sql',
    input: 'seed-sql',
    commands: ['check'],
    type: 'string',
    value: 'FILE',
    inputDefault: '',
    group: 'database',
    description:
      'SQL file run after the synthetic rows (or instead, with seed-rows 0), e.g. an anonymised sample',
  },
  {
    name: 'table-stats',
    flag: 'table-stats',
    input: 'table-stats',
    commands: ['check'],
    type: 'string',
    value: 'FILE',
    inputDefault: '',
    group: 'policy',
    description:
      'JSON {"<table>": {"rows": N, "bytes": B}} of production sizes: observed rewrites and scans get an estimated lock time',
  },
  {
    name: 'max-lock-ms',
    flag: 'max-lock-ms',
    input: 'max-lock-ms',
    commands: ['check'],
    type: 'string',
    value: 'MS',
    cliDefault: `${DEFAULT_MAX_LOCK_MS} (or max-lock-ms of .migration-guard.yml)`,
    inputDefault: '',
    inputDefaultText: `max-lock-ms of \`.migration-guard.yml\`, else \`${DEFAULT_MAX_LOCK_MS}\``,
    group: 'policy',
    description:
      'an observed rewrite or scan whose estimated lock time (with table-stats) exceeds this is an error, not a warning',
  },
  {
    name: 'fail-on',
    flag: 'fail-on',
    input: 'fail-on',
    commands: ['check'],
    type: 'string',
    value: 'LEVEL',
    cliDefault: 'fail-on of .migration-guard.yml, else error',
    inputDefault: '',
    inputDefaultText: '`fail-on` of `.migration-guard.yml`, else `error`',
    group: 'policy',
    description: `lowest severity that fails the check (exit 1): ${FAIL_ON_VALUES.join(', ')}`,
  },
  {
    name: 'preset',
    flag: 'preset',
    input: 'preset',
    commands: ['check'],
    type: 'string',
    value: 'NAME',
    cliDefault: 'preset of .migration-guard.yml, else recommended',
    inputDefault: '',
    inputDefaultText: '`preset` of `.migration-guard.yml`, else `recommended`',
    group: 'policy',
    description: `rule settings your own rules: are laid over: ${PRESETS.join(', ')} (strict also turns on the style and timeout rules)`,
  },
  {
    name: 'format',
    flag: 'format',
    input: null,
    commands: ['check', 'rules'],
    type: 'string',
    value: 'FORMAT',
    cliDefault: 'text',
    group: 'output',
    description: `report format: ${OUTPUT_FORMATS.join(', ')}`,
    perCommand: { rules: 'catalog format: text or json (id, kind, default severity, summary, docs URL)' },
  },
  {
    name: 'output',
    flag: 'output',
    input: null,
    commands: ['check'],
    type: 'string',
    value: 'FILE',
    group: 'output',
    description: 'write the report to FILE (stdout then gets the text report)',
  },
  {
    name: 'verbose',
    flag: 'verbose',
    input: null,
    commands: ['check'],
    type: 'boolean',
    group: 'output',
    description: 'text report: every executed statement with its locks',
  },
  {
    name: 'quiet',
    flag: 'quiet',
    input: null,
    commands: ['check'],
    type: 'boolean',
    group: 'output',
    description: 'no progress on stderr (warnings and errors only)',
  },
  {
    name: 'debug',
    flag: 'debug',
    input: null,
    commands: ['check', 'rules', 'explain'],
    type: 'boolean',
    group: 'output',
    description: 'debug logging, and the stack trace of an internal error',
  },
  {
    name: 'help',
    flag: 'help',
    short: 'h',
    input: null,
    commands: ['check', 'rules', 'explain', 'help'],
    type: 'boolean',
    group: 'output',
    description: 'show the help of the command',
  },
  {
    name: 'mode',
    flag: null,
    input: 'mode',
    commands: [],
    type: 'string',
    inputDefault: 'check',
    group: 'action',
    description:
      '`check` runs the checks; `discover` outputs the matrix of changed projects; `comment` posts (and merges) `report-file` reports',
  },
  {
    name: 'comment',
    flag: null,
    input: 'comment',
    commands: [],
    type: 'string',
    inputDefault: 'always',
    group: 'action',
    description:
      'when to post the sticky PR comment: `always`, `on-failure` or `never` (no comment while no migration is touched)',
  },
  {
    name: 'github-token',
    flag: null,
    input: 'github-token',
    commands: [],
    type: 'string',
    inputDefault: '${{ github.token }}',
    group: 'action',
    description: 'token for the PR comment (needs `pull-requests: write`)',
  },
  {
    name: 'report-file',
    flag: null,
    input: 'report-file',
    commands: [],
    type: 'string',
    inputDefault: '',
    inputDefaultText: '`$RUNNER_TEMP/migration-guard-report.json`',
    group: 'action',
    description:
      'check: where the JSON report goes; comment: the report(s) to post (a file, directory or glob)',
  },
  {
    name: 'expected-projects',
    flag: null,
    input: 'expected-projects',
    commands: [],
    type: 'string',
    inputDefault: '',
    group: 'action',
    description:
      "comment: the discover job's matrix; a project without a report is named in the comment and fails the step",
  },
  {
    name: 'sarif-file',
    flag: null,
    input: 'sarif-file',
    commands: [],
    type: 'string',
    inputDefault: '',
    group: 'action',
    description: 'also write SARIF 2.1.0 here (for `github/codeql-action/upload-sarif`)',
  },
  {
    name: 'allow-untrusted',
    flag: null,
    input: 'allow-untrusted',
    commands: [],
    type: 'boolean',
    inputDefault: 'false',
    group: 'action',
    description: 'allow `check` under `pull_request_target` for pull requests from forks',
  },
  {
    name: 'max-annotations',
    flag: null,
    input: 'max-annotations',
    commands: [],
    type: 'string',
    inputDefault: '10',
    group: 'action',
    description:
      'annotations per level (errors, warnings); the rest are summarised in one annotation (GitHub shows 10 per step)',
  },
];

/** Environment variables the tool reads. */
export interface EnvSpec {
  name: string;
  description: string;
}

export const ENVIRONMENT: readonly EnvSpec[] = [
  { name: 'MIGRATION_GUARD_PYTHON', description: 'the Python command when --python is not given' },
  {
    name: 'MIGRATION_GUARD_POSTGRES_IMAGE',
    description: 'image used when no database option is given and no local PostgreSQL is found',
  },
  {
    name: 'MIGRATION_GUARD_PG_TMPDIR',
    description: 'where local clusters live (default /dev/shm when it has 1 GiB free, else the temp dir)',
  },
  { name: 'NO_COLOR', description: 'no colour, even on a terminal' },
  { name: 'FORCE_COLOR', description: 'colour even when stderr/stdout is not a terminal (0 turns it off)' },
  { name: 'CI', description: 'plain progress lines instead of a live status line' },
  { name: 'DOCKER_HOST', description: 'the Docker daemon Testcontainers uses' },
];

export interface OutputSpec {
  name: string;
  description: string;
}

/** The action's outputs (action.yml `outputs:`). */
export const OUTPUTS: readonly OutputSpec[] = [
  { name: 'passed', description: '`true` when no finding reaches `fail-on`, else `false`' },
  { name: 'errors', description: 'number of error findings (ignored ones not counted)' },
  { name: 'warnings', description: 'number of warning findings (ignored ones not counted)' },
  {
    name: 'report-path',
    description:
      'the JSON report (upload it as an artifact for `mode: comment`); in mode comment with several reports, the merged one',
  },
  { name: 'comment-url', description: "the PR comment's URL when one was created or updated, else empty" },
  {
    name: 'matrix',
    description: 'mode discover: JSON for `strategy.matrix`, `{"include":[{"project":"…","name":"…"}]}`',
  },
  {
    name: 'count',
    description: 'mode discover: how many projects the matrix holds (skip the check jobs when `0`)',
  },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The flags of one command, in table order. */
export function flagsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.flag !== null && o.commands.includes(command));
}

export function inputOptions(): OptionSpec[] {
  return OPTIONS.filter((o) => o.input !== null);
}

/** The option behind an action input (throws on a typo in the code, not in user input). */
export function inputSpec(input: string): OptionSpec {
  const spec = OPTIONS.find((o) => o.input === input);
  if (!spec) throw new Error(`no action input "${input}" in src/options.ts`);
  return spec;
}

/** node:util parseArgs options for one command. */
export function parseArgsOptions(
  command: CommandName,
): Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> {
  const out: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const o of flagsOf(command)) {
    out[o.flag as string] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  return out;
}

/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The nearest candidate when it is close enough to be a typo, else null. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const tolerance = Math.max(2, Math.floor(word.length / 3));
  if (best !== null && bestDistance <= tolerance) return best;
  // A prefix ("--fail") is a typo too.
  return candidates.find((c) => word.length >= 3 && c.startsWith(word)) ?? null;
}

/** "--fial-on" → `unknown option --fial-on: did you mean --fail-on?` */
export function unknownFlagMessage(command: CommandName, given: string): string {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  const flags = flagsOf(command).map((o) => o.flag as string);
  const guess = nearest(name, flags);
  const hint = guess ? `did you mean --${guess}?` : `see migration-guard ${command} --help`;
  return `unknown option ${given.split('=')[0]} for ${command}: ${hint}`;
}

/** A duration flag or input: a number with a unit (500ms, 30s, 2min); a bare number is ambiguous. */
export function parseDurationOption(value: string, where: string): number {
  const ms = /^\s*\d+(\.\d+)?\s*(ms|s|min|m)\s*$/.test(value) ? parseDurationMs(value) : null;
  if (ms === null) {
    throw usageError(`${where}: expected a duration with a unit such as 500ms, 30s or 2min (got "${value}")`);
  }
  return ms;
}

export function parseConcurrency(value: string, where: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1) {
    throw usageError(`${where} must be a whole number ≥ 1 (got "${value}")`);
  }
  return n;
}

export function parseMaxAnnotations(value: string, where: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 0) {
    throw usageError(`${where} must be a whole number ≥ 0 (got "${value}")`);
  }
  return n;
}

/** The database options as given, by flag or by input (absent = undefined or ''). */
export interface DatabaseChoice {
  url?: string;
  image?: string;
  version?: string;
  local?: boolean;
  none?: boolean;
}

/**
 * One way to get a database, shared by the CLI and the action: a postgres-version N means the
 * image postgres:N-alpine AND the version the rules assume, wherever it is given.
 * `style` names things as the user wrote them (--flag or "input").
 */
export function databaseFromChoice(
  choice: DatabaseChoice,
  style: 'flag' | 'input',
  autoImage: string,
): { database: DatabaseSpec; postgresVersion: number | null } {
  const name = (n: string) => (style === 'flag' ? `--${n}` : n);
  const given = [
    choice.url ? 'database-url' : null,
    choice.image ? 'postgres-image' : null,
    choice.version ? 'postgres-version' : null,
    choice.local ? 'local-postgres' : null,
    choice.none ? 'no-database' : null,
  ].filter((g): g is string => g !== null);
  if (given.length > 1) {
    throw usageError(
      `${style === 'input' ? 'inputs ' : ''}${given.map(name).join(' and ')} conflict: choose one way to get a database`,
    );
  }
  if (choice.url) {
    if (!/^postgres(ql)?(\+[a-z0-9]+)?:\/\//i.test(choice.url)) {
      throw usageError(`${name('database-url')} must be a postgresql:// URL of a server the job can reach`);
    }
    return { database: { kind: 'url', url: choice.url }, postgresVersion: null };
  }
  if (choice.version) {
    const m = /^(\d+)(\.\d+)?$/.exec(choice.version.trim());
    if (!m) {
      throw usageError(
        `${name('postgres-version')} must be a major version such as 16 (got "${choice.version}")`,
      );
    }
    return {
      database: { kind: 'container', image: `postgres:${choice.version.trim()}-alpine` },
      postgresVersion: Number(m[1]),
    };
  }
  if (choice.image) {
    const image = choice.image.trim();
    const bare = /^\d+(\.\d+)?$/.test(image) ? `postgres:${image}-alpine` : image;
    return { database: { kind: 'container', image: bare }, postgresVersion: null };
  }
  if (choice.local) return { database: { kind: 'local' }, postgresVersion: null };
  if (choice.none) return { database: { kind: 'none' }, postgresVersion: null };
  return { database: { kind: 'auto', image: autoImage }, postgresVersion: null };
}
