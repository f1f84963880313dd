/** The shape of the option table (src/options.ts): commands, help groups, one option. */

export type CommandName = 'check' | 'rules' | 'explain' | 'help';

export interface CommandSpec {
  name: CommandName;
  /** What follows `migration-guard <name>` in the usage line. */
  synopsis: string;
  summary: string;
}

/** Help sections, in the order help shows them. */
export type OptionGroup = 'project' | 'database' | 'policy' | 'output' | 'action';

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
