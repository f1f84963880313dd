/**
 * The one table of options. The CLI parser (cli.ts), the action-input reader
 * (github/inputs.ts), the CLI help (help.ts), action.yml and the README tables all come from
 * it or are tested against it (test/unit/options/). Add a flag or an input to the table first:
 * src/options/setup.ts (project, database) or src/options/policy.ts (checks, output, action).
 *
 * An option may be a CLI flag, an action input, or both (the same setting, sometimes under
 * another name: --project is working-directory). Both readers share the value checks of src/options/values.ts so
 * a flag and its input accept exactly the same values.
 */
import { POLICY_OPTIONS } from './options/policy.js';
import { SETUP_OPTIONS } from './options/setup.js';
import type { CommandName, CommandSpec, OptionGroup, OptionSpec } from './options/spec.js';
import { nearest } from './options/values.js';

export type { CommandName, CommandSpec, OptionGroup, OptionSpec } from './options/spec.js';
export {
  databaseFromChoice,
  editDistance,
  nearest,
  parseConcurrency,
  parseDurationOption,
  parseMaxAnnotations,
  type DatabaseChoice,
} from './options/values.js';

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

export const GROUP_TITLES: Record<OptionGroup, string> = {
  project: 'Project',
  database: 'Database',
  policy: 'Checks and policy',
  output: 'Output',
  action: 'Action only',
};

/** Every option, in the order help and the README list them. */
export const OPTIONS: readonly OptionSpec[] = [...SETUP_OPTIONS, ...POLICY_OPTIONS];

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
  {
    name: 'MIGRATION_GUARD_CACHE_DIR',
    description:
      'where fetched PostgreSQL builds are kept, under postgres/ (default ~/.cache/migration-guard; as root /var/cache/migration-guard)',
  },
  {
    name: 'MIGRATION_GUARD_SANDBOX',
    description:
      "the sandbox of the migrations' Python: none, namespaces, sudo or user-namespace (default: the first that works)",
  },
  {
    name: 'MIGRATION_GUARD_SANDBOX_SHARE',
    description: 'a directory the sandboxed Python may write (tests that watch the migrations)',
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

/** "--fial-on" → `unknown option --fial-on: did you mean --fail-on?` */
export function unknownFlagMessage(command: CommandName, given: string): string {
  const name = given.replace(/^-+/, '').split('=')[0] ?? '';
  const flags = flagsOf(command).map((o) => o.flag as string);
  const guess = nearest(name, flags);
  const hint = guess ? `did you mean --${guess}?` : `see migration-guard ${command} --help`;
  return `unknown option ${given.split('=')[0]} for ${command}: ${hint}`;
}
