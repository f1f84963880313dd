/**
 * Lock time at production size: what a statement was observed to do on the seeded rows (rows
 * read or bytes of a rewritten/scanned table, in its duration), extrapolated to the production
 * row count and size from --table-stats. The file is JSON `{"<table>": {"rows": N, "bytes": B}}`
 * (schema-qualified names allowed), produced on production or a replica by the query in
 * src/options/table-stats.ts (printed by `check --help` and in the README).
 */
import { readFile } from 'node:fs/promises';
import { usageError } from '../errors.js';
import type { ExecutedStatement } from '../model.js';

export type TableStats = Record<string, { rows?: number; bytes?: number }>;

export async function loadTableStats(file: string): Promise<TableStats> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) throw usageError(`table-stats: cannot read ${file}: fix the path`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(`table-stats: ${file} is not JSON: expected {"<table>": {"rows": N, "bytes": B}}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw usageError(`table-stats: ${file}: expected {"<table>": {"rows": N, "bytes": B}}`);
  const out: TableStats = {};
  for (const [table, value] of Object.entries(parsed as Record<string, unknown>)) {
    const v = value as { rows?: unknown; bytes?: unknown } | null;
    const rows = Number(v?.rows);
    const bytes = Number(v?.bytes);
    if (v === null || typeof v !== 'object' || (!Number.isFinite(rows) && !Number.isFinite(bytes)))
      throw usageError(`table-stats: ${file}: "${table}" needs rows and/or bytes as numbers`);
    out[table] = {
      ...(Number.isFinite(rows) ? { rows } : {}),
      ...(Number.isFinite(bytes) ? { bytes } : {}),
    };
  }
  return out;
}

function statsFor(stats: TableStats, table: string): { rows?: number; bytes?: number } | undefined {
  return stats[table] ?? stats[`public.${table}`] ?? stats[table.replace(/^public\./, '')];
}

/**
 * Adds estimatedLockMs and its basis to every observed statement touching a table in `stats`.
 * `rowsBefore` (the rows each table held when the revision started, counted by the data
 * capture) is the row basis when known: a rewrite or full scan handles every row, while the
 * tuples-read counter can count a row more than once (a rewrite reads it twice).
 */
export function estimateLocks(
  statements: ExecutedStatement[],
  stats: TableStats,
  rowsBefore: Readonly<Record<string, number>> = {},
): void {
  for (const st of statements) {
    const obs = st.observed;
    if (!obs) continue;
    const tables = [...new Set([...obs.rewrote, ...(obs.scanned ?? [])])].filter(
      (t) => obs.bytes[t] !== undefined,
    );
    for (const table of tables) {
      const prod = statsFor(stats, table);
      if (!prod) continue;
      const verb = obs.rewrote.includes(table) ? 'rewrote' : 'scanned';
      const rowsSeen = rowsBefore[table] ?? obs.rowsRead[table] ?? 0;
      const bytesSeen = obs.bytes[table] ?? 0;
      let factor: number | null = null;
      let basis = '';
      if (prod.rows !== undefined && rowsSeen > 0) {
        factor = prod.rows / rowsSeen;
        basis = `${verb} ${table} (${count(rowsSeen)} rows) in ${ms(st.durationMs)}; ${count(prod.rows)} rows ≈ `;
      } else if (prod.bytes !== undefined && bytesSeen > 0) {
        factor = prod.bytes / bytesSeen;
        basis = `${verb} ${table} (${bytesText(bytesSeen)}) in ${ms(st.durationMs)}; ${bytesText(prod.bytes)} ≈ `;
      }
      if (factor === null) continue;
      const rest = Math.max(0, (obs.lockMs[table] ?? st.durationMs) - st.durationMs);
      const estimate = Math.round(st.durationMs * Math.max(factor, 1) + rest);
      (obs.estimatedLockMs ??= {})[table] = estimate;
      (obs.estimateBasis ??= []).push(
        `${basis}${duration(estimate)}${rest > 0 ? ` (+ ${ms(rest)} for the rest of its transaction)` : ''}`,
      );
    }
  }
}

function count(n: number): string {
  if (n >= 1e9) return `${round(n / 1e9)} G`;
  if (n >= 1e6) return `${round(n / 1e6)} M`;
  if (n >= 1e4) return `${round(n / 1e3)} k`;
  return String(Math.round(n));
}

function bytesText(n: number): string {
  if (n >= 2 ** 30) return `${round(n / 2 ** 30)} GB`;
  if (n >= 2 ** 20) return `${round(n / 2 ** 20)} MB`;
  return `${round(n / 1024)} kB`;
}

function ms(n: number): string {
  return `${n < 10 ? Math.round(n * 10) / 10 : Math.round(n)} ms`;
}

export function duration(n: number): string {
  if (n < 1000) return ms(n);
  if (n < 120_000) return `${round(n / 1000)} s`;
  if (n < 7_200_000) return `${round(n / 60_000)} min`;
  return `${round(n / 3_600_000)} h`;
}

function round(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}
