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
 * left empty — seeding never fails the run.
 */
import type pg from 'pg';
import type { Logger } from '../log.js';
import {
  readCatalog,
  quoteIdent,
  type Catalog,
  type CatalogColumn,
  type CatalogTable,
  type CatalogType,
} from './catalog.js';
import {
  checkBody,
  checkLiterals,
  derivedHash,
  domainCheckFor,
  rowHash,
  typeSql,
  valueExpression,
  withCheckLiterals,
} from './values.js';

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

interface FkPlan {
  /** Join clause (empty for self references and unresolved parents). */
  join: string;
  /** attnum -> expression of the value */
  values: Map<number, string>;
}

/** 32-bit FNV-1a: a stable salt per (seed, table, column, attempt). */
export function salt(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 1_000_000_007;
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
      userSql = { file: options.userSql.file, ok: true, error: null };
    } catch (e) {
      userSql = { file: options.userSql.file, ok: false, error: firstLine(e) };
    }
  }
  return { tables, userSql, durationMs: Math.round(performance.now() - started) };
}

class Seeder {
  private readonly byOid: Map<number, CatalogTable>;
  private readonly hasRows = new Map<number, boolean>();
  /** Tables whose generated rows are in (or that had rows already). */
  private readonly done = new Set<number>();
  private readonly log: Logger | undefined;

  constructor(
    private readonly client: pg.Client,
    private readonly catalog: Catalog,
    private readonly options: SeedOptions,
  ) {
    this.byOid = new Map(catalog.tables.map((t) => [t.oid, t]));
    this.log = options.log;
  }

  async run(): Promise<SeededTable[]> {
    if (this.catalog.tables.length === 0) return [];
    await this.readHasRows();
    const out: SeededTable[] = [];
    const deferred: Array<{ table: CatalogTable; fk: CatalogTable['constraints'][number] }> = [];
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

  private async fill(
    table: CatalogTable,
    deferred: Array<{ table: CatalogTable; fk: CatalogTable['constraints'][number] }>,
  ): Promise<SeededTable> {
    const wanted = this.options.rows;
    let inserted = 0;
    let lastError: string | null = null;
    let nextRow = 1;
    for (let attempt = 0; attempt < ATTEMPTS && inserted < wanted; attempt++) {
      // Generate more candidates than needed (CHECKs filter some out); LIMIT keeps the count.
      const candidates = (wanted - inserted) * 2 ** (attempt + 1);
      const plan = this.plan(table, attempt, nextRow, candidates, wanted - inserted, deferred);
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

  /** The INSERT for one batch, or why the table cannot be filled. */
  private plan(
    table: CatalogTable,
    attempt: number,
    first: number,
    candidates: number,
    limit: number,
    deferred: Array<{ table: CatalogTable; fk: CatalogTable['constraints'][number] }>,
  ): { sql: string } | { error: string } {
    const seed = this.options.randomSeed;
    const last = first + candidates - 1;
    const row = 'g';
    const byNum = new Map(table.columns.map((c) => [c.num, c]));
    const uniqueCols = this.uniqueColumns(table);
    const fk = this.foreignKeys(table, attempt, first, deferred);
    if (typeof fk === 'string') return { error: fk };

    const selected: Array<{ column: CatalogColumn; expr: string; cast: string }> = [];
    const filters: string[] = [];
    const ownValue = new Map<number, (r: string) => string | null>();
    for (const column of table.columns) {
      if (column.generated !== '' || column.identity !== '') continue;
      if (column.default !== null && /\bnextval\(/.test(column.default)) continue;
      const type = this.catalog.types.get(column.typeOid);
      const unique = uniqueCols.has(column.num);
      const base = type ? this.baseType(type) : undefined;
      const checks = [
        ...table.constraints.filter(
          (c) => c.type === 'c' && c.columns.length === 1 && c.columns[0] === column.num,
        ),
      ].map((c) => c.definition);
      const literals =
        base && !unique ? checkLiterals([...checks, ...this.domainChecks(column.typeOid)], base.type) : [];
      const valueAt = (r: string): string | null => {
        if (!type || !base) return null;
        const hash = rowHash(r, salt(seed, table.label, column.name, attempt));
        const expr = valueExpression({
          type,
          typmod: column.typmod,
          hash,
          unique: unique ? `(${r})` : null,
          types: this.catalog.types,
        });
        return expr === null
          ? null
          : withCheckLiterals(expr, literals, typeSql(base.type, base.typmod), hash);
      };
      ownValue.set(column.num, valueAt);
    }
    // NOT NULL self references: the referenced columns' value of an earlier row of this batch.
    for (const c of table.constraints) {
      if (c.type !== 'f' || c.refTable !== table.oid) continue;
      const nullable = c.columns.every((n) => !byNum.get(n)?.notNull);
      if (nullable) continue;
      const earlier = `(${first} + (${rowHash(row, salt(seed, table.label, c.name))}) % (${row} - ${first} + 1))`;
      for (const [i, n] of c.columns.entries()) {
        const refValue = ownValue.get(c.refColumns[i] ?? -1);
        const expr = refValue?.(earlier) ?? null;
        if (expr === null)
          return {
            error: `its NOT NULL self-reference ${c.name} points at columns whose values the server generates`,
          };
        fk.values.set(n, expr);
      }
    }
    for (const column of table.columns) {
      const type = this.catalog.types.get(column.typeOid);
      const fkValue = fk.values.get(column.num);
      let expr: string | null;
      if (fkValue !== undefined) expr = fkValue;
      else {
        const valueAt = ownValue.get(column.num);
        if (!valueAt) continue; // identity, serial, generated: the server fills it
        expr = valueAt(row);
        if (expr === null) {
          if (!column.notNull) expr = 'NULL';
          else if (column.default !== null) continue;
          else
            return {
              error: `no generator for column ${column.name} of type ${type?.name ?? column.typeOid}`,
            };
        }
        if (!column.notNull && expr !== 'NULL' && !(type?.domainNotNull ?? false)) {
          const nullHash = derivedHash(
            rowHash(row, salt(seed, table.label, column.name, 'null', attempt)),
            9,
          );
          expr = `CASE WHEN ${nullHash} % 6 = 0 THEN NULL ELSE ${expr} END`;
        }
      }
      const alias = `s.${quoteIdent(column.name)}`;
      for (const check of this.domainChecks(column.typeOid))
        filters.push(`(${domainCheckFor(check, alias)}) IS NOT FALSE`);
      if (type && this.domainNotNull(column.typeOid)) filters.push(`${alias} IS NOT NULL`);
      selected.push({ column, expr, cast: type ? typeSql(type, column.typmod) : '' });
    }
    if (selected.length === 0)
      return {
        sql: `INSERT INTO ${table.sql} SELECT FROM generate_series(${first}, ${first + limit - 1}) AS g`,
      };
    const insertedNums = new Set(selected.map((s) => s.column.num));
    for (const c of table.constraints) {
      if (c.type !== 'c' || !c.columns.every((n) => insertedNums.has(n))) continue;
      filters.push(`(${checkBody(c.definition)}) IS NOT FALSE`);
    }
    const inner = selected.map((s) => `${s.expr} AS ${quoteIdent(s.column.name)}`).join(',\n  ');
    const outer = selected
      .map((s) => `s.${quoteIdent(s.column.name)}${s.cast ? `::${s.cast}` : ''}`)
      .join(', ');
    const sql = [
      `INSERT INTO ${table.sql} (${selected.map((s) => quoteIdent(s.column.name)).join(', ')})`,
      `SELECT ${outer} FROM (SELECT ${inner}`,
      `  FROM generate_series(${first}, ${last}) AS g ${fk.join}) AS s`,
      filters.length > 0 ? `WHERE ${filters.join(' AND ')}` : '',
      `LIMIT ${limit}`,
      'ON CONFLICT DO NOTHING',
    ].join('\n');
    return { sql };
  }

  /**
   * Columns whose values must be distinct: the only column of a unique key, or (for a key of
   * several columns that are not foreign keys) its first generated column.
   */
  private uniqueColumns(table: CatalogTable): Set<number> {
    const out = new Set<number>();
    const fkColumns = new Set(table.constraints.filter((c) => c.type === 'f').flatMap((c) => c.columns));
    const generatedByServer = (n: number) => {
      const col = table.columns.find((c) => c.num === n);
      return !col || col.identity !== '' || col.generated !== '' || /\bnextval\(/.test(col.default ?? '');
    };
    for (const key of table.uniqueKeys) {
      if (key.some((n) => out.has(n) || generatedByServer(n))) continue;
      const candidate = key.find((n) => !fkColumns.has(n));
      if (candidate !== undefined) out.add(candidate);
    }
    return out;
  }

  private foreignKeys(
    table: CatalogTable,
    attempt: number,
    first: number,
    deferred: Array<{ table: CatalogTable; fk: CatalogTable['constraints'][number] }>,
  ): FkPlan | string {
    const joins: string[] = [];
    const values = new Map<number, string>();
    const byNum = new Map(table.columns.map((c) => [c.num, c]));
    table.constraints
      .filter((c) => c.type === 'f')
      .forEach((c, i) => {
        if (c.columns.some((n) => values.has(n))) return; // overlapping keys: the first wins
        const nullable = c.columns.every((n) => !byNum.get(n)?.notNull);
        const parent = this.byOid.get(c.refTable);
        const self = c.refTable === table.oid;
        const parentReady =
          parent !== undefined && !self && this.done.has(parent.oid) && this.hasRows.get(parent.oid);
        if (!parentReady && nullable) {
          for (const n of c.columns) values.set(n, 'NULL');
          if (parent && attempt === 0) deferred.push({ table, fk: c });
          return;
        }
        if (self || !parent) return; // NOT NULL self reference: handled by the caller
        if (!parentReady) {
          values.set(-1, `references ${parent.label}, which has no rows`);
          return;
        }
        const alias = `fk${i}`;
        const refCols = c.refColumns.map((n) => parent.columns.find((col) => col.num === n)?.name ?? '?');
        const notNull = refCols.map((name) => `${quoteIdent(name)} IS NOT NULL`).join(' AND ');
        const uniqueFk = table.uniqueKeys.some(
          (k) => k.length === c.columns.length && k.every((n) => c.columns.includes(n)),
        );
        const pickRow = uniqueFk
          ? `(g - ${first})`
          : `(${rowHash('g', salt(this.options.randomSeed, table.label, c.name, attempt))})`;
        joins.push(
          `${nullable ? 'LEFT ' : ''}JOIN (SELECT ${refCols.map((n, j) => `${quoteIdent(n)} AS r${j}`).join(', ')}, row_number() OVER (ORDER BY ${refCols.map(quoteIdent).join(', ')}) - 1 AS rn FROM ${parent.sql} WHERE ${notNull}) AS ${alias}` +
            ` ON ${alias}.rn = ${pickRow} % (SELECT greatest(count(*), 1) FROM ${parent.sql} WHERE ${notNull})`,
        );
        const nullHash = derivedHash(
          rowHash('g', salt(this.options.randomSeed, table.label, c.name, 'null')),
          3,
        );
        c.columns.forEach((n, j) => {
          values.set(
            n,
            nullable ? `CASE WHEN ${nullHash} % 5 = 0 THEN NULL ELSE ${alias}.r${j} END` : `${alias}.r${j}`,
          );
        });
      });
    const problem = values.get(-1);
    if (problem !== undefined) return problem;
    return { join: joins.join('\n  '), values };
  }

  /** The type a domain is over (through domains over domains), with its modifier. */
  private baseType(type: CatalogType): { type: CatalogType; typmod: number } {
    let current = type;
    let typmod = -1;
    for (let depth = 0; current.typtype === 'd' && depth < 8; depth++) {
      if (typmod < 0) typmod = current.baseTypmod;
      const next = this.catalog.types.get(current.baseType);
      if (!next) break;
      current = next;
    }
    return { type: current, typmod };
  }

  private domainChecks(typeOid: number): string[] {
    const out: string[] = [];
    for (let t = this.catalog.types.get(typeOid), depth = 0; t && t.typtype === 'd' && depth < 8; depth++) {
      out.push(...t.domainChecks);
      t = this.catalog.types.get(t.baseType);
    }
    return out;
  }

  private domainNotNull(typeOid: number): boolean {
    for (let t = this.catalog.types.get(typeOid), depth = 0; t && t.typtype === 'd' && depth < 8; depth++) {
      if (t.domainNotNull) return true;
      t = this.catalog.types.get(t.baseType);
    }
    return false;
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
