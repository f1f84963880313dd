import {
  accessExclusiveTakenBy,
  as,
  findingAt,
  isLiveTable,
  q,
  qualifiedName,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'require-concurrent-index-drop',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the indexed table.',
    help: 'Drop it with postgresql_concurrently=True inside `with op.get_context().autocommit_block():`.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const drop = as(stmt.node, 'DropStmt');
      if (!drop || drop.removeType !== 'OBJECT_INDEX' || drop.concurrent) return [];
      return (drop.objects ?? []).flatMap((obj) => {
        const name = qualifiedName(as(obj, 'List')?.items);
        // An index this revision created (or one on a table it created) is not in use yet.
        if (!name || ctx.schema.isNewIndex(name, stmt.seq)) return [];
        // On a table the revision drops later, CONCURRENTLY is pointless: DROP TABLE takes the same lock.
        // The table comes from the snapshot's index names, else from the locks the statement took.
        const tables = [
          ctx.schema.tableOfDroppedIndex(name, stmt.seq) ??
            accessExclusiveTakenBy(ctx, stmt).filter((r) => r !== name),
        ].flat();
        if (tables.length > 0 && tables.every((t) => !isLiveTable(ctx, t, stmt.seq))) return [];
        return [
          findingAt(
            ctx,
            stmt,
            `DROP INDEX ${q(name)} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table: every read and write of that table waits, and queues behind any long query already running`,
          ),
        ];
      });
    });
  },
};
