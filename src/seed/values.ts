/**
 * SQL expressions that produce one column value per generated row, evaluated by the server
 * inside `INSERT … SELECT … FROM generate_series(1, n) g`. Every expression is a pure function
 * of the row number and a per-column salt, so a seed reproduces the same rows.
 *
 * The values are adversarial within the column's type, because real data is: text that is not
 * a number or a date, empty, long, mixed case, non-ASCII; numbers at 0, negative and at the
 * type's bounds; timestamps in the past and the future; repeated values in columns that are not
 * unique. Unique columns get values that are distinct by construction (from the row number).
 */
import type { CatalogType } from './catalog.js';

/** The row's pseudo-random number in [0, 2^31): a multiplicative hash of row and salt. */
/** 32-bit FNV-1a: a stable salt per (seed, table, column, attempt). */
export function salt(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % 1_000_000_007;
}

export function rowHash(row: string, salt: number): string {
  return `((${row})::bigint * 2654435761 + ${salt}) % 2147483629`;
}

/** A second, different hash derived from `hash` (array elements, range bounds, NULL choice). */
export function derivedHash(hash: string, index: number): string {
  return `(((${hash}) * ${31 + 2 * index} + ${7919 * (index + 1)}) % 2147483629)`;
}

export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function pick(hash: string, literals: string[]): string {
  return `(ARRAY[${literals.join(', ')}])[1 + (${hash}) % ${literals.length}]`;
}

const TEXT_VALUES = [
  '',
  'not a number',
  '12abc',
  '42',
  '-7.5',
  'Ünïcödé – 日本語 ✓',
  'MiXeD CaSe',
  '  leading and trailing  ',
  '2024-02-30',
  'NULL',
  "O'Brien",
  'İstanbul ß',
  'true',
  'line one\nline two',
  'someone@example.com',
  'Ünï+Tag@Example.COM',
  'https://example.com/a?b=1',
  `${'long text '.repeat(30)}end`,
];

const JSON_VALUES = [
  '{}',
  '[]',
  'null',
  '0',
  '"text"',
  '{"a": 1, "b": [1, 2, {"c": null}]}',
  '{"ünï": "✓", "n": -1.5, "empty": ""}',
  '[1, "two", false, null]',
];

const INTERVAL_VALUES = ['0', '-1 day', '1 year 2 mons 3 days', '00:00:00.000001', '-00:30', '100 years'];

const INT_BOUNDS: Record<string, [string, string]> = {
  int2: ['-32768', '32767'],
  int4: ['-2147483648', '2147483647'],
  int8: ['-9223372036854775808', '9223372036854775807'],
};

/** `varchar(20)`, `numeric(10,2)`, `bit(8)`: the SQL type with its modifier. */
export function typeSql(type: CatalogType, typmod: number): string {
  if (typmod < 0) return type.name;
  switch (type.typname) {
    case 'varchar':
    case 'bpchar':
      return `${type.name}(${typmod - 4})`;
    case 'numeric': {
      const precision = ((typmod - 4) >> 16) & 0xffff;
      const scale = (typmod - 4) & 0xffff;
      return `numeric(${precision},${scale > 1000 ? 0 : scale})`;
    }
    case 'bit':
    case 'varbit':
      return `${type.name}(${typmod})`;
    default:
      return type.name;
  }
}

function numericBounds(typmod: number): { max: string; scale: number } | null {
  if (typmod < 0) return null;
  const precision = ((typmod - 4) >> 16) & 0xffff;
  let scale = (typmod - 4) & 0xffff;
  if (scale > 1000) scale = 0; // negative scale (PostgreSQL 15+): treat as integers
  const digits = Math.max(precision - scale, 0);
  const max =
    digits === 0
      ? `0.${'9'.repeat(scale)}`
      : `${'9'.repeat(digits)}${scale > 0 ? `.${'9'.repeat(scale)}` : ''}`;
  return { max, scale };
}

export interface ValueRequest {
  type: CatalogType;
  typmod: number;
  /** Pseudo-random per row and column (see rowHash). */
  hash: string;
  /** Set when the value must be unique: an integer expression distinct for every row. */
  unique: string | null;
  types: ReadonlyMap<number, CatalogType>;
  depth?: number;
}

/**
 * An expression of the value in `type` (a domain: in its base type, the caller casts and
 * filters by the domain's checks), or null when there is no generator for the type.
 */
export function valueExpression(req: ValueRequest): string | null {
  const { type, typmod, hash, unique, types } = req;
  const depth = req.depth ?? 0;
  if (depth > 4) return null;
  const sub = (oid: number, mod: number, h: string, u: string | null): string | null => {
    const t = types.get(oid);
    if (!t) return null;
    const expr = valueExpression({ type: t, typmod: mod, hash: h, unique: u, types, depth: depth + 1 });
    return expr === null ? null : `(${expr})::${typeSql(t, mod)}`;
  };

  if (type.typtype === 'd') {
    const base = types.get(type.baseType);
    if (!base) return null;
    return valueExpression({
      ...req,
      type: base,
      typmod: type.baseTypmod >= 0 ? type.baseTypmod : typmod,
      depth: depth + 1,
    });
  }
  if (type.typtype === 'e') {
    if (type.enumLabels.length === 0) return null;
    const labels = type.enumLabels.map(sqlString);
    return `${pick(unique ?? hash, labels)}::${type.name}`;
  }
  if (type.elem !== 0) {
    const elem = types.get(type.elem);
    if (!elem) return null;
    const e1 = sub(type.elem, typmod, derivedHash(hash, 1), unique);
    const e2 = sub(type.elem, typmod, derivedHash(hash, 2), null);
    const e3 = sub(type.elem, typmod, derivedHash(hash, 3), null);
    if (e1 === null || e2 === null || e3 === null) return null;
    const arrayType = `${typeSql(elem, typmod)}[]`;
    if (unique) return `ARRAY[${e1}]::${arrayType}`;
    // NULL elements only where the element type allows them (a NOT NULL domain does not).
    const withNull = elem.typtype === 'd' ? `ARRAY[${e2}, ${e1}]` : `ARRAY[${e1}, NULL, ${e2}]`;
    return `(CASE (${hash}) % 5 WHEN 0 THEN '{}'::${arrayType} WHEN 1 THEN ARRAY[${e1}]::${arrayType} WHEN 2 THEN ${withNull}::${arrayType} ELSE ARRAY[${e1}, ${e2}, ${e3}]::${arrayType} END)`;
  }
  if (type.typtype === 'r') {
    const lo = sub(type.rangeSubtype, -1, derivedHash(hash, 1), unique);
    const hi = sub(type.rangeSubtype, -1, derivedHash(hash, 2), null);
    if (lo === null || hi === null) return null;
    if (unique) return `${type.name}(${lo}, NULL)`;
    return `(CASE WHEN (${hash}) % 6 = 0 THEN 'empty'::${type.name} ELSE ${type.name}(least(${lo}, ${hi}), greatest(${lo}, ${hi})) END)`;
  }
  if (type.typtype === 'c') {
    const fields: string[] = [];
    type.attributes.forEach((a, i) => {
      fields.push(sub(a.typeOid, a.typmod, derivedHash(hash, i + 1), i === 0 ? unique : null) ?? 'NULL');
    });
    return `ROW(${fields.join(', ')})::${type.name}`;
  }
  return baseValue(type, typmod, hash, unique);
}

function baseValue(type: CatalogType, typmod: number, hash: string, unique: string | null): string | null {
  const h = hash;
  const u = unique;
  switch (type.typname) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const [min, max] = INT_BOUNDS[type.typname] as [string, string];
      if (u) return `(CASE WHEN (${u}) % 10 = 3 THEN -(${u}) ELSE (${u}) END)::${type.typname}`;
      const specials = ['0', '-1', '1', '42', min, max, '7', '-100'];
      return `(CASE WHEN (${h}) % 3 = 0 THEN ${pick(derivedHash(h, 4), specials)}::${type.typname} ELSE ((${h}) % 2001 - 1000)::${type.typname} END)`;
    }
    case 'numeric':
    case 'money': {
      const bounds = type.typname === 'numeric' ? numericBounds(typmod) : null;
      const cast = type.typname === 'money' ? '::numeric::money' : '';
      if (u) {
        const v = `(CASE WHEN (${u}) % 10 = 3 THEN -(${u}) ELSE (${u}) END)::numeric`;
        return bounds ? `least(greatest(${v}, -${bounds.max}), ${bounds.max})` : `${v}${cast}`;
      }
      const scaled = `(((${h}) % 200001 - 100000)::numeric / 100)`;
      if (bounds) {
        const specials = ['0', '-1', '1', bounds.max, `-${bounds.max}`].map((s) => `${s}::numeric`);
        const mixed = `(CASE WHEN (${h}) % 3 = 0 THEN ${pick(derivedHash(h, 4), specials)} ELSE ${scaled} END)`;
        return `least(greatest(round(${mixed}, ${bounds.scale}), -${bounds.max}), ${bounds.max})`;
      }
      const specials = ['0', '-1', '1', '123456789012345.678', '-0.000001', '1e20'].map(
        (s) => `${s}::numeric`,
      );
      return `(CASE WHEN (${h}) % 3 = 0 THEN ${pick(derivedHash(h, 4), specials)} ELSE ${scaled} END)${cast}`;
    }
    case 'float4':
    case 'float8': {
      if (u) return `((${u})::float8 / 4)::${type.typname}`;
      const specials = ['0', '-0.5', '1e-10', '1e15', '3.14159', '-1'];
      return `(CASE WHEN (${h}) % 3 = 0 THEN ${pick(derivedHash(h, 4), specials)}::float8 ELSE ((${h}) % 20001 - 10000)::float8 / 7 END)::${type.typname}`;
    }
    case 'bool':
      return u ? `((${u}) % 2 = 0)` : `((${h}) % 2 = 0)`;
    case 'date':
      if (u) return `(date '1990-01-01' + (${u})::int)`;
      return `(CASE WHEN (${h}) % 4 = 0 THEN ${pick(
        derivedHash(h, 4),
        ["'1970-01-01'", "'2000-02-29'", "'1999-12-31'", "'2038-01-19'", "'1900-01-01'", "'2099-12-31'"].map(
          (s) => `date ${s}`,
        ),
      )} ELSE date '2000-01-01' + ((${h}) % 36500 - 18250)::int END)`;
    case 'timestamp':
    case 'timestamptz': {
      const kw = type.typname === 'timestamp' ? 'timestamp' : 'timestamptz';
      if (u) return `(${kw} '2000-01-01 00:00:00+00' + (${u}) * interval '1 hour 1 second')`;
      return `(CASE WHEN (${h}) % 5 = 0 THEN ${pick(
        derivedHash(h, 4),
        [
          "'1970-01-01 00:00:00+00'",
          "'2000-02-29 23:59:59.999999+00'",
          "'2038-01-19 03:14:08+00'",
          "'1900-01-01 00:00:00+00'",
        ].map((s) => `${kw} ${s}`),
      )} ELSE ${kw} '2010-01-01 00:00:00+00' + ((${h}) % 2000000000 - 1000000000) * interval '1 second' END)`;
    }
    case 'time':
    case 'timetz':
      return `(time '00:00' + (${u ?? h}) % 86400 * interval '1 second')::${type.typname}`;
    case 'interval':
      if (u) return `((${u}) * interval '1 minute')`;
      return `(CASE WHEN (${h}) % 3 = 0 THEN ${pick(
        derivedHash(h, 4),
        INTERVAL_VALUES.map((s) => `interval ${sqlString(s)}`),
      )} ELSE ((${h}) % 100000) * interval '1 minute' END)`;
    case 'uuid':
      if (u) return `md5('u' || (${u}))::uuid`;
      return `(CASE WHEN (${h}) % 11 = 0 THEN '00000000-0000-0000-0000-000000000000'::uuid ELSE md5('r' || ((${h}) % 97))::uuid END)`;
    case 'json':
    case 'jsonb':
      if (u)
        return `jsonb_build_object('id', ${u}, 'name', ${pick(u, TEXT_VALUES.slice(0, 8).map(sqlString))})::${type.typname}`;
      return `${pick(h, JSON_VALUES.map(sqlString))}::${type.typname}`;
    case 'bytea':
      if (u) return `decode(md5('b' || (${u})), 'hex')`;
      return `(CASE (${h}) % 4 WHEN 0 THEN '\\x'::bytea WHEN 1 THEN '\\x00ff'::bytea WHEN 2 THEN convert_to('Ünïcödé', 'UTF8') ELSE decode(md5('b' || ((${h}) % 50)), 'hex') END)`;
    case 'inet':
      if (u) return `('10.0.0.0'::inet + (${u}))`;
      return `(CASE (${h}) % 5 WHEN 0 THEN '::1'::inet WHEN 1 THEN '192.168.0.0/16'::inet WHEN 2 THEN '2001:db8::1'::inet ELSE '10.0.0.0'::inet + ((${h}) % 65536) END)`;
    case 'cidr':
      if (u) return `set_masklen('10.0.0.0'::inet + (${u}) * 256, 24)::cidr`;
      return `(CASE (${h}) % 3 WHEN 0 THEN '::/0'::cidr ELSE set_masklen('10.0.0.0'::inet + ((${h}) % 256) * 65536, 16)::cidr END)`;
    case 'macaddr':
    case 'macaddr8': {
      const n = u ?? `((${h}) % 4096)`;
      return `('08:00:2b:' || lpad(to_hex((${n}) % 256), 2, '0') || ':' || lpad(to_hex(((${n}) / 256) % 256), 2, '0') || ':' || lpad(to_hex(((${n}) / 65536) % 256), 2, '0'))::${type.typname}`;
    }
    case 'tsvector':
      return `to_tsvector('simple', ${textValue(h, u)})`;
    case 'xml':
      return `('<v n="' || (${u ?? h}) || '">' || ${pick(h, ["'x'", "'Ünïcödé'", "''"])} || '</v>')::xml`;
    case 'point':
      return `point((${u ?? h}) % 1000 - 500, (${h}) % 77)`;
    case 'bit':
    case 'varbit':
      return `(${u ?? h})::bigint::bit(64)::${type.typname}`;
    case 'oid':
      return `((${u ?? h}) % 100000 + 1)::oid`;
    case 'char':
      return u ? `chr(65 + ((${u}) % 26))::"char"` : `chr(65 + ((${h}) % 26))::"char"`;
    default:
      break;
  }
  // Other types by category: strings (text, varchar, bpchar, name, citext), then give up.
  if (type.typcategory === 'S') return `(${textValue(h, u)})::${type.name}`;
  return null;
}

function textValue(hash: string, unique: string | null): string {
  const values = TEXT_VALUES.map((t) =>
    t.includes('\n') ? `replace(${sqlString(t.replace('\n', '|'))}, '|', chr(10))` : sqlString(t),
  );
  if (unique) return `(${pick(unique, values)} || ' #' || (${unique}))`;
  // A third of the rows from a small pool of plain words, so values repeat.
  return `(CASE WHEN (${hash}) % 3 = 0 THEN 'value ' || ((${hash}) % 20) ELSE ${pick(derivedHash(hash, 5), values)} END)`;
}

/**
 * Replaces the keyword VALUE in a domain CHECK with `column` (outside string literals and
 * quoted identifiers), so the check can filter rows before they are cast to the domain.
 */
export function domainCheckFor(definition: string, column: string): string {
  const body = checkBody(definition);
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body[i] as string;
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < body.length) {
        if (body[j] === ch) {
          if (body[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      out += body.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^VALUE\b/.exec(body.slice(i));
    if (m && !/[A-Za-z0-9_]/.test(body[i - 1] ?? ' ')) {
      out += column;
      i += 5;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** `CHECK ((x > 0)) NOT VALID` -> `(x > 0)` */
export function checkBody(definition: string): string {
  return definition
    .replace(/^\s*CHECK\s*/i, '')
    .replace(/\s+NO INHERIT\s*$/i, '')
    .replace(/\s+NOT VALID\s*$/i, '')
    .replace(/\s+NO INHERIT\s*$/i, '');
}

/**
 * Constants a CHECK compares a column with (`status IN ('new', 'paid')`, `quantity BETWEEN 1 AND
 * 50`), as candidate values of the column's type: without them a random value would rarely
 * pass. Numbers also give their neighbours, so boundaries are hit from both sides.
 */
export function checkLiterals(definitions: string[], type: CatalogType): string[] {
  const out = new Set<string>();
  const numeric = type.typcategory === 'N';
  const text = type.typcategory === 'S';
  for (const def of definitions) {
    const body = checkBody(def);
    for (const m of body.matchAll(/'((?:[^']|'')*)'|(?<![\w.$])(-?\d+(?:\.\d+)?)(?![\w.])/g)) {
      // A pattern (`~ '^[a-z]+$'`, `LIKE 'a%'`) is not a value of the column.
      const before = body.slice(0, m.index).trimEnd();
      if (/(~\*?|!~\*?|\bLIKE|\bSIMILAR TO)$/i.test(before)) continue;
      const str = m[1] !== undefined ? m[1].replace(/''/g, "'") : undefined;
      const num = m[2] ?? (str !== undefined && /^-?\d+(\.\d+)?$/.test(str) ? str : undefined);
      if (numeric && num !== undefined) {
        const n = Number(num);
        for (const v of [n, n - 1, n + 1]) if (Number.isFinite(v)) out.add(String(v));
      } else if (text && str !== undefined) out.add(sqlString(str));
    }
  }
  return [...out].slice(0, 40);
}

/** `base` in a quarter of the rows, one of the CHECK's constants (cast to the type) otherwise. */
export function withCheckLiterals(base: string, literals: string[], typeName: string, hash: string): string {
  if (literals.length === 0) return base;
  const values = literals.map((l) => `(${l})::${typeName}`);
  return `(CASE WHEN ${derivedHash(hash, 6)} % 4 = 0 THEN ${base} ELSE ${pick(derivedHash(hash, 7), values)} END)`;
}
