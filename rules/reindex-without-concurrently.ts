import {
  as,
  atLeast,
  findingAt,
  isExistingRelation,
  q,
  relationName,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

const PG12 = 120000;

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'reindex-without-concurrently',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'REINDEX without CONCURRENTLY on an existing table or index blocks writes (and reads using the index).',
    help: 'Use REINDEX … CONCURRENTLY (PostgreSQL 12+) inside `with op.get_context().autocommit_block():`.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const reindex = as(stmt.node, 'ReindexStmt');
      if (!reindex) return [];
      if ((reindex.params ?? []).some((p) => as(p, 'DefElem')?.defname === 'concurrently')) return [];
      const kind = reindex.kind ?? '';
      let what: string;
      if (kind === 'REINDEX_OBJECT_TABLE' || kind === 'REINDEX_OBJECT_INDEX') {
        const name = relationName(reindex.relation);
        if (!isExistingRelation(ctx, name, stmt.seq)) return [];
        what = `${kind === 'REINDEX_OBJECT_TABLE' ? 'the indexes of existing table' : 'existing index'} ${q(name)}`;
      } else {
        what = `every index of the ${kind.replace('REINDEX_OBJECT_', '').toLowerCase()}`;
      }
      const help = atLeast(ctx, PG12)
        ? undefined
        : 'This server is older than PostgreSQL 12 (no REINDEX CONCURRENTLY): build a copy with CREATE INDEX CONCURRENTLY, drop the old index concurrently and rename the copy.';
      return [
        findingAt(
          ctx,
          stmt,
          `REINDEX rebuilds ${what} without CONCURRENTLY: writes to the table wait for the whole rebuild, and so do queries that use the index`,
          help,
        ),
      ];
    });
  },
};
