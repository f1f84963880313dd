/**
 * What the seeder needs to know about the schema, read from PostgreSQL's catalogs in two
 * queries: every user table with its columns and constraints, then every type those columns
 * use (followed through arrays, domains, ranges and composite types).
 */
import type pg from 'pg';

export interface CatalogColumn {
  name: string;
  num: number;
  typeOid: number;
  typmod: number;
  notNull: boolean;
  /** Expression of the column default, null without one (generated columns: null). */
  default: string | null;
  /** 'a' always / 'd' by default / '' */
  identity: string;
  /** 's' stored generated column, '' otherwise */
  generated: string;
}

export interface CatalogConstraint {
  name: string;
  /** p primary key, u unique, f foreign key, c check, x exclusion */
  type: string;
  /** attnums of the constrained columns (check: the columns the expression reads) */
  columns: number[];
  /** oid of the referenced table (foreign keys) */
  refTable: number;
  refColumns: number[];
  /** pg_get_constraintdef */
  definition: string;
}

export interface CatalogTable {
  oid: number;
  schema: string;
  name: string;
  /** `"schema"."name"`, ready for SQL */
  sql: string;
  /** `name` in public, `schema.name` elsewhere (how the report names tables) */
  label: string;
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  /** Column sets of unique indexes without expressions (constraints included). */
  uniqueKeys: number[][];
}

export interface CatalogType {
  oid: number;
  /** format_type(oid, null), e.g. `character varying`, `public.mood` */
  name: string;
  /** pg_type.typname, e.g. `varchar`, `int4`, `_int4` */
  typname: string;
  /** b base, e enum, d domain, c composite, r range, m multirange, p pseudo */
  typtype: string;
  typcategory: string;
  /** Element type of an array type, 0 otherwise. */
  elem: number;
  /** Base type of a domain, 0 otherwise. */
  baseType: number;
  baseTypmod: number;
  /** The domain itself is NOT NULL. */
  domainNotNull: boolean;
  /** CHECK definitions of a domain (`CHECK ((VALUE > 0))`). */
  domainChecks: string[];
  enumLabels: string[];
  /** Subtype of a range type, 0 otherwise. */
  rangeSubtype: number;
  /** Attributes of a composite type. */
  attributes: Array<{ name: string; typeOid: number; typmod: number }>;
}

export interface Catalog {
  tables: CatalogTable[];
  types: Map<number, CatalogType>;
}

const USER_NAMESPACE = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

const TABLES_SQL = `
select c.oid::int as oid, n.nspname as schema, c.relname as name,
  coalesce((select json_agg(json_build_object(
      'name', a.attname, 'num', a.attnum, 'typeOid', a.atttypid::int, 'typmod', a.atttypmod,
      'notNull', a.attnotnull,
      'default', case when a.attgenerated = '' then pg_get_expr(d.adbin, d.adrelid) end,
      'identity', a.attidentity::text, 'generated', a.attgenerated::text) order by a.attnum)
    from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '[]') as columns,
  coalesce((select json_agg(json_build_object(
      'name', co.conname, 'type', co.contype::text, 'columns', coalesce(co.conkey, '{}'),
      'refTable', co.confrelid::int, 'refColumns', coalesce(co.confkey, '{}'),
      'definition', pg_get_constraintdef(co.oid)) order by co.conname)
    from pg_constraint co where co.conrelid = c.oid), '[]') as constraints,
  coalesce((select json_agg(i.indkey::int2[]) from pg_index i
    where i.indrelid = c.oid and i.indisunique and i.indexprs is null and i.indpred is null), '[]') as unique_keys
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition and ${USER_NAMESPACE}
  and not exists (select 1 from pg_depend dep where dep.classid = 'pg_class'::regclass
    and dep.objid = c.oid and dep.deptype = 'e')
order by n.nspname, c.relname`;

const TYPES_SQL = `
select t.oid::int as oid, format_type(t.oid, null) as name, t.typname::text as typname,
  t.typtype::text as typtype, t.typcategory::text as typcategory, t.typelem::int as elem,
  t.typbasetype::int as base_type, t.typtypmod as base_typmod, t.typnotnull as domain_not_null,
  coalesce((select json_agg(pg_get_constraintdef(co.oid) order by co.conname) from pg_constraint co
    where co.contypid = t.oid and co.contype = 'c'), '[]') as domain_checks,
  coalesce((select json_agg(e.enumlabel order by e.enumsortorder) from pg_enum e
    where e.enumtypid = t.oid), '[]') as enum_labels,
  coalesce((select r.rngsubtype::int from pg_range r where r.rngtypid = t.oid), 0) as range_subtype,
  coalesce((select json_agg(json_build_object('name', a.attname, 'typeOid', a.atttypid::int,
      'typmod', a.atttypmod) order by a.attnum)
    from pg_attribute a where a.attrelid = t.typrelid and t.typtype = 'c' and a.attnum > 0
      and not a.attisdropped), '[]') as attributes
from pg_type t where t.oid = any($1::oid[])`;

interface TableRow {
  oid: number;
  schema: string;
  name: string;
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  unique_keys: number[][];
}

interface TypeRow {
  oid: number;
  name: string;
  typname: string;
  typtype: string;
  typcategory: string;
  elem: number;
  base_type: number;
  base_typmod: number;
  domain_not_null: boolean;
  domain_checks: string[];
  enum_labels: string[];
  range_subtype: number;
  attributes: Array<{ name: string; typeOid: number; typmod: number }>;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * alembic's version table (any schema, any configured name): one `version_num` column.
 * Rows in it would tell alembic the database is at a revision that does not exist.
 */
function isVersionTable(row: TableRow): boolean {
  return row.columns.length === 1 && row.columns[0]?.name === 'version_num';
}

export async function readCatalog(client: pg.Client): Promise<Catalog> {
  const tableRows = (await client.query<TableRow>(TABLES_SQL)).rows.filter((r) => !isVersionTable(r));
  const tables: CatalogTable[] = tableRows.map((r) => ({
    oid: r.oid,
    schema: r.schema,
    name: r.name,
    sql: `${quoteIdent(r.schema)}.${quoteIdent(r.name)}`,
    label: r.schema === 'public' ? r.name : `${r.schema}.${r.name}`,
    columns: r.columns,
    constraints: r.constraints,
    uniqueKeys: r.unique_keys,
  }));
  const types = new Map<number, CatalogType>();
  let wanted = new Set<number>(tables.flatMap((t) => t.columns.map((c) => c.typeOid)));
  while (wanted.size > 0) {
    const rows = (await client.query<TypeRow>(TYPES_SQL, [[...wanted]])).rows;
    wanted = new Set();
    for (const r of rows) {
      const type: CatalogType = {
        oid: r.oid,
        name: r.name,
        typname: r.typname,
        typtype: r.typtype,
        typcategory: r.typcategory,
        elem: r.typcategory === 'A' ? r.elem : 0,
        baseType: r.base_type,
        baseTypmod: r.base_typmod,
        domainNotNull: r.domain_not_null,
        domainChecks: r.domain_checks,
        enumLabels: r.enum_labels,
        rangeSubtype: r.range_subtype,
        attributes: r.attributes,
      };
      types.set(r.oid, type);
      for (const next of [
        type.elem,
        type.baseType,
        type.rangeSubtype,
        ...type.attributes.map((a) => a.typeOid),
      ])
        if (next !== 0 && !types.has(next)) wanted.add(next);
    }
  }
  return { tables, types };
}
