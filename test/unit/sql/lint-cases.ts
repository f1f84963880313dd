/** Shape of the rule test tables: [name, statements (line 10, 11, … in order), input options, expected]. */
import type { SqlLintInput } from '../../../src/lint/sql.js';
import type { StatementSpec } from './lint-helper.js';

export type LintCase = [
  name: string,
  specs: StatementSpec[],
  options: Partial<Omit<SqlLintInput, 'statements'>>,
  expected: { lines: (number | null)[]; message: RegExp },
];
