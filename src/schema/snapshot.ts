/**
 * A schema snapshot read from PostgreSQL's catalogs: one query per object kind, user schemas
 * only, alembic's version table and extension-owned objects left out. The kinds are sent as ONE
 * named prepared statement returning one JSON document: planning the twelve catalog joins cost
 * more than running them (3.4 ms per snapshot as a batch of twelve, 1.35 ms prepared). Everything is keyed by
 * name and column ORDER is not recorded: a downgrade that re-adds a dropped column puts it last,
 * which is not a trace (alembic's own comparison ignores order too).
 */
import pg from 'pg';

export interface ColumnSnapshot {
  type: string;
  notNull: boolean;
  default: string | null;
  /** 'a' (always) / 'd' (by default) / '' */
  identity: string;
  /** Generation expression of a generated column, null otherwise. */
  generated: string | null;
  collation: string | null;
}

export interface ConstraintSnapshot {
  table: string;
  definition: string;
  validated: boolean;
}

export interface SchemaSnapshot {
  schemas: string[];
  /** qualified table name -> relkind ('r' table, 'p' partitioned, 'f' foreign) */
  tables: Record<string, string>;
  /** `table.column` -> column */
  columns: Record<string, ColumnSnapshot>;
  /** qualified index name -> pg_get_indexdef */
  indexes: Record<string, string>;
  /** `table.constraint` -> constraint */
  constraints: Record<string, ConstraintSnapshot>;
  /** qualified enum type -> labels in order */
  enums: Record<string, string[]>;
  /** qualified sequence -> parameters */
  sequences: Record<string, string>;
  /** qualified view -> `view: <definition>` / `materialized view: <definition>` */
  views: Record<string, string>;
  /** qualified `name(args)` -> pg_get_functiondef */
  functions: Record<string, string>;
  /** `table.trigger` -> pg_get_triggerdef */
  triggers: Record<string, string>;
  /** extension -> `version in schema` */
  extensions: Record<string, string>;
  /** qualified domain / composite type -> definition */
  types: Record<string, string>;
}

export const VERSION_TABLE = 'alembic_version';

// Schemas that belong to PostgreSQL itself.
const USER_NAMESPACE = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;
// Every object created after initdb has an OID from here on (FirstNormalObjectId, wraparound
// included); it lets the functions query read pg_proc by index instead of scanning the ~3000
// built-in functions (a quarter of a snapshot's time).
const FIRST_NORMAL_OID = 16384;
// Objects created by CREATE EXTENSION belong to the extension, not to the migrations.
const notExtensionMember = (oid: string, catalog: string) =>
  `not exists (select 1 from pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;
const qualified = (schema: string, name: string) =>
  `case when ${schema} = 'public' then ${name} else ${schema} || '.' || ${name} end`;

const QUERIES = {
  // ordered by the aggregate below (ORDER BY in a subquery is not guaranteed to survive it)
  schemas: `select n.nspname as name from pg_namespace n where ${USER_NAMESPACE}`,
  tables: `select ${qualified('n.nspname', 'c.relname')} as name, c.relkind::text as kind
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'f') and ${USER_NAMESPACE}
      and not (n.nspname = 'public' and c.relname = '${VERSION_TABLE}')
      and ${notExtensionMember('c.oid', 'pg_class')}`,
  columns: `select ${qualified('n.nspname', 'c.relname')} as table_name, a.attname as name,
      format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null,
      case when a.attgenerated = '' then pg_get_expr(ad.adbin, ad.adrelid) end as default_expr,
      a.attidentity::text as identity,
      case when a.attgenerated <> '' then pg_get_expr(ad.adbin, ad.adrelid) end as generated,
      case when a.attcollation <> 0 and a.attcollation <> t.typcollation then co.collname end as collation
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
    left join pg_collation co on co.oid = a.attcollation
    where c.relkind in ('r', 'p', 'f') and a.attnum > 0 and not a.attisdropped and ${USER_NAMESPACE}
      and not (n.nspname = 'public' and c.relname = '${VERSION_TABLE}')
      and ${notExtensionMember('c.oid', 'pg_class')}`,
  indexes: `select ${qualified('n.nspname', 'i.relname')} as name, pg_get_indexdef(i.oid) as definition
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = i.relnamespace
    where ${USER_NAMESPACE} and not (n.nspname = 'public' and t.relname = '${VERSION_TABLE}')
      and ${notExtensionMember('t.oid', 'pg_class')}`,
  constraints: `select ${qualified('n.nspname', 'c.relname')} as table_name, k.conname as name,
      pg_get_constraintdef(k.oid) as definition, k.convalidated as validated
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_namespace n on n.oid = c.relnamespace
    where ${USER_NAMESPACE} and not (n.nspname = 'public' and c.relname = '${VERSION_TABLE}')
      and ${notExtensionMember('c.oid', 'pg_class')}`,
  enums: `select ${qualified('n.nspname', 't.typname')} as name,
      array_agg(e.enumlabel::text order by e.enumsortorder) as labels
    from pg_type t
    join pg_enum e on e.enumtypid = t.oid
    join pg_namespace n on n.oid = t.typnamespace
    where ${USER_NAMESPACE} and ${notExtensionMember('t.oid', 'pg_type')}
    group by 1`,
  sequences: `select ${qualified('n.nspname', 'c.relname')} as name,
      format('%s start %s increment %s min %s max %s cache %s%s', format_type(s.seqtypid, null),
        s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
        case when s.seqcycle then ' cycle' else '' end) as params
    from pg_sequence s
    join pg_class c on c.oid = s.seqrelid
    join pg_namespace n on n.oid = c.relnamespace
    where ${USER_NAMESPACE} and ${notExtensionMember('c.oid', 'pg_class')}`,
  views: `select ${qualified('n.nspname', 'c.relname')} as name,
      case c.relkind when 'm' then 'materialized view: ' else 'view: ' end || pg_get_viewdef(c.oid) as definition
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('v', 'm') and ${USER_NAMESPACE} and ${notExtensionMember('c.oid', 'pg_class')}`,
  functions: `select ${qualified('n.nspname', 'p.proname')} || '(' || pg_get_function_identity_arguments(p.oid) || ')' as name,
      pg_get_functiondef(p.oid) as definition
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where p.prokind in ('f', 'p') and p.oid >= ${FIRST_NORMAL_OID} and ${USER_NAMESPACE}
      and ${notExtensionMember('p.oid', 'pg_proc')}`,
  triggers: `select ${qualified('n.nspname', 'c.relname')} as table_name, g.tgname as name,
      pg_get_triggerdef(g.oid) as definition
    from pg_trigger g
    join pg_class c on c.oid = g.tgrelid
    join pg_namespace n on n.oid = c.relnamespace
    where not g.tgisinternal and ${USER_NAMESPACE}`,
  extensions: `select e.extname as name, e.extversion || ' in ' || n.nspname as description
    from pg_extension e join pg_namespace n on n.oid = e.extnamespace
    where e.extname <> 'plpgsql'`,
  types: `select ${qualified('n.nspname', 't.typname')} as name,
      case t.typtype
        when 'd' then 'domain over ' || format_type(t.typbasetype, t.typtypmod)
          || case when t.typnotnull then ' not null' else '' end
          || coalesce(' default ' || t.typdefault, '')
        else 'composite (' || (select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' order by a.attname)
          from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) || ')'
      end as definition
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where (t.typtype = 'd' or (t.typtype = 'c' and (select relkind from pg_class where oid = t.typrelid) = 'c'))
      and ${USER_NAMESPACE} and ${notExtensionMember('t.oid', 'pg_type')}`,
} as const;

type Row = Record<string, unknown>;
type Kind = keyof typeof QUERIES;

/** `{"schemas": [{"name": …}, …], "tables": [...], …}`: every kind's rows as a JSON array. */
const SNAPSHOT_SQL = `select json_build_object(${(Object.keys(QUERIES) as Kind[])
  .map((kind) => {
    const order = kind === 'schemas' ? ' order by q.name' : '';
    return `'${kind}', (select coalesce(json_agg(q${order}), '[]'::json) from (${QUERIES[kind]}) q)`;
  })
  .join(',\n  ')})::text as snapshot`;

// Prepared once per connection by node-postgres (parse + plan), then only executed. The plan
// reads the catalogs afresh on every execution, so DDL in between does not make it stale.
const SNAPSHOT_STATEMENT = { name: 'migration-guard-snapshot', text: SNAPSHOT_SQL };

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function byName(rows: Row[], key: string, value: (row: Row) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of rows) out[str(row[key])] = value(row);
  return out;
}

/** Reads a snapshot of the database `client` is connected to. */
export async function takeSnapshot(client: pg.Client): Promise<SchemaSnapshot> {
  const result = await client.query<{ snapshot: string }>(SNAPSHOT_STATEMENT);
  const document = JSON.parse(result.rows[0]?.snapshot ?? '{}') as Partial<Record<Kind, Row[]>>;
  const rows = Object.fromEntries(
    (Object.keys(QUERIES) as Kind[]).map((kind) => [kind, document[kind] ?? []]),
  ) as Record<Kind, Row[]>;
  const {
    schemas,
    tables,
    columns,
    indexes,
    constraints,
    enums,
    sequences,
    views,
    functions,
    triggers,
    extensions,
    types,
  } = rows;

  const columnMap: Record<string, ColumnSnapshot> = {};
  for (const row of columns) {
    columnMap[`${str(row.table_name)}.${str(row.name)}`] = {
      type: str(row.type),
      notNull: row.not_null === true,
      default: strOrNull(row.default_expr),
      identity: str(row.identity),
      generated: strOrNull(row.generated),
      collation: strOrNull(row.collation),
    };
  }
  const constraintMap: Record<string, ConstraintSnapshot> = {};
  for (const row of constraints) {
    constraintMap[`${str(row.table_name)}.${str(row.name)}`] = {
      table: str(row.table_name),
      definition: str(row.definition),
      validated: row.validated === true,
    };
  }
  const enumMap: Record<string, string[]> = {};
  for (const row of enums) enumMap[str(row.name)] = parseTextArray(row.labels);
  const triggerMap: Record<string, string> = {};
  for (const row of triggers) triggerMap[`${str(row.table_name)}.${str(row.name)}`] = str(row.definition);

  return {
    schemas: schemas.map((r) => str(r.name)),
    tables: byName(tables, 'name', (r) => str(r.kind)),
    columns: columnMap,
    indexes: byName(indexes, 'name', (r) => str(r.definition)),
    constraints: constraintMap,
    enums: enumMap,
    sequences: byName(sequences, 'name', (r) => str(r.params)),
    views: byName(views, 'name', (r) => str(r.definition)),
    functions: byName(functions, 'name', (r) => str(r.definition)),
    triggers: triggerMap,
    extensions: byName(extensions, 'name', (r) => str(r.description)),
    types: byName(types, 'name', (r) => str(r.definition)),
  };
}

/** Connects to `url`, takes a snapshot, disconnects. */
export async function snapshotDatabase(url: string): Promise<SchemaSnapshot> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await takeSnapshot(client);
  } finally {
    await client.end();
  }
}

// Labels arrive as a JSON array; accept the `{a,b}` array literal too, in case a label list is
// ever rendered as text.
function parseTextArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(str);
  const text = str(value);
  if (!text.startsWith('{')) return [text];
  const inner = text.slice(1, -1);
  if (inner === '') return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^,]+)/g;
  for (const m of inner.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : str(m[2]));
  return out;
}
