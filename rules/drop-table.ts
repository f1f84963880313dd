import { as, findingAt, q, qualifiedName, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'drop-table',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: 'DROP TABLE of an existing table: data loss, and errors in application code that still uses it.',
    help: 'Stop using the table in a deploy first; drop it in a later revision once nothing reads it (and after a backup).',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const drop = as(stmt.node, 'DropStmt');
      if (!drop || drop.removeType !== 'OBJECT_TABLE') return [];
      return (drop.objects ?? []).flatMap((obj) => {
        const table = qualifiedName(as(obj, 'List')?.items);
        if (!table || ctx.isNewTable(table, stmt.seq)) return [];
        return [
          findingAt(
            ctx,
            stmt,
            `DROP TABLE ${q(table)} deletes an existing table and its data; running application instances that still query it fail, and the downgrade cannot bring the rows back`,
          ),
        ];
      });
    });
  },
};
