/**
 * One row that makes a statement fail on the populated tables, found from the server's error
 * and DETAIL and the statement itself: the duplicated key of a unique index, a NULL under
 * SET NOT NULL, a row violating a CHECK being validated, a text a cast cannot read, a value a
 * foreign key does not find. Queried on the database right after the failure (a transactional
 * revision has rolled back, so its tables are as they were). Best effort: null when the error
 * is of another kind.
 */
import type pg from 'pg';
import { quoteIdent } from '../seed/catalog.js';
import { checkBody } from '../seed/values.js';

export interface DataExample {
  table: string;
  /** Primary key of the row, `{"id": 5}`; null when the table has none. */
  key: Record<string, unknown> | null;
  /** The offending values, `{"email": "a@b"}`. */
  values: Record<string, unknown>;
}

const IDENT = /^(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?$/;

/** The table a DDL statement works on, as written (validated as an identifier). */
export function statementTable(sql: string): string | null {
  const m =
    /\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i.exec(
      sql,
    ) ??
    /\bCREATE\s+(?:UNIQUE\s+)?INDEX\b[\s\S]*?\bON\s+(?:ONLY\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i.exec(
      sql,
    ) ??
    /\b(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM)\s+(?:ONLY\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)/i.exec(
      sql,
    );
  const name = m?.[1] ?? null;
  return name && IDENT.test(name) ? name : null;
}

/** `Key (email)=(a@b) is duplicated.` -> {column: 'email', value: 'a@b'} (one-column keys). */
function keyFromDetail(detail: string | null): { column: string; value: string } | null {
  const m = /Key \(([^,()]+)\)=\((.*)\)/.exec(detail ?? '');
  if (!m?.[1] || m[2] === undefined) return null;
  return { column: m[1].replace(/^"|"$/g, ''), value: m[2] };
}

export async function findDataExample(
  db: pg.Client,
  failure: {
    error: string | null;
    detail: string | null;
    statement: string | null;
    /** Every statement of the failed step (a CHECK validated later is defined earlier). */
    statements?: string[];
  },
): Promise<DataExample | null> {
  const sql = failure.statement ?? '';
  const error = failure.error ?? '';
  const table = statementTable(sql);
  if (!table) return null;
  try {
    const where = await offendingCondition(
      db,
      table,
      [sql, ...(failure.statements ?? [])].join('\n'),
      error,
      failure.detail,
    );
    if (!where) return null;
    try {
      return await exampleRow(db, table, where.condition, where.columns);
    } catch (e) {
      // The column was added by the same (rolled back) transaction: every row has it NULL.
      if (!where.addedColumn) throw e;
      const row = await exampleRow(db, table, 'true', []);
      return row ? { ...row, values: { [where.addedColumn]: null } } : null;
    }
  } catch {
    return null;
  }
}

async function offendingCondition(
  db: pg.Client,
  table: string,
  sql: string,
  error: string,
  detail: string | null,
): Promise<{ condition: string; columns: string[]; addedColumn?: string } | null> {
  let m = /column "([^"]+)" of relation "[^"]+" contains null values/.exec(error);
  if (m?.[1]) return { condition: `${quoteIdent(m[1])} is null`, columns: [m[1]], addedColumn: m[1] };
  const key = keyFromDetail(detail);
  if (key && /duplicate|unique|foreign key|is not present/i.test(`${error} ${detail ?? ''}`)) {
    return {
      condition: `${quoteIdent(key.column)}::text = ${literal(key.value)}`,
      columns: [key.column],
    };
  }
  m = /check constraint "([^"]+)" of relation "[^"]+" is violated by some row/.exec(error);
  if (m?.[1]) {
    const name = m[1];
    const inline = new RegExp(
      `CONSTRAINT\\s+"?${escapeRegExp(name)}"?\\s+(CHECK\\s*\\([\\s\\S]*\\))`,
      'i',
    ).exec(sql);
    let body = inline?.[1] ? checkBody(inline[1].replace(/\s+NOT\s+VALID\s*;?\s*$/i, '')) : null;
    if (!body) {
      const def = await db.query<{ def: string }>(
        'select pg_get_constraintdef(oid) as def from pg_constraint where conname = $1 and conrelid = $2::regclass',
        [name, table],
      );
      body = def.rows[0] ? checkBody(def.rows[0].def) : null;
    }
    if (!body) return null;
    const columns = (
      await db.query<{ name: string }>(
        `select a.attname as name from pg_attribute a where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`,
        [table],
      )
    ).rows
      .map((r) => r.name)
      .filter((c) => new RegExp(`(^|[^\\w"])"?${escapeRegExp(c)}"?($|[^\\w"])`).test(body as string));
    return { condition: `not (${body})`, columns };
  }
  m =
    /invalid input syntax for type [\w ]+: "(.*)"/.exec(error) ?? /value "(.*)" is out of range/.exec(error);
  if (m?.[1] !== undefined) {
    const column = /\bALTER\s+(?:COLUMN\s+)?("[^"]+"|[\w$]+)\s+(?:SET\s+DATA\s+)?TYPE\b/i.exec(sql)?.[1];
    if (!column) return null;
    const name = column.replace(/^"|"$/g, '');
    return { condition: `${quoteIdent(name)}::text = ${literal(m[1])}`, columns: [name] };
  }
  return null;
}

async function exampleRow(
  db: pg.Client,
  table: string,
  condition: string,
  columns: string[],
): Promise<DataExample | null> {
  const pk = await db.query<{ name: string }>(
    `select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  const keyCols = pk.rows.map((r) => r.name);
  const pick = (cols: string[]) =>
    cols.length === 0
      ? 'null::jsonb'
      : `jsonb_build_object(${cols.map((c) => `${literal(c)}, t.${quoteIdent(c)}`).join(', ')})`;
  const rows = await db.query<{ k: Record<string, unknown> | null; v: Record<string, unknown> }>(
    `select ${pick(keyCols)} as k, ${pick(columns)} as v from ${table} t where ${condition} limit 1`,
  );
  const row = rows.rows[0];
  if (!row) return null;
  return { table: table.replace(/"/g, ''), key: row.k, values: row.v ?? {} };
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `orders (id=5): email = "a@b"` */
export function describeExample(example: DataExample): string {
  const key = example.key
    ? ` (${Object.entries(example.key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ')})`
    : '';
  const values = Object.entries(example.values)
    .map(([k, v]) => `${k} = ${v === null ? 'NULL' : JSON.stringify(v)}`)
    .join(', ');
  return `${example.table}${key}${values ? `: ${values}` : ''}`;
}
