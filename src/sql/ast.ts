/** Small readers over libpg-query's parse tree (types from @pgsql/types). */
import type { ColumnDef, Constraint, Node, RangeVar, TypeName } from 'libpg-query';

/** The node's type name, e.g. `AlterTableStmt`. */
export function nodeKind(node: Node): string {
  for (const k in node) return k;
  return '';
}

/** The node's payload when it is of the given type. */
export function as<K extends string>(node: Node | undefined, kind: K): NodeOf<K> | undefined {
  if (!node) return undefined;
  return (node as Record<string, unknown>)[kind] as NodeOf<K> | undefined;
}

type NodeOf<K extends string> =
  Extract<Node, Record<K, unknown>> extends infer N ? (N extends Record<K, infer P> ? P : never) : never;

/**
 * A relation as migration-guard names it everywhere (like the driver's lock list): schema-
 * qualified unless in `public`. Unquoted identifiers are already lower-cased by the parser.
 */
export function relationName(rv: RangeVar | undefined): string {
  if (!rv?.relname) return '';
  return rv.schemaname && rv.schemaname !== 'public' ? `${rv.schemaname}.${rv.relname}` : rv.relname;
}

/** Names from a list of String nodes, e.g. a qualified name or a column list. */
export function strings(nodes: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const n of nodes ?? []) {
    const s = as(n, 'String');
    if (s?.sval !== undefined) out.push(s.sval);
  }
  return out;
}

/** A qualified name list (`[schema, name]`) in the same form as relationName. */
export function qualifiedName(nodes: Node[] | undefined): string {
  const parts = strings(nodes);
  if (parts.length >= 2 && parts[parts.length - 2] !== 'public') return parts.slice(-2).join('.');
  return parts[parts.length - 1] ?? '';
}

export function constraintsOf(col: ColumnDef | undefined): Constraint[] {
  const out: Constraint[] = [];
  for (const n of col?.constraints ?? []) {
    const c = as(n, 'Constraint');
    if (c) out.push(c);
  }
  return out;
}

export interface ColumnType {
  /** Base type name without pg_catalog, e.g. `varchar`, `numeric`, `text`, `int4`. */
  name: string;
  /** Integer type modifiers, e.g. [20] for varchar(20), [10, 2] for numeric(10,2). */
  mods: number[];
  array: boolean;
}

const TYPE_ALIASES: Record<string, string> = {
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  integer: 'int4',
  int: 'int4',
  smallint: 'int2',
  bigint: 'int8',
  decimal: 'numeric',
  'double precision': 'float8',
  real: 'float4',
  boolean: 'bool',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time',
  'time with time zone': 'timetz',
  'bit varying': 'varbit',
};

export function columnTypeOf(t: TypeName | undefined): ColumnType | null {
  if (!t) return null;
  const names = strings(t.names);
  const name = names[names.length - 1];
  if (!name) return null;
  const mods: number[] = [];
  for (const m of t.typmods ?? []) {
    const ival = as(m, 'A_Const')?.ival;
    if (ival !== undefined) mods.push(ival.ival ?? 0);
  }
  return { name: TYPE_ALIASES[name] ?? name, mods, array: (t.arrayBounds?.length ?? 0) > 0 };
}

/**
 * Reads a type as PostgreSQL's format_type() prints it (what a schema snapshot holds), e.g.
 * `character varying(20)`, `numeric(10,2)`, `text[]`.
 */
export function parseFormattedType(text: string): ColumnType | null {
  const m = /^\s*([a-z_][a-z0-9_ ]*?)\s*(?:\(([\d,\s]+)\))?\s*((?:\[\])*)\s*$/i.exec(text);
  if (!m) return null;
  const raw = (m[1] as string).toLowerCase().replace(/\s+/g, ' ');
  const mods = m[2]
    ? m[2]
        .split(',')
        .map((s) => Number(s.trim()))
        .filter((n) => Number.isFinite(n))
    : [];
  return { name: TYPE_ALIASES[raw] ?? raw, mods, array: (m[3] ?? '') !== '' };
}

export function formatColumnType(t: ColumnType): string {
  return `${t.name}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

/** Calls all nodes of the tree below `node` (depth first). */
export function walk(node: unknown, visit: (kind: string, payload: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (/^[A-Z]/.test(key) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      visit(key, value as Record<string, unknown>);
    }
    walk(value, visit);
  }
}

/** Function names called anywhere in an expression, lower-case, without schema. */
export function calledFunctions(expr: Node | undefined): string[] {
  const out: string[] = [];
  walk(expr, (kind, payload) => {
    if (kind === 'FuncCall') {
      const names = strings(payload.funcname as Node[] | undefined);
      const last = names[names.length - 1];
      if (last) out.push(last.toLowerCase());
    }
  });
  return out;
}

/** True for NULL, or a literal possibly cast (`'x'::text`, `-1`). */
export function isNullConstant(expr: Node | undefined): boolean {
  let e = expr;
  while (e && as(e, 'TypeCast')) e = as(e, 'TypeCast')?.arg;
  return !!as(e, 'A_Const')?.isnull;
}
