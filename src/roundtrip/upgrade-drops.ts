/**
 * What a revision's upgrade dropped on purpose, and the data losses its downgrade is answerable
 * for. A column or table the upgrade drops takes its values with it: no downgrade can give them
 * back, and that loss is the drop's finding (two-step-column-drop, drop-table, or an inline
 * ignore that says why the drop is safe), not downgrade-loses-data's. The downgrade answers for
 * the data that existed after the upgrade: values the upgrade moved elsewhere before dropping
 * their old home (its INSERT / UPDATE / CREATE TABLE AS names the dropped table or column) stay
 * the downgrade's to move back.
 *
 * Read from the SQL the upgrade executed (alembic's `ALTER TABLE t DROP COLUMN c`,
 * `DROP TABLE t`), like data-note.ts reads its data changes.
 */
import type { DataDifference } from './data.js';
import type { RevisionRoundTrip } from './types.js';

export interface UpgradeDrops {
  /** Tables dropped, labelled like DataDifference.table (`name` in public, `schema.name` elsewhere). */
  tables: Set<string>;
  /** Columns dropped, as `<table label>.<column>`. */
  columns: Set<string>;
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QUALIFIED = String.raw`${IDENT}(?:\s*\.\s*${IDENT})?`;
const ALTER_TABLE = new RegExp(
  String.raw`^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(${QUALIFIED})\s+([\s\S]*)$`,
  'i',
);
const DROP_COLUMN = new RegExp(
  String.raw`(?:^|,)\s*DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(${IDENT})`,
  'gi',
);
const DROP_TABLE = new RegExp(
  String.raw`^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\s\S]*?)\s*(?:CASCADE|RESTRICT)?\s*;?\s*$`,
  'i',
);
/** SQL that writes rows somewhere (a move reads the old home): INSERT … SELECT, UPDATE … FROM, CREATE TABLE AS. */
const WRITES_ROWS =
  /^\s*(?:WITH\b[\s\S]*?\)\s*)?(?:INSERT|UPDATE|MERGE|CREATE\s+(?:\w+\s+)*TABLE\s+[\s\S]*\bAS\b|SELECT\b[\s\S]*\bINTO\b)/i;

function unquote(ident: string): string {
  const t = ident.trim();
  return t.startsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t.toLowerCase();
}

/** `public.users` and `users` → `users`; `billing.invoices` stays. */
function tableLabel(qualified: string): string {
  const parts = qualified.match(new RegExp(IDENT, 'g'))?.map(unquote) ?? [];
  if (parts.length === 2 && parts[0] !== 'public') return `${parts[0]}.${parts[1]}`;
  return parts.at(-1) ?? '';
}

function upgradeSql(rt: RevisionRoundTrip): string[] {
  const step = rt.steps.find((s) => s.phase === 'upgrade');
  return (step?.statements ?? [])
    .filter((s) => !s.bookkeeping && (!s.revision || s.revision === rt.id))
    .map((s) => s.sql);
}

/** The tables and columns the upgrade's own statements dropped. */
export function upgradeDrops(rt: RevisionRoundTrip): UpgradeDrops {
  const out: UpgradeDrops = { tables: new Set(), columns: new Set() };
  for (const sql of upgradeSql(rt)) {
    const drop = DROP_TABLE.exec(sql);
    if (drop?.[1]) {
      for (const name of drop[1].split(',')) if (name.trim()) out.tables.add(tableLabel(name));
      continue;
    }
    const alter = ALTER_TABLE.exec(sql);
    if (!alter?.[1] || !alter[2]) continue;
    const table = tableLabel(alter[1]);
    for (const m of alter[2].matchAll(DROP_COLUMN)) {
      const column = m[1] ? unquote(m[1]) : '';
      // DROP CONSTRAINT / DEFAULT / NOT NULL are not columns.
      if (column && !/^(constraint|default|not|identity|expression)$/i.test(m[1] ?? '')) {
        out.columns.add(`${table}.${column}`);
      }
    }
  }
  return out;
}

/** True when an upgrade statement that writes rows names `name` (the data may have moved). */
function movedFrom(writes: string[], name: string): boolean {
  const word = new RegExp(
    String.raw`(?:^|[^\w$])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(?![\w$])`,
    'i',
  );
  return writes.some((sql) => word.test(sql));
}

/**
 * The differences the downgrade is answerable for: without the tables and columns the upgrade
 * dropped (unless it first moved their rows elsewhere). A difference left with no column of
 * its own is not the downgrade's.
 */
export function downgradeLosses(rt: RevisionRoundTrip): DataDifference[] {
  const differences = rt.data?.differences ?? [];
  if (differences.length === 0) return [];
  const drops = upgradeDrops(rt);
  if (drops.tables.size === 0 && drops.columns.size === 0) return differences;
  const writes = upgradeSql(rt).filter((sql) => WRITES_ROWS.test(sql));
  const droppedHere = (table: string, column?: string): boolean => {
    const bare = table.split('.').at(-1) ?? table;
    if (column === undefined) return drops.tables.has(table) && !movedFrom(writes, bare);
    return drops.columns.has(`${table}.${column}`) && !movedFrom(writes, column);
  };
  const out: DataDifference[] = [];
  for (const d of differences) {
    if (droppedHere(d.table)) continue;
    // Rows gone from a table the upgrade kept are the downgrade's doing.
    if (d.missing > 0) {
      out.push(d);
      continue;
    }
    const columns = d.columns.filter((c) => !droppedHere(d.table, c));
    if (columns.length === d.columns.length) out.push(d);
    else if (columns.length > 0) out.push({ ...d, columns });
  }
  return out;
}
