/** Test helper: lint a list of SQL statements as one revision and keep one rule's findings. */
import type { ExecutedStatement } from '../../../src/report/model.js';
import type { PlacedFinding } from '../../../src/lint/run.js';
import type { SqlLintInput } from '../../../src/lint/sql.js';
import { sqlStatementRules } from '../../../rules/index.js';
import { lintRevisionSql } from '../../../src/lint/sql.js';

export type StatementSpec = string | (Partial<ExecutedStatement> & { sql: string });

export function statements(specs: StatementSpec[]): ExecutedStatement[] {
  return specs.map((s, i) => {
    const spec = typeof s === 'string' ? { sql: s } : s;
    return { line: 10 + i, durationMs: 1, locks: [], inTransaction: true, ...spec };
  });
}

export async function lint(
  specs: StatementSpec[],
  options: Partial<Omit<SqlLintInput, 'statements'>> = {},
): Promise<PlacedFinding[]> {
  return lintRevisionSql(
    {
      revision: 'abc123',
      file: 'migrations/versions/abc123_change.py',
      source: null,
      serverVersionNum: 150014,
      ...options,
      // Opt-in rules are switched on so every rule can be tested through the public entry.
      settings: { 'lock-timeout-missing': 'warning', ...options.settings },
      statements: statements(specs),
    },
    sqlStatementRules,
  );
}

export async function findingsOf(
  rule: string,
  specs: StatementSpec[],
  options: Partial<Omit<SqlLintInput, 'statements'>> = {},
): Promise<PlacedFinding[]> {
  return (await lint(specs, options)).filter((p) => p.finding.rule === rule);
}
