import {
  as,
  findingAt,
  isLiveTable,
  q,
  relationName,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'require-concurrent-index',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'CREATE INDEX without CONCURRENTLY on an existing table blocks its writes while the index builds.',
    help: 'Create it with postgresql_concurrently=True inside `with op.get_context().autocommit_block():`.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const idx = as(stmt.node, 'IndexStmt');
      if (!idx || idx.concurrent) return [];
      const table = relationName(idx.relation);
      if (!isLiveTable(ctx, table, stmt.seq)) return [];
      const what = idx.idxname ? `index ${q(idx.idxname)}` : 'an index';
      return [
        findingAt(
          ctx,
          stmt,
          `CREATE INDEX builds ${what} on existing table ${q(table)} without CONCURRENTLY: its SHARE lock blocks every INSERT, UPDATE and DELETE on ${q(table)} until the build ends`,
        ),
      ];
    });
  },
};
