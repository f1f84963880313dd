import { as, findingAt, q, relationName, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'truncate-cascade',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'TRUNCATE … CASCADE on an existing table also empties every table that references it.',
    help: 'Name every table to empty in the TRUNCATE (without CASCADE), or delete the rows you mean in batches.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const truncate = as(stmt.node, 'TruncateStmt');
      if (truncate?.behavior !== 'DROP_CASCADE') return [];
      const tables = (truncate.relations ?? [])
        .map((r) => relationName(as(r, 'RangeVar')))
        .filter((t) => t !== '' && !ctx.isNewTable(t, stmt.seq));
      if (tables.length === 0) return [];
      return [
        findingAt(
          ctx,
          stmt,
          `TRUNCATE … CASCADE on existing table ${tables.map(q).join(', ')} also empties every table with a foreign key to it, and theirs in turn — tables the statement never names — under ACCESS EXCLUSIVE locks`,
        ),
      ];
    });
  },
};
