/**
 * Readable differences between two schema snapshots, one line each, worded relative to the
 * comparison: `index ix_orders_user_id remains after downgrade`,
 * `column orders.note: type text → character varying(20) after re-upgrade`,
 * `table audit_log is missing after downgrade`.
 */
import type { ColumnSnapshot, ConstraintSnapshot, SchemaSnapshot } from './snapshot.js';

/** e.g. 'after downgrade' (before = schema before upgrade) or 'after re-upgrade'. */
export type DiffContext = string;

interface Kind<T> {
  label: string;
  pick: (s: SchemaSnapshot) => Record<string, T>;
  /** Attribute-level changes of one object; empty when equal. */
  changes: (before: T, after: T) => string[];
}

const compareText =
  (attribute: string) =>
  (before: string, after: string): string[] =>
    before === after ? [] : [`${attribute} ${short(before)} → ${short(after)}`];

const columnChanges = (b: ColumnSnapshot, a: ColumnSnapshot): string[] => {
  const out: string[] = [];
  if (b.type !== a.type) out.push(`type ${b.type} → ${a.type}`);
  if (b.notNull !== a.notNull)
    out.push(`nullability ${b.notNull ? 'NOT NULL' : 'NULL'} → ${a.notNull ? 'NOT NULL' : 'NULL'}`);
  if (b.default !== a.default) out.push(`default ${b.default ?? 'none'} → ${a.default ?? 'none'}`);
  if (b.identity !== a.identity) out.push(`identity ${identity(b.identity)} → ${identity(a.identity)}`);
  if (b.generated !== a.generated) out.push(`generated ${b.generated ?? 'none'} → ${a.generated ?? 'none'}`);
  if (b.collation !== a.collation)
    out.push(`collation ${b.collation ?? 'default'} → ${a.collation ?? 'default'}`);
  return out;
};

const constraintChanges = (b: ConstraintSnapshot, a: ConstraintSnapshot): string[] => {
  const out: string[] = [];
  if (b.definition !== a.definition) out.push(`definition ${short(b.definition)} → ${short(a.definition)}`);
  if (b.validated !== a.validated)
    out.push(`${b.validated ? 'validated' : 'NOT VALID'} → ${a.validated ? 'validated' : 'NOT VALID'}`);
  return out;
};

const TABLE_KINDS: Record<string, string> = { r: 'table', p: 'partitioned table', f: 'foreign table' };

// Order matters: tables before their columns, so the reader sees the cause first.
const KINDS: Array<Kind<unknown>> = [
  { label: 'extension', pick: (s) => s.extensions, changes: compareText('version') } as Kind<unknown>,
  {
    label: 'schema',
    pick: (s) => Object.fromEntries(s.schemas.map((n) => [n, n])),
    changes: () => [],
  },
  {
    label: 'table',
    pick: (s) => s.tables,
    changes: (b, a) =>
      b === a ? [] : [`kind ${TABLE_KINDS[String(b)] ?? b} → ${TABLE_KINDS[String(a)] ?? a}`],
  },
  { label: 'column', pick: (s) => s.columns, changes: columnChanges } as Kind<unknown>,
  { label: 'index', pick: (s) => s.indexes, changes: compareText('definition') } as Kind<unknown>,
  { label: 'constraint', pick: (s) => s.constraints, changes: constraintChanges } as Kind<unknown>,
  {
    label: 'enum type',
    pick: (s) => s.enums,
    changes: (b, a) => {
      const before = (b as string[]).join(', ');
      const after = (a as string[]).join(', ');
      return before === after ? [] : [`labels (${before}) → (${after})`];
    },
  },
  { label: 'type', pick: (s) => s.types, changes: compareText('definition') } as Kind<unknown>,
  { label: 'sequence', pick: (s) => s.sequences, changes: compareText('parameters') } as Kind<unknown>,
  { label: 'view', pick: (s) => s.views, changes: compareText('definition') } as Kind<unknown>,
  { label: 'function', pick: (s) => s.functions, changes: compareText('definition') } as Kind<unknown>,
  { label: 'trigger', pick: (s) => s.triggers, changes: compareText('definition') } as Kind<unknown>,
];

/**
 * Lines describing how `after` differs from `before`; [] when equal. `context` names the
 * moment `after` was taken ('after downgrade', 'after re-upgrade').
 */
export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot, context: DiffContext): string[] {
  const lines: string[] = [];
  const extraWord = /downgrade/.test(context) ? 'remains' : 'appears';
  const droppedTables = new Set(Object.keys(before.tables).filter((t) => !(t in after.tables)));
  const addedTables = new Set(Object.keys(after.tables).filter((t) => !(t in before.tables)));
  for (const kind of KINDS) {
    const b = kind.pick(before);
    const a = kind.pick(after);
    const names = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const name of names) {
      // A whole missing/extra table explains its columns, constraints and triggers.
      const value = a[name] ?? b[name];
      if (kind.label !== 'table' && coveredByTable(kind.label, name, value, droppedTables, addedTables))
        continue;
      const label = kind.label === 'table' ? (TABLE_KINDS[String(value)] ?? 'table') : kind.label;
      if (!(name in a)) lines.push(`${label} ${name} is missing ${context}`);
      else if (!(name in b)) lines.push(`${label} ${name} ${extraWord} ${context}`);
      else
        for (const change of kind.changes(b[name], a[name]))
          lines.push(`${label} ${name}: ${change} ${context}`);
    }
  }
  return lines;
}

export function snapshotsEqual(a: SchemaSnapshot, b: SchemaSnapshot): boolean {
  return diffSnapshots(a, b, '').length === 0;
}

function coveredByTable(
  label: string,
  name: string,
  value: unknown,
  dropped: Set<string>,
  added: Set<string>,
): boolean {
  let table: string | null = null;
  if (label === 'column' || label === 'constraint' || label === 'trigger')
    table = name.slice(0, name.lastIndexOf('.'));
  else if (label === 'index') {
    // pg_get_indexdef: CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …
    const m = / ON (?:ONLY )?(\S+) USING /.exec(String(value));
    table = m?.[1]?.replace(/^public\./, '').replace(/"/g, '') ?? null;
  }
  return table !== null && (dropped.has(table) || added.has(table));
}

function identity(code: string): string {
  return code === 'a' ? 'ALWAYS' : code === 'd' ? 'BY DEFAULT' : 'none';
}

function short(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
