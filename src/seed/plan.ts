/**
 * One batch of synthetic rows for one table, as a single `INSERT … SELECT … FROM
 * generate_series(…)` the server runs (seed.ts decides the order and the batches): a value
 * expression per column that its type, its domain and its single-column CHECKs accept, foreign
 * keys joined to rows already in the parent, unique columns made distinct, and the table's
 * CHECKs as a filter.
 */
import type { Catalog, CatalogColumn, CatalogTable, CatalogType } from './catalog.js';
import { quoteIdent } from './catalog.js';
import {
  checkBody,
  checkLiterals,
  derivedHash,
  domainCheckFor,
  rowHash,
  salt,
  typeSql,
  valueExpression,
  withCheckLiterals,
} from './values.js';

interface FkPlan {
  /** Join clause (empty for self references and unresolved parents). */
  join: string;
  /** attnum -> expression of the value */
  values: Map<number, string>;
}

/** A foreign key left NULL for now (self reference, cycle), pointed at rows after all tables are filled. */
export interface DeferredForeignKey {
  table: CatalogTable;
  fk: CatalogTable['constraints'][number];
}

export class BatchPlanner {
  constructor(
    private readonly catalog: Catalog,
    private readonly byOid: ReadonlyMap<number, CatalogTable>,
    /** Makes the rows reproducible: the same seed gives the same rows. */
    private readonly randomSeed: number,
    /** Tables whose generated rows are in (or that had rows already). */
    private readonly done: ReadonlySet<number>,
    private readonly hasRows: ReadonlyMap<number, boolean>,
  ) {}

  /** The INSERT for one batch, or why the table cannot be filled. */
  plan(
    table: CatalogTable,
    attempt: number,
    first: number,
    candidates: number,
    limit: number,
    deferred: DeferredForeignKey[],
  ): { sql: string } | { error: string } {
    const seed = this.randomSeed;
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
    deferred: DeferredForeignKey[],
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
          : `(${rowHash('g', salt(this.randomSeed, table.label, c.name, attempt))})`;
        joins.push(
          `${nullable ? 'LEFT ' : ''}JOIN (SELECT ${refCols.map((n, j) => `${quoteIdent(n)} AS r${j}`).join(', ')}, row_number() OVER (ORDER BY ${refCols.map(quoteIdent).join(', ')}) - 1 AS rn FROM ${parent.sql} WHERE ${notNull}) AS ${alias}` +
            ` ON ${alias}.rn = ${pickRow} % (SELECT greatest(count(*), 1) FROM ${parent.sql} WHERE ${notNull})`,
        );
        const nullHash = derivedHash(rowHash('g', salt(this.randomSeed, table.label, c.name, 'null')), 3);
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
}
