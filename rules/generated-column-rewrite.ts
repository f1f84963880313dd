import {
  addedColumn,
  atLeast,
  constraintsOf,
  existingTableAlters,
  findingAt,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
} from '../src/lint/api.js';

const PG18 = 180000;

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'generated-column-rewrite',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD COLUMN … GENERATED ALWAYS AS (…) STORED on an existing table rewrites it under ACCESS EXCLUSIVE.',
    help: 'Add a plain nullable column, fill it in batches and keep it current with a trigger (or, on PostgreSQL 18+, use a VIRTUAL generated column).',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const col = addedColumn(cmd);
        const stored = constraintsOf(col).some(
          (c) => c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v',
        );
        if (col && stored) {
          out.push(
            findingAt(
              ctx,
              stmt,
              `stored generated column ${q(col.colname ?? '')} added to existing table ${q(table)}: PostgreSQL computes it for every row by rewriting the table under ACCESS EXCLUSIVE, blocking reads and writes until done`,
            ),
          );
        }
        // Before 18 every generated column is stored; from 18 it may be virtual (no rewrite).
        if (cmd.subtype === 'AT_SetExpression' && !atLeast(ctx, PG18)) {
          out.push(
            findingAt(
              ctx,
              stmt,
              `SET EXPRESSION on generated column ${q(cmd.name ?? '')} of existing table ${q(table)} recomputes every row by rewriting the table under ACCESS EXCLUSIVE`,
            ),
          );
        }
      }
    }
    return out;
  },
};
