/**
 * Helpers of the observed-table-rewrite / observed-full-scan rules: which statements rewrote or
 * fully read an existing table under a lock that blocks writes, when no static rule already
 * explains that statement.
 */
import type { ExecutedStatement } from '../model.js';
import type { RevisionRoundTrip } from './types.js';

/** Statements a static lock rule already reports (it cites the observation instead). */
const EXPLAINED = [
  /\bALTER\s+(?:COLUMN\s+)?[\w"$.]+\s+(?:SET\s+DATA\s+)?TYPE\b/i, // column-type-change
  /\bSET\s+NOT\s+NULL\b/i, // set-not-null
  /\bADD\s+(?:CONSTRAINT\s+[\w"$]+\s+)?(?:CHECK|FOREIGN\s+KEY|UNIQUE|PRIMARY\s+KEY|EXCLUDE)\b/i,
  /\bREFERENCES\b/i,
  /\bCREATE\s+(?:UNIQUE\s+)?INDEX\b/i, // require-concurrent-index
  /\bADD\s+(?:COLUMN\s+)?[\w"$]+\s+[^,;]*\bDEFAULT\b/i, // volatile-default, not-null-column-without-default
  /\b(?:VACUUM\s+FULL|CLUSTER|REINDEX|SET\s+TABLESPACE|GENERATED\s+ALWAYS)\b/i,
  /\bVALIDATE\s+CONSTRAINT\b/i, // check-constraint-not-valid / foreign-key-not-valid
  /\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?[\w"$]+\s+(?:big|small)?serial[248]?\b/i, // volatile-default
  /\bSET\s+(?:UN)?LOGGED\b/i, // table-rewrite-command
  /^\s*(?:WITH\b[\s\S]*?\b)?(?:UPDATE|INSERT|DELETE|SELECT)\b/i, // data migration: mixed-data-and-schema
];

/**
 * The statement without its quoted bodies: the static rules see a DO block or a string as one
 * opaque value, so what is written inside one (`DO $$ … SET UNLOGGED … $$`) is explained by none.
 */
function outsideQuotes(sql: string): string {
  return sql.replace(/\$([A-Za-z_][A-Za-z_0-9]*)?\$[\s\S]*?\$\1\$/g, "''").replace(/'(?:[^']|'')*'/g, "''");
}

// ACCESS EXCLUSIVE blocks reads and writes, SHARE blocks writes.
const BLOCKING = new Set(['AccessExclusiveLock', 'ShareLock']);

export interface ObservedBlock {
  statement: ExecutedStatement;
  table: string;
  mode: string;
  estimatedLockMs: number | null;
  basis: string | null;
}

/** Existing tables `kind` (rewrote / scanned) under a lock that blocks writes, unexplained. */
export function observedBlocks(revision: RevisionRoundTrip, kind: 'rewrote' | 'scanned'): ObservedBlock[] {
  const out: ObservedBlock[] = [];
  const upgrade = revision.steps.find((s) => s.phase === 'upgrade');
  for (const st of upgrade?.statements ?? []) {
    const obs = st.observed;
    if (!obs || st.bookkeeping) continue;
    const shape = outsideQuotes(st.sql);
    if (EXPLAINED.some((re) => re.test(shape))) continue;
    const tables =
      kind === 'rewrote' ? obs.rewrote : (obs.scanned ?? []).filter((t) => !obs.rewrote.includes(t));
    for (const table of tables) {
      if (obs.bytes[table] === undefined) continue; // an index, not a table
      const mode = st.locks.find((l) => l.relation === table && BLOCKING.has(l.mode))?.mode;
      if (!mode) continue;
      const estimate = obs.estimatedLockMs?.[table] ?? null;
      out.push({
        statement: st,
        table,
        mode,
        estimatedLockMs: estimate,
        basis: obs.estimateBasis?.find((b) => b.includes(` ${table} `)) ?? null,
      });
    }
  }
  return out;
}

/** "observed: rewrote orders (300 rows, 4 ms, lock held 6 ms); estimate …" for a finding. */
export function observationText(st: ExecutedStatement): string | null {
  const obs = st.observed;
  if (!obs) return null;
  const parts: string[] = [];
  for (const t of obs.rewrote.filter((r) => obs.bytes[r] !== undefined)) parts.push(`rewrote ${t}`);
  for (const t of (obs.scanned ?? []).filter((r) => !obs.rewrote.includes(r))) parts.push(`scanned ${t}`);
  if (parts.length === 0) return null;
  const held = Object.values(obs.lockMs);
  const lock = held.length > 0 ? `, locks held ${Math.round(Math.max(...held))} ms` : '';
  const estimate = obs.estimateBasis?.length
    ? `; estimated at production size: ${obs.estimateBasis.join('; ')}`
    : '';
  return `observed on the seeded tables: ${parts.join(', ')} in ${Math.round(st.durationMs)} ms${lock}${estimate}`;
}
