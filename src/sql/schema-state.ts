/**
 * The state behind RevisionSchema (revision-schema.ts) and the questions rules ask of it:
 * which tables, columns and indexes are new at statement N, what a later statement drops,
 * which NOT NULL checks are validated, a column's type before N, the indexes at the end.
 * Intervals of statement seqs record when something was new; revision-schema.ts writes them.
 */
import type { ColumnType } from './ast.js';
import { parseFormattedType } from './ast.js';

export interface Interval {
  /** Created by the statement with this seq; "new" for later statements. */
  from: number;
  /** Dropped or renamed away by the statement with this seq (still "new" for it). */
  to: number;
}

export interface IndexInfo {
  name: string | null;
  table: string;
  columns: string[];
  partial: boolean;
}

export interface NewForeignKey {
  seq: number;
  table: string;
  columns: string[];
  refTable: string;
  name: string | null;
  dropped: boolean;
}

/** An index that existed before the revision, by its (schema-qualified unless public) name. */
export interface ExistingIndex {
  table: string;
  columns: string[];
}

/** A DROP TABLE or a table rename, in statement order (for "dropped later in the revision"). */
export interface TableEvent {
  seq: number;
  name: string;
  /** New name of a rename; null for a drop. */
  to: string | null;
}

export interface CheckInfo {
  table: string;
  name: string | null;
  /** Column of a `col IS NOT NULL` check, else null. */
  notNullColumn: string | null;
  /** Seq of the statement after which the check was validated; null = NOT VALID so far. */
  validatedAt: number | null;
  droppedAt: number | null;
}

export class SchemaState {
  protected readonly tables = new Map<string, Interval[]>();
  protected readonly newIndexes = new Map<string, Interval[]>();
  protected readonly indexes = new Map<string, IndexInfo[]>();
  protected readonly checks: CheckInfo[] = [];
  protected readonly columnTypes = new Map<string, { seq: number; type: ColumnType }[]>();
  protected readonly existingTypes: Record<string, Record<string, string>>;
  /** `table\0column` of columns the revision added (or created with a table). */
  protected readonly newColumns = new Map<string, Interval[]>();
  protected readonly tableEvents: TableEvent[] = [];
  /** `seq\0index` → table of an index a DROP INDEX removed. */
  protected readonly droppedIndexTables = new Map<string, string>();
  readonly foreignKeys: NewForeignKey[] = [];

  /**
   * `existingIndexNames`, when known, names the existing indexes so a DROP INDEX of one of them
   * removes it (and tells which table it was on); without it the column lists are used unnamed.
   */
  constructor(
    existingIndexes: Record<string, string[][]>,
    existingColumnTypes: Record<string, Record<string, string>>,
    existingIndexNames?: Record<string, ExistingIndex>,
  ) {
    if (existingIndexNames && Object.keys(existingIndexNames).length > 0) {
      for (const [name, index] of Object.entries(existingIndexNames)) {
        this.addIndex({ name, table: index.table, columns: index.columns, partial: false });
      }
    } else {
      for (const [table, lists] of Object.entries(existingIndexes)) {
        this.indexes.set(
          table,
          lists.map((columns) => ({ name: null, table, columns, partial: false })),
        );
      }
    }
    this.existingTypes = existingColumnTypes;
  }

  isNewTable(table: string, seq: number): boolean {
    return inInterval(this.tables.get(table), seq);
  }

  isNewIndex(name: string, seq: number): boolean {
    return inInterval(this.newIndexes.get(name), seq);
  }

  /** The column was added (or its table created) earlier in this revision and still exists at `seq`. */
  isNewColumn(table: string, column: string, seq: number): boolean {
    return this.isNewTable(table, seq) || inInterval(this.newColumns.get(columnKey(table, column)), seq);
  }

  /**
   * The table (under this name at `seq`) is dropped by a later statement of the revision,
   * following renames: whatever is done to it before is undone by the DROP TABLE, which takes
   * the same ACCESS EXCLUSIVE lock anyway.
   */
  isDroppedLater(table: string, seq: number): boolean {
    let name = table;
    for (const event of this.tableEvents) {
      if (event.seq < seq || event.name !== name) continue;
      // A rename at `seq` is the statement itself: follow the new name; a drop must come later.
      if (event.to === null) {
        if (event.seq > seq) return true;
      } else name = event.to;
    }
    return false;
  }

  /** The table of the index that statement `seq` dropped, when the index was known. */
  tableOfDroppedIndex(name: string, seq: number): string | undefined {
    return this.droppedIndexTables.get(`${seq}\u0000${name}`);
  }

  /** Indexes on the table after the whole revision (known ones: existing input + created). */
  indexesAtEnd(table: string): IndexInfo[] {
    return this.indexes.get(table) ?? [];
  }

  /** The table a (named) index currently belongs to. */
  protected tableOfIndex(name: string): string | undefined {
    return this.tableOfNewIndex(name);
  }

  /** The table an index created in this revision (or a named existing one) belongs to. */
  tableOfNewIndex(name: string): string | undefined {
    for (const list of this.indexes.values()) {
      const hit = list.find((i) => i.name === name);
      if (hit) return hit.table;
    }
    return undefined;
  }

  /** A validated `CHECK (column IS NOT NULL)` on the table existed before statement `seq`. */
  hasValidatedNotNullCheck(table: string, column: string, seq: number): boolean {
    return this.checks.some(
      (c) =>
        c.table === table &&
        c.notNullColumn === column &&
        c.validatedAt !== null &&
        c.validatedAt < seq &&
        (c.droppedAt === null || c.droppedAt >= seq),
    );
  }

  /** The column's type just before statement `seq`, when known. */
  columnTypeBefore(table: string, column: string, seq: number): ColumnType | null {
    const history = this.columnTypes.get(columnKey(table, column)) ?? [];
    let found: ColumnType | null = null;
    for (const h of history) if (h.seq < seq) found = h.type;
    if (found) return found;
    const formatted = this.existingTypes[table]?.[column];
    return formatted ? parseFormattedType(formatted) : null;
  }

  protected addIndex(index: IndexInfo): void {
    const list = this.indexes.get(index.table) ?? [];
    list.push(index);
    this.indexes.set(index.table, list);
  }

  protected removeIndex(name: string): void {
    for (const [table, list] of this.indexes) {
      const kept = list.filter((i) => i.name !== name);
      if (kept.length !== list.length) this.indexes.set(table, kept);
    }
  }

  protected recordType(seq: number, table: string, column: string, type: ColumnType): void {
    const key = columnKey(table, column);
    const history = this.columnTypes.get(key) ?? [];
    history.push({ seq, type });
    this.columnTypes.set(key, history);
  }
}

export function columnKey(table: string, column: string): string {
  return `${table}\u0000${column}`;
}

export function inInterval(intervals: Interval[] | undefined, seq: number): boolean {
  return !!intervals?.some((iv) => iv.from < seq && seq <= iv.to);
}

export function addInterval(map: Map<string, Interval[]>, name: string, from: number): void {
  const list = map.get(name) ?? [];
  list.push({ from, to: Number.POSITIVE_INFINITY });
  map.set(name, list);
}

export function closeInterval(map: Map<string, Interval[]>, name: string, at: number): void {
  for (const iv of map.get(name) ?? []) if (iv.from < at && iv.to === Number.POSITIVE_INFINITY) iv.to = at;
}

/** `schema.other` for an object in the same schema as `sibling` (indexes live with their table). */
export function qualifyLike(sibling: string, name: string): string {
  const dot = sibling.lastIndexOf('.');
  return dot > 0 ? `${sibling.slice(0, dot)}.${name}` : name;
}
