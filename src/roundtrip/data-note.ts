/** The data-migration note of a revision's report (issue #14 item 9). */
import type { RevisionRoundTrip } from './types.js';

/** SQL that changes rows (alembic's own bookkeeping aside). */
const DATA_CHANGE = /^\s*(?:WITH\b[\s\S]*?\)\s*)?(INSERT|UPDATE|DELETE|COPY|MERGE)\b/i;

/**
 * issue #14 item 9: a round trip on the tables as they were proves nothing about the rows a data
 * migration touches. Said wherever upgrade() or downgrade() changes rows (executed INSERT,
 * UPDATE, DELETE, COPY, MERGE) or reads them to decide (`op.get_bind()`), worded by what the
 * tables held before this revision: empty, or the rows the seed put there (rt.data.rows).
 */
export function dataNoteOf(rt: RevisionRoundTrip | undefined, source: string | null): { dataNote?: string } {
  if (!rt || rt.steps.length === 0) return {};
  const kinds = new Set<string>();
  for (const step of rt.steps) {
    if (step.phase === 'reupgrade') continue;
    for (const s of step.statements) {
      const m = s.bookkeeping ? null : DATA_CHANGE.exec(s.sql);
      if (m?.[1]) kinds.add(`${m[1].toUpperCase()} (${step.phase})`);
    }
  }
  if (source !== null && /\.get_bind\s*\(/.test(source)) kinds.add('op.get_bind() queries');
  if (kinds.size === 0) return {};
  const seeded = Object.entries(rt.data?.rows ?? {}).filter(([, rows]) => rows > 0);
  const tables =
    seeded.length > 0
      ? `with only the synthetic rows the seed put there (${seeded.map(([t, n]) => `${t}: ${n}`).join(', ')}), not production data`
      : 'which were empty (no seeded rows)';
  return {
    dataNote: `changes rows (${[...kinds].join(', ')}): the round trip ran on the tables as they were before this revision, ${tables}, so the data branch was not exercised on real rows`,
  };
}
