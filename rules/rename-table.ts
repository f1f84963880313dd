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
    id: 'rename-table',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: 'RENAME of an existing table breaks application instances that still use the old name.',
    help: 'Create the new table (or a view with the old name during the transition), migrate the code, then drop the old name later.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const r = as(stmt.node, 'RenameStmt');
      if (!r || r.renameType !== 'OBJECT_TABLE') return [];
      const table = relationName(r.relation);
      // A table created in this revision is unknown to running code; one dropped later is gone anyway.
      if (!isLiveTable(ctx, table, stmt.seq)) return [];
      return [
        {
          ...findingAt(
            ctx,
            stmt,
            `RENAME of existing table ${q(table)} TO ${q(r.newname ?? '')}: application instances still running the old code fail on every query of ${q(table)} until they are replaced`,
          ),
          // The renamed table, for breaks-deployed-app, which proves the same cause.
          subjects: [table],
        },
      ];
    });
  },
};
