import {
  as,
  type ColumnType,
  columnTypeOf,
  existingTableAlters,
  findingAt,
  formatColumnType,
  q,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

/** Types whose length/precision limit can grow without a rewrite (PostgreSQL ≥ 9.2). */
const LIMIT_WIDENS_IN_PLACE = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'interval']);

/** True when PostgreSQL changes only the catalog: no table rewrite, no index rebuild. */
export function isSafeTypeChange(from: ColumnType, to: ColumnType): boolean {
  if (from.array !== to.array) return false;
  if (from.name === to.name) {
    if (from.mods.join(',') === to.mods.join(',')) return true;
    if (to.mods.length === 0) return LIMIT_WIDENS_IN_PLACE.has(from.name) || from.name === 'numeric';
    if (from.mods.length === 0) return false;
    if (from.name === 'numeric') {
      // numeric(p,s) → numeric(p2,s) with p2 ≥ p keeps every stored value as it is.
      return (to.mods[0] ?? 0) >= (from.mods[0] ?? 0) && (to.mods[1] ?? 0) === (from.mods[1] ?? 0);
    }
    return LIMIT_WIDENS_IN_PLACE.has(from.name) && (to.mods[0] ?? 0) >= (from.mods[0] ?? 0);
  }
  if (from.name === 'varchar' && to.name === 'text') return true;
  if (from.name === 'text' && to.name === 'varchar' && to.mods.length === 0) return true;
  if (from.name === 'cidr' && to.name === 'inet') return true;
  return false;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'column-type-change',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ALTER COLUMN … TYPE on an existing table rewrites it under an ACCESS EXCLUSIVE lock (except safe widenings).',
    help: 'Add a new column with the new type, backfill it in batches, switch the application, then drop the old column.',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second one.
    explains: ['upgrade-fails-with-data'],
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        if (cmd.subtype !== 'AT_AlterColumnType' || !cmd.name) continue;
        const def = as(cmd.def, 'ColumnDef');
        const to = columnTypeOf(def?.typeName);
        const from = ctx.schema.columnTypeBefore(table, cmd.name, stmt.seq);
        const using = def?.raw_default !== undefined;
        if (from && to && !using && isSafeTypeChange(from, to)) continue;
        const change =
          from && to
            ? `${formatColumnType(from)} → ${formatColumnType(to)}`
            : `to ${to ? formatColumnType(to) : 'a new type'}`;
        const why = using
          ? ' (a USING expression always rewrites)'
          : from
            ? ''
            : ' (the old type is unknown here, so it may be a safe widening: ignore with a reason if so)';
        out.push(
          findingAt(
            ctx,
            stmt,
            `ALTER COLUMN ${q(cmd.name)} TYPE on existing table ${q(table)} (${change}) rewrites the table and rebuilds its indexes while holding an ACCESS EXCLUSIVE lock${why}`,
          ),
        );
      }
    }
    return out;
  },
};
