/**
 * The data side of the round trip on a populated database: what the rows of the tables were
 * before a revision's upgrade, and whether its downgrade gave them back.
 *
 * Everything runs on the server, set-based: each table's rows are copied as (key, jsonb of the
 * row) into a temporary table of our own session, and the copy is kept until a revision may
 * have changed the table (RowCopies). After the downgrade, only the tables the revision's
 * statements locked are compared (touched.ts): first by row count and an order-independent
 * checksum, and only when those differ by one full join per table, keyed by primary key (by the
 * row itself without one), on the columns that existed before and still exist. Columns and
 * tables the revision added are not part of the copy, so a downgrade that removes them is not a
 * loss.
 */
import type pg from 'pg';
import { quoteIdent } from '../seed/catalog.js';

const ROWS_TABLE = 'pg_temp.migration_guard_rows';

export interface CapturedTable {
  /** `name` in public, `schema.name` elsewhere. */
  label: string;
  /** Quoted, schema-qualified name. */
  sql: string;
  columns: string[];
  /** Primary key columns; empty = rows compared as a multiset. */
  key: string[];
  rows: number;
  /** Order-independent checksum of the copied rows (sum of a 64-bit hash of each row's values). */
  checksum: string;
}

export interface DataCapture {
  tables: Map<string, CapturedTable>;
  /** How many tables were copied for this capture (the others' copies were still good). */
  copied: number;
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

/** One 64-bit hash per row, summed as numeric: equal multisets of rows give equal sums. */
function rowHash(value: string): string {
  return `('x' || substr(md5(${value}::text), 1, 16))::bit(64)::bigint::numeric`;
}

interface TableListing {
  label: string;
  sql: string;
  columns: string[];
  key: string[];
}

/**
 * The user tables (what the seeder fills: no partitions, no extension members, not alembic's
 * version table) with their columns and primary key, in one catalog query.
 */
const TABLES_SQL = `
select n.nspname as schema, c.relname as name,
  array(select a.attname::text from pg_attribute a
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped order by a.attnum) as columns,
  coalesce((select array(select a.attname::text from unnest(co.conkey) with ordinality k(num, ord)
      join pg_attribute a on a.attrelid = c.oid and a.attnum = k.num order by k.ord)
    from pg_constraint co where co.conrelid = c.oid and co.contype = 'p'), '{}') as key
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
  and not exists (select 1 from pg_depend dep where dep.classid = 'pg_class'::regclass
    and dep.objid = c.oid and dep.deptype = 'e')
order by n.nspname, c.relname`;

async function listTables(db: pg.Client): Promise<Map<string, TableListing>> {
  const rows = (
    await db.query<{ schema: string; name: string; columns: string[]; key: string[] }>(TABLES_SQL)
  ).rows;
  const out = new Map<string, TableListing>();
  for (const r of rows) {
    // alembic's version table (one `version_num` column) changes with every step: not data.
    if (r.columns.length === 1 && r.columns[0] === 'version_num') continue;
    const label = r.schema === 'public' ? r.name : `${r.schema}.${r.name}`;
    out.set(label, {
      label,
      sql: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
      columns: r.columns,
      key: r.key,
    });
  }
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Copies of the tables' rows, as (key, jsonb of the row), in a temporary table of our own
 * session (invisible to the migrations and to schema snapshots), kept from one revision to the
 * next: a table's copy is redone only after something may have changed its rows (`invalidate`,
 * with the tables a revision's statements locked, see touched.ts), when its columns or primary
 * key changed, or when the session is new. A revision that touches one table of sixty copies
 * one table, not sixty.
 */
export class RowCopies {
  private db: pg.Client | null = null;
  private readonly copies = new Map<string, CapturedTable>();
  /** Tables whose copy may be out of date; null = all of them. */
  private stale: Set<string> | null = null;

  /** The rows of `tables` (null: of any table) may have changed since they were copied. */
  invalidate(tables: Iterable<string> | null): void {
    if (tables === null) this.stale = null;
    else if (this.stale !== null) for (const t of tables) this.stale.add(t);
  }

  /** Brings the copies up to date with the tables as they are now. */
  async capture(db: pg.Client): Promise<DataCapture> {
    // A new session has no copies; nor has one whose table was dropped under it (the migrations
    // run as the same role and could name it): both start over instead of failing.
    const present = await db.query<{ ok: boolean }>(`select to_regclass('${ROWS_TABLE}') is not null as ok`);
    if (db !== this.db || present.rows[0]?.ok !== true) {
      this.db = db;
      this.stale = null;
    }
    if (this.stale === null) {
      this.copies.clear();
      // Also after a reset of the database on the same session: DROP OWNED BY (src/roundtrip/
      // reset.ts) drops the role's temporary table with everything else it created.
      await db.query(`create temporary table if not exists migration_guard_rows (tbl text, k text, v jsonb)`);
      await db.query(`truncate ${ROWS_TABLE}`);
    }
    const stale = this.stale ?? new Set<string>();
    const tables = await listTables(db);
    const redo: string[] = [];
    for (const [label, copy] of this.copies) {
      const now = tables.get(label);
      if (!now || stale.has(label) || !sameList(now.columns, copy.columns) || !sameList(now.key, copy.key)) {
        redo.push(label);
        this.copies.delete(label);
      }
    }
    if (redo.length > 0) await db.query(`delete from ${ROWS_TABLE} where tbl = any($1::text[])`, [redo]);
    const fresh = [...tables.values()].filter((t) => !this.copies.has(t.label));
    const parts = fresh.map(
      (t) =>
        `select '${t.label.replace(/'/g, "''")}', ${keyExpression('t', t.key)}, ${rowExpression('t', t.columns)} from ${t.sql} t`,
    );
    for (let i = 0; i < parts.length; i += 100) {
      await db.query(`insert into ${ROWS_TABLE} ${parts.slice(i, i + 100).join(' union all ')}`);
    }
    if (fresh.length > 0) {
      const sums = await db.query<{ tbl: string; n: string; sum: string }>(
        `select tbl, count(*) as n, sum(${rowHash('v')})::text as sum from ${ROWS_TABLE}
          where tbl = any($1::text[]) group by tbl`,
        [fresh.map((t) => t.label)],
      );
      const byLabel = new Map(sums.rows.map((r) => [r.tbl, r]));
      for (const t of fresh) {
        const r = byLabel.get(t.label);
        this.copies.set(t.label, { ...t, rows: Number(r?.n ?? 0), checksum: r?.sum ?? '0' });
      }
    }
    this.stale = new Set();
    return { tables: new Map(this.copies), copied: fresh.length };
  }
}

interface CompareRow {
  missing: string;
  changed: string;
  before: string;
  after: string;
  examples: Array<{ k: string; b: Record<string, unknown> | null; a: Record<string, unknown> | null }> | null;
}

/**
 * Compares the rows now in the captured tables with the capture: only the tables in `only`
 * (the tables the revision's steps may have changed, touched.ts; null = every captured table).
 * A table whose columns are all still there is first compared by row count and checksum, in one
 * query for all of them; only a table whose sums differ is joined row by row for the counts and
 * an example. Tables that no longer exist, and columns that no longer exist, are left to the
 * schema comparison.
 */
export async function compareRows(
  db: pg.Client,
  capture: DataCapture,
  only: ReadonlySet<string> | null,
): Promise<DataDifference[]> {
  const candidates = [...capture.tables.values()].filter((t) => only === null || only.has(t.label));
  if (candidates.length === 0) return [];
  const now = await listTables(db);
  const unchanged = await sameSums(db, candidates, now);
  const out: DataDifference[] = [];
  for (const captured of candidates) {
    const label = captured.label;
    if (unchanged.has(label)) continue;
    const table = now.get(label);
    if (!table) continue;
    const present = new Set(table.columns);
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

/**
 * The captured tables whose rows now have the same count and checksum as their copy (over the
 * captured columns, all still present). Equal sums of 64-bit row hashes over equal counts mean
 * the same rows barring a hash collision; any difference goes to the row-by-row comparison,
 * which decides.
 */
async function sameSums(
  db: pg.Client,
  candidates: CapturedTable[],
  now: ReadonlyMap<string, TableListing>,
): Promise<Set<string>> {
  const comparable = candidates.filter((t) => {
    const columns = now.get(t.label)?.columns;
    return columns !== undefined && t.columns.every((c) => columns.includes(c));
  });
  const parts = comparable.map(
    (t) =>
      `select '${t.label.replace(/'/g, "''")}' as tbl, count(*) as n, coalesce(sum(${rowHash(rowExpression('t', t.columns))}), 0)::text as sum from ${t.sql} t`,
  );
  const same = new Set<string>();
  const byLabel = new Map(comparable.map((t) => [t.label, t]));
  for (let i = 0; i < parts.length; i += 100) {
    const rows = (
      await db.query<{ tbl: string; n: string; sum: string }>(parts.slice(i, i + 100).join(' union all '))
    ).rows;
    for (const r of rows) {
      const t = byLabel.get(r.tbl);
      if (t && Number(r.n) === t.rows && r.sum === t.checksum) same.add(r.tbl);
    }
  }
  return same;
}

function sqlTextArray(values: string[]): string {
  return `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}
