import type { Rule } from '../src/rules/types.js';
import { as, qualifiedName } from '../src/sql/ast.js';
import type { SqlRevisionContext } from '../src/sql/context.js';
import { findingAt, q } from '../src/sql/rule-helpers.js';

export const rule: Rule<SqlRevisionContext> = {
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
