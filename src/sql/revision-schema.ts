/**
 * What a revision's statements did to the schema, recorded in statement order so rules can ask
 * "was this true before statement N?" (new tables, columns and indexes, validated NOT NULL
 * checks, column types), "what happens to it later?" (a table the revision drops further on)
 * and "what is true at the end?" (indexes covering a new foreign key). Follows PostgreSQL:
 * DROP COLUMN takes the indexes and constraints on that column with it, a table rename
 * carries its indexes, foreign keys, checks and columns along.
 */
import type { ColumnDef, Constraint, Node } from 'libpg-query';
import type { ColumnType } from './ast.js';
import {
  as,
  columnTypeOf,
  constraintsOf,
  nodeKind,
  parseFormattedType,
  relationName,
  strings,
} from './ast.js';

interface Interval {
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
interface TableEvent {
  seq: number;
  name: string;
  /** New name of a rename; null for a drop. */
  to: string | null;
}

interface CheckInfo {
  table: string;
  name: string | null;
  /** Column of a `col IS NOT NULL` check, else null. */
  notNullColumn: string | null;
  /** Seq of the statement after which the check was validated; null = NOT VALID so far. */
  validatedAt: number | null;
  droppedAt: number | null;
}

export class RevisionSchema {
  private readonly tables = new Map<string, Interval[]>();
  private readonly newIndexes = new Map<string, Interval[]>();
  private readonly indexes = new Map<string, IndexInfo[]>();
  private readonly checks: CheckInfo[] = [];
  private readonly columnTypes = new Map<string, { seq: number; type: ColumnType }[]>();
  private readonly existingTypes: Record<string, Record<string, string>>;
  /** `table\0column` of columns the revision added (or created with a table). */
  private readonly newColumns = new Map<string, Interval[]>();
  private readonly tableEvents: TableEvent[] = [];
  /** `seq\0index` → table of an index a DROP INDEX removed. */
  private readonly droppedIndexTables = new Map<string, string>();
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
  private tableOfIndex(name: string): string | undefined {
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

  apply(stmt: { seq: number; node: Node }): void {
    const { seq, node } = stmt;
    switch (nodeKind(node)) {
      case 'CreateStmt':
        return this.createTable(seq, node);
      case 'CreateTableAsStmt': {
        const table = relationName(as(node, 'CreateTableAsStmt')?.into?.rel);
        if (table) addInterval(this.tables, table, seq);
        return;
      }
      case 'SelectStmt': {
        // SELECT … INTO new_table creates the table like CREATE TABLE AS.
        const table = relationName(as(node, 'SelectStmt')?.intoClause?.rel);
        if (table) addInterval(this.tables, table, seq);
        return;
      }
      case 'IndexStmt': {
        const idx = as(node, 'IndexStmt');
        if (!idx) return;
        const table = relationName(idx.relation);
        const columns = (idx.indexParams ?? []).map((p) => {
          const elem = as(p, 'IndexElem');
          return elem?.name ?? '(expression)';
        });
        const name = idx.idxname ? qualifyLike(table, idx.idxname) : null;
        if (name) addInterval(this.newIndexes, name, seq);
        this.addIndex({ name, table, columns, partial: !!idx.whereClause });
        return;
      }
      case 'DropStmt':
        return this.drop(seq, node);
      case 'RenameStmt':
        return this.rename(seq, node);
      case 'AlterTableStmt':
        return this.alterTable(seq, node);
      default:
        return;
    }
  }

  private rename(seq: number, node: Node): void {
    const r = as(node, 'RenameStmt');
    if (!r?.newname) return;
    if (r.renameType === 'OBJECT_TABLE') return this.renameTable(seq, relationName(r.relation), r.newname);
    if (
      r.renameType === 'OBJECT_COLUMN' &&
      r.subname &&
      (!r.relationType || r.relationType === 'OBJECT_TABLE')
    )
      this.renameColumn(seq, relationName(r.relation), r.subname, r.newname);
    if (r.renameType === 'OBJECT_INDEX') {
      const from = relationName(r.relation);
      const to = qualifyLike(from, r.newname);
      for (const list of this.indexes.values()) for (const i of list) if (i.name === from) i.name = to;
      if (this.isNewIndex(from, seq)) {
        closeInterval(this.newIndexes, from, seq);
        addInterval(this.newIndexes, to, seq - 0.5);
      }
    }
  }

  /** The table's indexes, foreign keys, checks, columns and types follow it to its new name. */
  private renameTable(seq: number, from: string, newname: string): void {
    const to = qualifyLike(from, newname);
    this.tableEvents.push({ seq, name: from, to });
    if (this.isNewTable(from, seq)) {
      closeInterval(this.tables, from, seq);
      addInterval(this.tables, to, seq - 0.5);
    }
    const list = this.indexes.get(from);
    if (list) {
      this.indexes.delete(from);
      this.indexes.set(
        to,
        list.map((i) => ({ ...i, table: to })),
      );
    }
    for (const fk of this.foreignKeys) {
      if (fk.table === from && !fk.dropped) fk.table = to;
      if (fk.refTable === from) fk.refTable = to;
    }
    for (const c of this.checks) if (c.table === from && c.droppedAt === null) c.table = to;
    const prefix = `${from}\u0000`;
    for (const map of [this.newColumns, this.columnTypes] as Map<string, unknown[]>[]) {
      for (const [key, value] of [...map]) {
        if (!key.startsWith(prefix)) continue;
        map.delete(key);
        map.set(columnKey(to, key.slice(prefix.length)), value);
      }
    }
    const existing = this.existingTypes[from];
    if (existing) this.existingTypes[to] = existing;
  }

  private renameColumn(seq: number, table: string, from: string, to: string): void {
    const rename = (c: string) => (c === from ? to : c);
    for (const i of this.indexes.get(table) ?? []) i.columns = i.columns.map(rename);
    for (const fk of this.foreignKeys)
      if (fk.table === table && !fk.dropped) fk.columns = fk.columns.map(rename);
    for (const c of this.checks) if (c.table === table && c.notNullColumn === from) c.notNullColumn = to;
    if (inInterval(this.newColumns.get(columnKey(table, from)), seq)) {
      closeInterval(this.newColumns, columnKey(table, from), seq);
      addInterval(this.newColumns, columnKey(table, to), seq - 0.5);
    }
    const history = this.columnTypes.get(columnKey(table, from));
    if (history) this.columnTypes.set(columnKey(table, to), [...history]);
    else {
      const formatted = this.existingTypes[table]?.[from];
      if (formatted) {
        const type = parseFormattedType(formatted);
        if (type) this.recordType(seq, table, to, type);
      }
    }
  }

  /**
   * PostgreSQL drops the indexes and table constraints that involve the column along with it
   * (ALTER TABLE … DROP COLUMN), so they no longer serve a foreign key or a NOT NULL check.
   */
  private dropColumn(seq: number, table: string, column: string): void {
    closeInterval(this.newColumns, columnKey(table, column), seq);
    const list = this.indexes.get(table);
    if (list) {
      this.indexes.set(
        table,
        list.filter((i) => !i.columns.includes(column)),
      );
    }
    for (const fk of this.foreignKeys)
      if (fk.table === table && fk.columns.includes(column)) fk.dropped = true;
    for (const c of this.checks) if (c.table === table && c.notNullColumn === column) c.droppedAt ??= seq;
  }

  private createTable(seq: number, node: Node): void {
    const create = as(node, 'CreateStmt');
    if (!create) return;
    const table = relationName(create.relation);
    addInterval(this.tables, table, seq);
    for (const elt of create.tableElts ?? []) {
      const col = as(elt, 'ColumnDef');
      if (col) {
        this.addColumn(seq, table, col);
        continue;
      }
      const con = as(elt, 'Constraint');
      if (con) this.addConstraint(seq, table, con, true);
    }
  }

  private addColumn(seq: number, table: string, col: ColumnDef): void {
    const name = col.colname ?? '';
    addInterval(this.newColumns, columnKey(table, name), seq);
    const type = columnTypeOf(col.typeName);
    if (type) this.recordType(seq, table, name, type);
    for (const c of constraintsOf(col)) {
      if (c.contype === 'CONSTR_FOREIGN') {
        this.foreignKeys.push({
          seq,
          table,
          columns: [name],
          refTable: relationName(c.pktable),
          name: c.conname ?? null,
          dropped: false,
        });
      } else if (c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE') {
        this.addIndex({
          name: c.conname ? qualifyLike(table, c.conname) : null,
          table,
          columns: [name],
          partial: false,
        });
      }
    }
  }

  private addConstraint(seq: number, table: string, con: Constraint, validNow: boolean): void {
    switch (con.contype) {
      case 'CONSTR_FOREIGN':
        this.foreignKeys.push({
          seq,
          table,
          columns: strings(con.fk_attrs),
          refTable: relationName(con.pktable),
          name: con.conname ?? null,
          dropped: false,
        });
        return;
      case 'CONSTR_PRIMARY':
      case 'CONSTR_UNIQUE': {
        const name = con.conname ? qualifyLike(table, con.conname) : null;
        const usingIndex = con.indexname ? qualifyLike(table, con.indexname) : null;
        const existing = usingIndex ? this.indexesAtEnd(table).find((i) => i.name === usingIndex) : undefined;
        const columns = existing ? existing.columns : strings(con.keys);
        if (columns.length) this.addIndex({ name, table, columns, partial: false });
        return;
      }
      case 'CONSTR_CHECK':
        this.checks.push({
          table,
          name: con.conname ?? null,
          notNullColumn: notNullCheckColumn(con.raw_expr),
          validatedAt: validNow && !con.skip_validation ? seq - 0.5 : null,
          droppedAt: null,
        });
        return;
      default:
        return;
    }
  }

  private alterTable(seq: number, node: Node): void {
    const alter = as(node, 'AlterTableStmt');
    if (!alter || (alter.objtype && alter.objtype !== 'OBJECT_TABLE')) return;
    const table = relationName(alter.relation);
    for (const n of alter.cmds ?? []) {
      const cmd = as(n, 'AlterTableCmd');
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const col = as(cmd.def, 'ColumnDef');
          if (col) this.addColumn(seq, table, col);
          break;
        }
        case 'AT_AlterColumnType': {
          const type = columnTypeOf(as(cmd.def, 'ColumnDef')?.typeName);
          if (type && cmd.name) this.recordType(seq, table, cmd.name, type);
          break;
        }
        case 'AT_AddConstraint': {
          const con = as(cmd.def, 'Constraint');
          if (con) this.addConstraint(seq, table, con, true);
          break;
        }
        case 'AT_DropColumn':
          if (cmd.name) this.dropColumn(seq, table, cmd.name);
          break;
        case 'AT_ValidateConstraint':
          for (const c of this.checks) {
            if (c.table === table && c.name === cmd.name && c.validatedAt === null) c.validatedAt = seq;
          }
          break;
        case 'AT_DropConstraint':
          if (!cmd.name) break;
          for (const c of this.checks) if (c.table === table && c.name === cmd.name) c.droppedAt ??= seq;
          for (const fk of this.foreignKeys)
            if (fk.table === table && fk.name === cmd.name) fk.dropped = true;
          this.removeIndex(qualifyLike(table, cmd.name));
          break;
        default:
          break;
      }
    }
  }

  private drop(seq: number, node: Node): void {
    const drop = as(node, 'DropStmt');
    if (!drop) return;
    for (const obj of drop.objects ?? []) {
      const name = qualifiedFromList(obj);
      if (!name) continue;
      if (drop.removeType === 'OBJECT_TABLE') {
        this.tableEvents.push({ seq, name, to: null });
        closeInterval(this.tables, name, seq);
        this.indexes.delete(name);
        for (const fk of this.foreignKeys) if (fk.table === name) fk.dropped = true;
        for (const c of this.checks) if (c.table === name) c.droppedAt ??= seq;
        const prefix = `${name}\u0000`;
        for (const key of this.newColumns.keys())
          if (key.startsWith(prefix)) closeInterval(this.newColumns, key, seq);
      } else if (drop.removeType === 'OBJECT_INDEX') {
        const table = this.tableOfIndex(name);
        if (table !== undefined) this.droppedIndexTables.set(`${seq}\u0000${name}`, table);
        closeInterval(this.newIndexes, name, seq);
        this.removeIndex(name);
      }
    }
  }

  private addIndex(index: IndexInfo): void {
    const list = this.indexes.get(index.table) ?? [];
    list.push(index);
    this.indexes.set(index.table, list);
  }

  private removeIndex(name: string): void {
    for (const [table, list] of this.indexes) {
      const kept = list.filter((i) => i.name !== name);
      if (kept.length !== list.length) this.indexes.set(table, kept);
    }
  }

  private recordType(seq: number, table: string, column: string, type: ColumnType): void {
    const key = columnKey(table, column);
    const history = this.columnTypes.get(key) ?? [];
    history.push({ seq, type });
    this.columnTypes.set(key, history);
  }
}

function columnKey(table: string, column: string): string {
  return `${table}\u0000${column}`;
}

function inInterval(intervals: Interval[] | undefined, seq: number): boolean {
  return !!intervals?.some((iv) => iv.from < seq && seq <= iv.to);
}

function addInterval(map: Map<string, Interval[]>, name: string, from: number): void {
  const list = map.get(name) ?? [];
  list.push({ from, to: Number.POSITIVE_INFINITY });
  map.set(name, list);
}

function closeInterval(map: Map<string, Interval[]>, name: string, at: number): void {
  for (const iv of map.get(name) ?? []) if (iv.from < at && iv.to === Number.POSITIVE_INFINITY) iv.to = at;
}

/** `schema.other` for an object in the same schema as `sibling` (indexes live with their table). */
function qualifyLike(sibling: string, name: string): string {
  const dot = sibling.lastIndexOf('.');
  return dot > 0 ? `${sibling.slice(0, dot)}.${name}` : name;
}

function qualifiedFromList(obj: Node): string {
  const list = as(obj, 'List');
  const parts = strings(list?.items);
  if (parts.length === 0) return '';
  if (parts.length >= 2 && parts[parts.length - 2] !== 'public') return parts.slice(-2).join('.');
  return parts[parts.length - 1] ?? '';
}

/** `CHECK (col IS NOT NULL)` → "col". */
function notNullCheckColumn(expr: Node | undefined): string | null {
  const test = as(expr, 'NullTest');
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return null;
  const fields = strings(as(test.arg, 'ColumnRef')?.fields);
  return fields[fields.length - 1] ?? null;
}
