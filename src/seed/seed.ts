/**
 * Fills the tables of a database with synthetic rows generated from its catalog, so the round
 * trip runs on data like production's instead of on empty tables (docs/ARCHITECTURE.md, issue
 * "populated database").
 *
 * One `INSERT … SELECT … FROM generate_series(…)` per table, built here and executed by the
 * server (no row goes through Node), in foreign-key order: a foreign key takes its values from
 * rows already in the parent table. Rows that a CHECK (of the table or of a domain) would
 * reject are filtered out by the same statement; rows that collide with a unique constraint are
 * skipped (`ON CONFLICT DO NOTHING`); a table that ends up short is topped up with a differently
 * salted batch, a few times. A table that still cannot be filled is reported with the reason and
 * left empty — synthetic rows never fail the run; the user's own --seed-sql file failing does.
 */
import type pg from 'pg';
import { infraError, usageError, type MigrationGuardError } from '../errors.js';
import type { Logger } from '../log.js';
import { readCatalog, quoteIdent, type Catalog, type CatalogTable } from './catalog.js';
import { BatchPlanner, type DeferredForeignKey } from './plan.js';
import { salt } from './values.js';

export { salt };

export const DEFAULT_SEED_ROWS = 300;
export const DEFAULT_SEED_RANDOM = 1;
/** Batches per table: the first plus top-ups when CHECKs or unique keys dropped rows. */
const ATTEMPTS = 4;

export interface SeedOptions {
  /** Rows per table to generate (0: none, only the user's SQL). */
  rows: number;
  /** Makes the rows reproducible: the same seed gives the same rows. */
  randomSeed: number;
  /** Fill only tables that have no rows yet (top-up before each revision). */
  onlyEmpty?: boolean;
  /** The user's own SQL (an anonymised sample), run after the synthetic rows. */
  userSql?: { file: string; sql: string } | null;
  log?: Logger;
}

export interface SeededTable {
  /** `name` in public, `schema.name` elsewhere. */
  table: string;
  /** Rows this seeding added. */
  inserted: number;
  /** Why the table was left empty or short; null when it was filled. */
  error: string | null;
}

export interface SeedResult {
  tables: SeededTable[];
  /** The user's SQL file and whether it ran; null without one. */
  userSql: { file: string; ok: boolean; error: string | null } | null;
  durationMs: number;
}

export async function seedDatabase(client: pg.Client, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const tables: SeededTable[] = [];
  if (options.rows > 0) {
    const catalog = await readCatalog(client);
    const seeder = new Seeder(client, catalog, options);
    tables.push(...(await seeder.run()));
  }
  let userSql: SeedResult['userSql'] = null;
  if (options.userSql) {
    try {
      await client.query(options.userSql.sql);
    } catch (e) {
      throw userSqlError(e, options.userSql, options.rows > 0);
    }
    userSql = { file: options.userSql.file, ok: true, error: null };
  }
  return { tables, userSql, durationMs: Math.round(performance.now() - started) };
}

/**
 * The user's seed SQL failed: the check would otherwise pass on data that is not theirs, so the
 * run stops with one line naming the file, the line and the server's error (exit 2; the whole
 * file ran in one implicit transaction, so none of it stayed). A connection that broke
 * meanwhile is the infrastructure's failure, not the file's.
 */
function userSqlError(
  e: unknown,
  userSql: { file: string; sql: string },
  afterSynthetic: boolean,
): MigrationGuardError {
  const err = e as { code?: unknown; position?: unknown; detail?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (!/^[0-9A-Z]{5}$/.test(code) || /^(?:08|53|57P|58|XX)/.test(code))
    return infraError(`seed-sql ${userSql.file}: the database failed while it ran: ${firstLine(e)}`, e);
  const position = Number(err.position);
  const line = Number.isInteger(position) && position > 0 ? lineAt(userSql.sql, position - 1) : null;
  const detail = typeof err.detail === 'string' && err.detail ? ` (${firstLine(err.detail)})` : '';
  // Keys of a sample may collide with the synthetic rows' (ids 1, 2, … are in both).
  const where = afterSynthetic
    ? 'it runs on the base schema after the synthetic rows; --seed-rows 0 runs it alone'
    : 'it runs on the base schema';
  return usageError(
    `seed-sql ${userSql.file}${line ? ` line ${line}` : ''}: ${firstLine(e)}${detail}: fix the file (${where})`,
    e,
  );
}

/** 1-based line of the character at `offset` (the server's error position counts characters). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  let i = 0;
  for (const ch of text) {
    if (i++ >= offset) break;
    if (ch === '\n') line++;
  }
  return line;
}

class Seeder {
  private readonly byOid: Map<number, CatalogTable>;
  private readonly hasRows = new Map<number, boolean>();
  /** Tables whose generated rows are in (or that had rows already). */
  private readonly done = new Set<number>();
  private readonly log: Logger | undefined;
  private readonly planner: BatchPlanner;

  constructor(
    private readonly client: pg.Client,
    private readonly catalog: Catalog,
    private readonly options: SeedOptions,
  ) {
    this.byOid = new Map(catalog.tables.map((t) => [t.oid, t]));
    this.log = options.log;
    this.planner = new BatchPlanner(catalog, this.byOid, options.randomSeed, this.done, this.hasRows);
  }

  async run(): Promise<SeededTable[]> {
    if (this.catalog.tables.length === 0) return [];
    await this.readHasRows();
    const out: SeededTable[] = [];
    const deferred: DeferredForeignKey[] = [];
    for (const table of this.fkOrder()) {
      if (this.options.onlyEmpty && this.hasRows.get(table.oid)) {
        this.done.add(table.oid);
        continue;
      }
      const result = await this.fill(table, deferred);
      out.push(result);
      if (result.inserted > 0) this.hasRows.set(table.oid, true);
      this.done.add(table.oid);
    }
    for (const { table, fk } of deferred) await this.pointNullableFk(table, fk);
    return out;
  }

  private async readHasRows(): Promise<void> {
    const parts = this.catalog.tables.map(
      (t) => `select ${t.oid}::int as oid, exists (select 1 from ${t.sql}) as has_rows`,
    );
    for (let i = 0; i < parts.length; i += 200) {
      const rows = (
        await this.client.query<{ oid: number; has_rows: boolean }>(
          parts.slice(i, i + 200).join(' union all '),
        )
      ).rows;
      for (const r of rows) this.hasRows.set(r.oid, r.has_rows);
    }
  }

  /** Parents before children (self references ignored); tables in a cycle keep name order. */
  private fkOrder(): CatalogTable[] {
    const remaining = [...this.catalog.tables];
    const ordered: CatalogTable[] = [];
    const placed = new Set<number>();
    while (remaining.length > 0) {
      let index = remaining.findIndex((t) =>
        t.constraints.every(
          (c) =>
            c.type !== 'f' || c.refTable === t.oid || placed.has(c.refTable) || !this.byOid.has(c.refTable),
        ),
      );
      if (index < 0) index = 0; // a cycle: its nullable foreign keys are pointed afterwards
      const [next] = remaining.splice(index, 1) as [CatalogTable];
      ordered.push(next);
      placed.add(next.oid);
    }
    return ordered;
  }

  private async fill(table: CatalogTable, deferred: DeferredForeignKey[]): Promise<SeededTable> {
    const wanted = this.options.rows;
    let inserted = 0;
    let lastError: string | null = null;
    let nextRow = 1;
    for (let attempt = 0; attempt < ATTEMPTS && inserted < wanted; attempt++) {
      // Generate more candidates than needed (CHECKs filter some out); LIMIT keeps the count.
      const candidates = (wanted - inserted) * 2 ** (attempt + 1);
      const plan = this.planner.plan(table, attempt, nextRow, candidates, wanted - inserted, deferred);
      nextRow += candidates;
      if ('error' in plan) return { table: table.label, inserted: 0, error: plan.error };
      try {
        const result = await this.client.query(plan.sql);
        inserted += result.rowCount ?? 0;
        lastError = null;
      } catch (e) {
        lastError = firstLine(e);
        this.log?.debug(`seeding ${table.label}: ${lastError}`);
      }
    }
    if (inserted === 0) {
      return {
        table: table.label,
        inserted: 0,
        error: lastError ?? 'every generated row was rejected by its constraints',
      };
    }
    return { table: table.label, inserted, error: null };
  }

  /**
   * Points a nullable foreign key that had to stay NULL (self reference, cycle) at parent rows,
   * now that they exist. For a self reference each row points at an earlier one, so the rows
   * form trees, never a cycle. Best effort: a CHECK or trigger that refuses leaves the NULLs.
   */
  private async pointNullableFk(table: CatalogTable, fk: CatalogTable['constraints'][number]): Promise<void> {
    const parent = this.byOid.get(fk.refTable);
    if (!parent || !this.hasRows.get(parent.oid) || !this.hasRows.get(table.oid)) return;
    const self = parent.oid === table.oid;
    const cols = fk.columns.map((n) => table.columns.find((c) => c.num === n)?.name ?? '?');
    const refCols = fk.refColumns.map((n) => parent.columns.find((c) => c.num === n)?.name ?? '?');
    const notNull = refCols.map((n) => `${quoteIdent(n)} IS NOT NULL`).join(' AND ');
    const pick = self
      ? `(src.rn * 7 + ${salt(this.options.randomSeed, table.label, fk.name) % 1000}) % (src.rn - 1)`
      : `(src.rn * 7 + ${salt(this.options.randomSeed, table.label, fk.name) % 1000}) % (SELECT greatest(count(*), 1) FROM ${parent.sql} WHERE ${notNull})`;
    const order = self ? 'ctid' : refCols.map(quoteIdent).join(', ');
    const sql = `UPDATE ${table.sql} AS t SET ${cols.map((c, j) => `${quoteIdent(c)} = p.r${j}`).join(', ')}
FROM (SELECT ctid AS tid, row_number() OVER (ORDER BY ctid) AS rn FROM ${table.sql}) AS src
JOIN (SELECT ${refCols.map((n, j) => `${quoteIdent(n)} AS r${j}`).join(', ')}, row_number() OVER (ORDER BY ${order}) - 1 AS rn FROM ${parent.sql} WHERE ${notNull}) AS p
  ON p.rn = ${pick}
WHERE t.ctid = src.tid AND src.rn > 1 AND src.rn % 4 <> 1 AND ${cols.map((c) => `t.${quoteIdent(c)} IS NULL`).join(' AND ')}`;
    try {
      await this.client.query(sql);
    } catch (e) {
      this.log?.debug(`seeding ${table.label}: pointing ${fk.name} at rows failed: ${firstLine(e)}`);
    }
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] ?? text;
}
