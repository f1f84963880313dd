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
    id: 'rename-column',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: 'RENAME COLUMN on an existing table breaks application instances that still use the old name.',
    help: 'Add the new column, write to both, backfill, switch reads, then drop the old column in a later revision.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const r = as(stmt.node, 'RenameStmt');
      if (!r || r.renameType !== 'OBJECT_COLUMN' || (r.relationType && r.relationType !== 'OBJECT_TABLE'))
        return [];
      const table = relationName(r.relation);
      if (!isLiveTable(ctx, table, stmt.seq)) return [];
      // A column added earlier in this revision is unknown to running code.
      if (r.subname && ctx.isNewColumn(table, r.subname, stmt.seq)) return [];
      return [
        {
          ...findingAt(
            ctx,
            stmt,
            `RENAME COLUMN ${q(r.subname ?? '')} TO ${q(r.newname ?? '')} on existing table ${q(table)}: application instances still running the old code fail on every query that names ${q(r.subname ?? '')} until they are replaced`,
          ),
          // The renamed column, for breaks-deployed-app, which proves the same cause.
          subjects: [`${table}.${r.subname ?? ''}`],
        },
      ];
    });
  },
};
