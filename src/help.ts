/**
 * The CLI help and the README's option tables, both rendered from the option table
 * (options.ts), so what `--help` says, what the README says and what the parser accepts
 * cannot drift apart (test/unit/options/ compares them).
 */
import type { CommandName, OptionSpec } from './options.js';
import { COMMANDS, ENVIRONMENT, GROUP_TITLES, OPTIONS, OUTPUTS, commandSpec, flagsOf } from './options.js';
import { TABLE_STATS_COMMAND, TABLE_STATS_SQL } from './options/table-stats.js';
import type { Style } from './terminal.js';
import { plainStyle, wrapText } from './terminal.js';

export interface HelpOptions {
  /** Columns to wrap at. */
  width: number;
  style: Style;
}

const DEFAULT_HELP: HelpOptions = { width: 100, style: plainStyle };

function flagLabel(o: OptionSpec): string {
  const short = o.short ? `-${o.short}, ` : '';
  return `${short}--${o.flag}${o.value ? ` ${o.value}` : ''}`;
}

/** The description plus "(default: …; env VAR)". */
function flagText(o: OptionSpec, command: CommandName): string {
  const description = o.perCommand?.[command] ?? o.description;
  const extras: string[] = [];
  if (o.cliDefault !== undefined) extras.push(`default: ${o.cliDefault}`);
  if (o.env) extras.push(`env ${o.env}`);
  if (o.multiple) extras.push('repeatable');
  return extras.length > 0 ? `${description} (${extras.join('; ')})` : description;
}

/** Two columns: the label, then the text wrapped under its own column. */
function twoColumns(
  rows: Array<[string, string]>,
  opts: HelpOptions,
  labelStyle: (s: string) => string,
  labelWidth = columnWidth(rows.map(([l]) => l)),
): string[] {
  const indent = 2;
  const textColumn = indent + labelWidth + 2;
  const textWidth = Math.max(30, opts.width - textColumn);
  const out: string[] = [];
  for (const [label, text] of rows) {
    const lines = wrapText(text, textWidth);
    if (label.length > labelWidth) {
      out.push(' '.repeat(indent) + labelStyle(label));
      for (const l of lines) out.push(' '.repeat(textColumn) + l);
      continue;
    }
    lines.forEach((l, i) => {
      const head =
        i === 0 ? labelStyle(label) + ' '.repeat(labelWidth - label.length + 2) : ' '.repeat(labelWidth + 2);
      out.push(' '.repeat(indent) + head + l);
    });
  }
  return out;
}

/** Labels up to 24 columns share one column; longer ones get a line of their own. */
function columnWidth(labels: string[]): number {
  return Math.max(...labels.filter((l) => l.length <= 24).map((l) => l.length), 8);
}

/** `migration-guard help` / `--help`: the commands, then pointers to each command's help. */
export function renderMainHelp(opts: HelpOptions = DEFAULT_HELP): string {
  const s = opts.style;
  const lines = [
    `${s.bold('usage:')} migration-guard <command> [options]`,
    '',
    ...wrapText(
      'Makes Alembic migrations on PostgreSQL safe to merge: round-trips every pending revision (upgrade, downgrade, upgrade), lints the SQL it executed with the locks it took, and checks the revision graph.',
      opts.width,
    ),
    '',
    s.bold('Commands:'),
    ...twoColumns(
      COMMANDS.map((c) => [`${c.name} ${c.synopsis}`, c.summary]),
      opts,
      s.cyan,
    ),
    '',
    s.bold('Options:'),
    ...twoColumns(
      [
        ['-h, --help', 'show this help; migration-guard <command> --help shows the options of a command'],
        ['-V, --version', 'print the version'],
      ],
      opts,
      s.cyan,
    ),
    '',
    ...wrapText(
      'Exit codes: 0 passed, 1 findings at or above fail-on, 2 usage or configuration error, 3 infrastructure failure (no Docker, Python without alembic, database unreachable), 130/143 interrupted.',
      opts.width,
    ),
    '',
    'Run "migration-guard help check" for every option of check.',
  ];
  return `${lines.join('\n')}\n`;
}

/** `migration-guard <command> --help`: usage, then one entry per flag with its default and variable. */
export function renderCommandHelp(command: CommandName, opts: HelpOptions = DEFAULT_HELP): string {
  const s = opts.style;
  const spec = commandSpec(command);
  if (!spec) throw new Error(`no command ${command}`);
  const lines = [
    `${s.bold('usage:')} migration-guard ${spec.name} ${spec.synopsis}`,
    '',
    ...wrapText(spec.summary, opts.width),
  ];
  const flags = flagsOf(command);
  const labelWidth = columnWidth([
    ...flags.map(flagLabel),
    ...(command === 'check' ? ENVIRONMENT.map((e) => e.name) : []),
  ]);
  const groups = [...new Set(flags.map((f) => f.group))];
  for (const group of groups) {
    lines.push('', s.bold(`${GROUP_TITLES[group]}:`));
    lines.push(
      ...twoColumns(
        flags.filter((f) => f.group === group).map((f) => [flagLabel(f), flagText(f, command)]),
        opts,
        s.cyan,
        labelWidth,
      ),
    );
  }
  if (command === 'check') {
    lines.push('', s.bold('Environment:'));
    lines.push(
      ...twoColumns(
        ENVIRONMENT.map((e) => [e.name, e.description]),
        opts,
        s.cyan,
        labelWidth,
      ),
    );
    lines.push(
      '',
      ...wrapText(
        'Without a database option: a local PostgreSQL when its binaries are found, else a container. Exit codes: 0 passed, 1 findings at or above fail-on, 2 usage error, 3 infrastructure failure.',
        opts.width,
      ),
      '',
      s.bold('Production sizes for --table-stats:'),
      ...wrapText(
        'save this query as table-stats.sql and run it on production or a replica (it reads only the catalog):',
        opts.width - 2,
      ).map((l) => `  ${l}`),
      '',
      // Not wrapped: the query and the command are copied as they are.
      ...TABLE_STATS_SQL.split('\n').map((l) => `    ${l}`),
      '',
      `    ${TABLE_STATS_COMMAND}`,
    );
  }
  if (command === 'explain') {
    lines.push('', 'Example: migration-guard explain require-concurrent-index');
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text}\``;
}

/** README: the action inputs (between `<!-- inputs:start -->` and `<!-- inputs:end -->`). */
export function readmeInputsTable(): string {
  const rows = OPTIONS.filter((o) => o.input !== null).map((o) => {
    const def = o.inputDefaultText ?? (o.inputDefault ? code(o.inputDefault) : '—');
    const flag = o.flag ? code(`--${o.flag}`) : '—';
    return `| ${code(o.input as string)} | ${cell(def)} | ${flag} | ${cell(o.description)} |`;
  });
  return ['| input | default | CLI flag | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** README: the action outputs. */
export function readmeOutputsTable(): string {
  return [
    '| output | meaning |',
    '| --- | --- |',
    ...OUTPUTS.map((o) => `| ${code(o.name)} | ${cell(o.description)} |`),
  ].join('\n');
}

/** README: every CLI flag of every command. */
export function readmeFlagsTable(): string {
  const rows = OPTIONS.filter((o) => o.flag !== null).map((o) => {
    const label = `${o.short ? `${code(`-${o.short}`)}, ` : ''}${code(`--${o.flag}${o.value ? ` ${o.value}` : ''}`)}`;
    const def = o.cliDefault !== undefined ? code(o.cliDefault) : '—';
    const env = o.env ? code(o.env) : '—';
    const extra = Object.entries(o.perCommand ?? {}).map(([c, d]) => `; ${c}: ${d}`);
    return `| ${cell(label)} | ${o.commands.join(', ')} | ${cell(def)} | ${env} | ${cell(o.description + extra.join(''))} |`;
  });
  return [
    '| flag | commands | default | variable | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** README: the environment variables. */
export function readmeEnvironmentTable(): string {
  return [
    '| variable | meaning |',
    '| --- | --- |',
    ...ENVIRONMENT.map((e) => `| ${code(e.name)} | ${cell(e.description)} |`),
  ].join('\n');
}

/** README: the --table-stats query and the psql command that writes the file. */
export function readmeTableStatsQuery(): string {
  return ['```sql', TABLE_STATS_SQL, '```', '', '```sh', TABLE_STATS_COMMAND, '```'].join('\n');
}

/** The generated README blocks by marker name. */
export const README_BLOCKS: Record<string, () => string> = {
  inputs: readmeInputsTable,
  outputs: readmeOutputsTable,
  'cli-flags': readmeFlagsTable,
  environment: readmeEnvironmentTable,
  'table-stats-query': readmeTableStatsQuery,
};
