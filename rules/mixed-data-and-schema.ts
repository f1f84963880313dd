import {
  alterTableOf,
  type AnalyzedStatement,
  as,
  dataChangeTarget,
  findingAt,
  isLiveTable,
  q,
  relationName,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

/** The existing table a schema change (ALTER/CREATE INDEX/DROP/RENAME) touches, if any. */
function schemaChangeOnExisting(ctx: SqlRuleContext, stmt: AnalyzedStatement): string | null {
  const alter = alterTableOf(stmt);
  let table: string | null = alter?.table ?? null;
  table ??= as(stmt.node, 'IndexStmt') ? relationName(as(stmt.node, 'IndexStmt')?.relation) : null;
  table ??= as(stmt.node, 'RenameStmt')?.relation
    ? relationName(as(stmt.node, 'RenameStmt')?.relation)
    : null;
  if (!table) return null;
  return isLiveTable(ctx, table, stmt.seq) ? table : null;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'mixed-data-and-schema',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: 'One revision both changes data in existing tables and alters the schema of existing tables.',
    help: 'Move the data change (backfill) into its own revision, in batches, so schema locks are not held while rows are written.',
  },
  check(ctx) {
    const first = ctx.dataChanges[0];
    if (!first) return [];
    const schemaTables = new Set<string>();
    for (const stmt of ctx.statements) {
      const t = schemaChangeOnExisting(ctx, stmt);
      if (t) schemaTables.add(t);
    }
    if (schemaTables.size === 0) return [];
    const dataTables = [...new Set(ctx.dataChanges.map((s) => dataChangeTarget(s.node) ?? ''))];
    return [
      findingAt(
        ctx,
        first,
        `Revision changes rows of existing table${dataTables.length > 1 ? 's' : ''} ${dataTables.map(q).join(', ')} (${ctx.dataChanges.length} statement${ctx.dataChanges.length > 1 ? 's' : ''}) and alters the schema of ${[...schemaTables].map(q).join(', ')}: in one transaction the schema locks stay held while every row is written, and a failed backfill rolls back the schema change too`,
      ),
    ];
  },
};
