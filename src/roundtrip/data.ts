/**
 * The data side of the round trip on a populated database: what the rows of every table were
 * before a revision's upgrade, and whether its downgrade gave them back.
 *
 * Everything runs on the server, set-based: before the upgrade each table's rows are copied as
 * (key, jsonb of the row) into a temporary table of our own session (invisible to the
 * migrations and to schema snapshots); after the downgrade one full join per table compares
 * them with the rows now there, keyed by primary key (by the row itself without one), on the
 * columns that existed before and still exist. Columns and tables the revision added are not
 * part of the capture, so a downgrade that removes them is not a loss.
 */
import type pg from 'pg';
import { readCatalog, quoteIdent, type CatalogTable } from '../seed/catalog.js';

const ROWS_TABLE = 'pg_temp.migration_guard_rows';

export interface CapturedTable {
  table: CatalogTable;
  columns: string[];
  /** Primary key columns; empty = rows compared as a multiset. */
  key: string[];
  rows: number;
}

export interface DataCapture {
  tables: Map<string, CapturedTable>;
}

export interface DataDifference {
  /** `name` in public, `schema.name` elsewhere. */
  table: string;
  /** Columns whose values differ in the example rows (all captured columns when rows vanished). */
  columns: string[];
  /** Rows that existed before and are gone (or whose key changed). */
  missing: number;
  /** Rows still there whose values differ. */
  changed: number;
  /** Rows before / after. */
  rowsBefore: number;
  rowsAfter: number;
  /** One differing row: its key and the values before and after (null: the row is gone). */
  example: {
    key: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  } | null;
}

function keyExpression(alias: string, key: string[]): string {
  return key.length > 0
    ? `jsonb_build_array(${key.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`
    : `md5(to_jsonb(${alias})::text)`;
}

function rowExpression(alias: string, columns: string[]): string {
  // jsonb_build_object takes at most 100 arguments: build in chunks and concatenate.
  const chunks: string[] = [];
  for (let i = 0; i < columns.length; i += 50) {
    const part = columns.slice(i, i + 50);
    chunks.push(
      `jsonb_build_object(${part.map((c) => `'${c.replace(/'/g, "''")}', ${alias}.${quoteIdent(c)}`).join(', ')})`,
    );
  }
  return chunks.length === 0 ? `'{}'::jsonb` : chunks.join(' || ');
}

/** Copies every table's rows into the session's temporary table (replacing a previous capture). */
export async function captureRows(db: pg.Client): Promise<DataCapture> {
  const catalog = await readCatalog(db);
  await db.query(`create temporary table if not exists migration_guard_rows (tbl text, k text, v jsonb)`);
  await db.query(`truncate ${ROWS_TABLE}`);
  const tables = new Map<string, CapturedTable>();
  const parts: string[] = [];
  for (const table of catalog.tables) {
    const columns = table.columns.map((c) => c.name);
    const pk = table.constraints.find((c) => c.type === 'p');
    const key = pk ? pk.columns.map((n) => table.columns.find((c) => c.num === n)?.name ?? '?') : [];
    tables.set(table.label, { table, columns, key, rows: 0 });
    parts.push(
      `select '${table.label.replace(/'/g, "''")}', ${keyExpression('t', key)}, ${rowExpression('t', columns)} from ${table.sql} t`,
    );
  }
  for (let i = 0; i < parts.length; i += 100) {
    await db.query(`insert into ${ROWS_TABLE} ${parts.slice(i, i + 100).join(' union all ')}`);
  }
  if (tables.size > 0) {
    const counts = await db.query<{ tbl: string; n: string }>(
      `select tbl, count(*) as n from ${ROWS_TABLE} group by tbl`,
    );
    for (const r of counts.rows) {
      const t = tables.get(r.tbl);
      if (t) t.rows = Number(r.n);
    }
  }
  return { tables };
}

interface CompareRow {
  missing: string;
  changed: string;
  before: string;
  after: string;
  examples: Array<{ k: string; b: Record<string, unknown> | null; a: Record<string, unknown> | null }> | null;
}

/**
 * Compares the rows now in the captured tables with the capture. Tables that no longer exist,
 * and columns that no longer exist, are left to the schema comparison.
 */
export async function compareRows(db: pg.Client, capture: DataCapture): Promise<DataDifference[]> {
  const catalog = await readCatalog(db);
  const now = new Map(catalog.tables.map((t) => [t.label, t]));
  const out: DataDifference[] = [];
  for (const [label, captured] of capture.tables) {
    const table = now.get(label);
    if (!table) continue;
    const present = new Set(table.columns.map((c) => c.name));
    const columns = captured.columns.filter((c) => present.has(c));
    const removed = captured.columns.filter((c) => !present.has(c));
    if (captured.key.some((k) => !present.has(k))) continue;
    const beforeValue = removed.length > 0 ? `(v - ${sqlTextArray(removed)})` : 'v';
    const sql =
      captured.key.length > 0
        ? `with b as (select k, ${beforeValue} as v from ${ROWS_TABLE} where tbl = $1),
              a as (select ${keyExpression('t', captured.key)} as k, ${rowExpression('t', columns)} as v from ${table.sql} t),
              j as (select coalesce(b.k, a.k) as k, b.v as bv, a.v as av from b full join a on a.k = b.k)
         select count(*) filter (where av is null) as missing,
                count(*) filter (where bv is not null and av is not null and av <> bv) as changed,
                count(bv) as before, count(av) as after,
                (select json_agg(json_build_object('k', x.k, 'b', x.bv, 'a', x.av)) from
                  (select * from j where (bv is distinct from av) and bv is not null order by k limit 20) x) as examples
         from j`
        : `with b as (select md5((${beforeValue})::text) as k, ${beforeValue} as v from ${ROWS_TABLE} where tbl = $1),
              a as (select md5(${rowExpression('t', columns)}::text) as k, ${rowExpression('t', columns)} as v from ${table.sql} t),
              bc as (select k, count(*) as n, min(v::text)::jsonb as v from b group by k),
              ac as (select k, count(*) as n from a group by k),
              j as (select bc.k, bc.v as bv, bc.n - coalesce(ac.n, 0) as lost from bc left join ac on ac.k = bc.k)
         select coalesce(sum(greatest(lost, 0)), 0) as missing, 0 as changed,
                (select count(*) from b) as before, (select count(*) from a) as after,
                (select json_agg(json_build_object('k', x.k, 'b', x.bv, 'a', null)) from
                  (select * from j where lost > 0 order by k limit 1) x) as examples
         from j`;
    const row = (await db.query<CompareRow>(sql, [label])).rows[0];
    if (!row) continue;
    const missing = Number(row.missing);
    const changed = Number(row.changed);
    if (missing === 0 && changed === 0) continue;
    const examples = row.examples ?? [];
    const differing = new Set<string>();
    for (const e of examples) {
      for (const c of columns) {
        const before = e.b?.[c];
        const after = e.a?.[c];
        if (e.a === null || JSON.stringify(before) !== JSON.stringify(after)) differing.add(c);
      }
    }
    const first = examples.find((e) => e.a !== null) ?? examples[0] ?? null;
    out.push({
      table: label,
      columns: columns.filter((c) => differing.has(c)),
      missing,
      changed,
      rowsBefore: Number(row.before),
      rowsAfter: Number(row.after),
      example: first ? { key: first.k, before: first.b, after: first.a } : null,
    });
  }
  return out;
}

function sqlTextArray(values: string[]): string {
  return `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

/** Rows per table right now (one query), for the report. */
export async function rowCounts(db: pg.Client, tables: CatalogTable[]): Promise<Record<string, number>> {
  if (tables.length === 0) return {};
  const parts = tables.map(
    (t) => `select '${t.label.replace(/'/g, "''")}' as tbl, count(*)::int as n from ${t.sql}`,
  );
  const out: Record<string, number> = {};
  for (let i = 0; i < parts.length; i += 200) {
    for (const r of (await db.query<{ tbl: string; n: number }>(parts.slice(i, i + 200).join(' union all ')))
      .rows)
      out[r.tbl] = r.n;
  }
  return out;
}
