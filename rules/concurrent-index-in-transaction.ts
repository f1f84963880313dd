import { type AnalyzedStatement, as, findingAt, type Rule, type SqlRuleContext } from '../src/lint/api.js';

/** `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY` or `REINDEX … CONCURRENTLY`, else null. */
function concurrentOperation(stmt: AnalyzedStatement): string | null {
  if (as(stmt.node, 'IndexStmt')?.concurrent) return 'CREATE INDEX CONCURRENTLY';
  const drop = as(stmt.node, 'DropStmt');
  if (drop?.concurrent && drop.removeType === 'OBJECT_INDEX') return 'DROP INDEX CONCURRENTLY';
  const reindex = as(stmt.node, 'ReindexStmt');
  if (reindex?.params?.some((p) => as(p, 'DefElem')?.defname === 'concurrently'))
    return 'REINDEX CONCURRENTLY';
  return null;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'concurrent-index-in-transaction',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'A CONCURRENTLY index operation ran inside a transaction block, where PostgreSQL refuses it.',
    help: 'Wrap the op call in `with op.get_context().autocommit_block():` so it runs outside the migration transaction.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const op = concurrentOperation(stmt);
      if (!op) return [];
      const refused = /cannot run inside a transaction block/i.test(stmt.error ?? '');
      if (!stmt.inTransaction && !refused) return [];
      return [
        findingAt(
          ctx,
          stmt,
          `${op} ran inside the migration's transaction block: PostgreSQL rejects it ("cannot run inside a transaction block"), so the upgrade fails`,
        ),
      ];
    });
  },
};
