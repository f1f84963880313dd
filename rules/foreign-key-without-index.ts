import { findingAt, type IndexInfo, q, type Rule, type SqlRuleContext } from '../src/lint/api.js';

/** An index serves the foreign key when its leading columns are exactly the key's columns. */
function covers(index: IndexInfo, columns: string[]): boolean {
  if (index.partial || index.columns.length < columns.length) return false;
  const leading = new Set(index.columns.slice(0, columns.length));
  return columns.every((c) => leading.has(c));
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'foreign-key-without-index',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      "A new foreign key's columns have no index by the end of the revision: deletes on the parent scan the child.",
    help: 'Create an index whose leading columns are the foreign key columns (CONCURRENTLY on an existing table).',
  },
  check(ctx) {
    // Many keys share a table and columns (a repeated pattern); each pair is judged once.
    const covered = new Map<string, boolean>();
    const isCovered = (table: string, columns: string[]): boolean => {
      const key = `${table}\u0000${columns.join('\u0000')}`;
      let hit = covered.get(key);
      if (hit === undefined) {
        hit = ctx.schema.indexesAtEnd(table).some((i) => covers(i, columns));
        covered.set(key, hit);
      }
      return hit;
    };
    return ctx.schema.foreignKeys.flatMap((fk) => {
      if (fk.dropped || fk.columns.length === 0) return [];
      if (isCovered(fk.table, fk.columns)) return [];
      const stmt = ctx.statements[fk.seq];
      if (!stmt) return [];
      const cols = fk.columns.join(', ');
      return [
        findingAt(
          ctx,
          stmt,
          `Foreign key ${q(fk.table)} (${cols}) → ${q(fk.refTable)} has no index on (${cols}): every DELETE or key UPDATE on ${q(fk.refTable)} scans ${q(fk.table)}, and joins on the key cannot use an index`,
          `Add op.create_index("ix_${fk.table.replace(/\W/g, '_')}_${fk.columns.join('_')}", "${fk.table}", [${fk.columns.map((c) => `"${c}"`).join(', ')}]) to the revision (postgresql_concurrently=True in an autocommit_block if the table already has rows).`,
        ),
      ];
    });
  },
};
