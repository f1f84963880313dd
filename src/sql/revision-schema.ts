/**
 * What a revision's statements did to the schema, recorded in statement order so rules can ask
 * "was this true before statement N?" (new tables, columns and indexes, validated NOT NULL
 * checks, column types), "what happens to it later?" (a table the revision drops further on)
 * and "what is true at the end?" (indexes covering a new foreign key). Follows PostgreSQL:
 * DROP COLUMN takes the indexes and constraints on that column with it, a table rename
 * carries its indexes, foreign keys, checks and columns along.
 */
import type { ColumnDef, Constraint, Node } from 'libpg-query';
import {
  as,
  columnTypeOf,
  constraintsOf,
  nodeKind,
  parseFormattedType,
  relationName,
  strings,
} from './ast.js';

import {
  SchemaState,
  addInterval,
  closeInterval,
  columnKey,
  inInterval,
  qualifyLike,
} from './schema-state.js';

export type { ExistingIndex, IndexInfo, NewForeignKey } from './schema-state.js';

/** Applies each statement, in order, to the schema state the rules then query. */
export class RevisionSchema extends SchemaState {
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
