/** Shared pieces of the SQL rules (rules/<id>.ts): finding placement, ALTER TABLE reading, locks. */
import type { AlterTableCmd, ColumnDef, Constraint } from 'libpg-query';
import type { LockInfo, RuleFinding } from '../model.js';
import { as, relationName } from './ast.js';
import type { AnalyzedStatement, SqlRuleContext } from './rule-context.js';

/** A finding placed on a statement: revision, file, line and the statement's SQL. */
export function findingAt(
  ctx: SqlRuleContext,
  stmt: { line: number | null; text: string },
  message: string,
  help?: string,
): RuleFinding {
  const f: RuleFinding = {
    message,
    revision: ctx.revision,
    file: ctx.file,
    line: stmt.line,
    statement: stmt.text,
  };
  if (help !== undefined) f.help = help;
  return f;
}

export function q(name: string): string {
  return `"${name}"`;
}

export interface AlterTable {
  table: string;
  cmds: AlterTableCmd[];
}

const alterCache = new WeakMap<AnalyzedStatement, AlterTable | null>();

/** The table and subcommands of an `ALTER TABLE` (not of ALTER INDEX/VIEW/…); read once per statement. */
export function alterTableOf(stmt: AnalyzedStatement): AlterTable | null {
  let cached = alterCache.get(stmt);
  if (cached === undefined) {
    cached = readAlterTable(stmt);
    alterCache.set(stmt, cached);
  }
  return cached;
}

function readAlterTable(stmt: AnalyzedStatement): AlterTable | null {
  const alter = as(stmt.node, 'AlterTableStmt');
  if (!alter || (alter.objtype !== undefined && alter.objtype !== 'OBJECT_TABLE')) return null;
  const cmds: AlterTableCmd[] = [];
  for (const n of alter.cmds ?? []) {
    const cmd = as(n, 'AlterTableCmd');
    if (cmd) cmds.push(cmd);
  }
  return { table: relationName(alter.relation), cmds };
}

/**
 * A table that existed before the revision and outlives it: statements on a table the revision
 * created (no application uses it yet) or drops later (the DROP TABLE takes the same ACCESS
 * EXCLUSIVE lock and undoes the change) are not existing-table problems.
 */
export function isLiveTable(ctx: SqlRuleContext, table: string, seq: number): boolean {
  return !ctx.isNewTable(table, seq) && !ctx.isDroppedLater(table, seq);
}

/** `ALTER TABLE` statements on live tables (see isLiveTable), with their commands. */
export function* existingTableAlters(
  ctx: SqlRuleContext,
): Generator<{ stmt: AnalyzedStatement } & AlterTable> {
  for (const stmt of ctx.statements) {
    const alter = alterTableOf(stmt);
    if (alter && isLiveTable(ctx, alter.table, stmt.seq)) yield { stmt, ...alter };
  }
}

export function addedColumn(cmd: AlterTableCmd): ColumnDef | undefined {
  return cmd.subtype === 'AT_AddColumn' ? as(cmd.def, 'ColumnDef') : undefined;
}

export function atLeast(ctx: SqlRuleContext, versionNum: number): boolean {
  return ctx.serverVersionNum >= versionNum;
}

const ACCESS_EXCLUSIVE = 'AccessExclusiveLock';

/** The statement before `stmt` in the same transaction, if any. */
export function previousInTransaction(
  ctx: SqlRuleContext,
  stmt: AnalyzedStatement,
): AnalyzedStatement | null {
  if (stmt.transaction === null) return null;
  const prev = ctx.statements[stmt.seq - 1];
  return prev && prev.transaction === stmt.transaction ? prev : null;
}

function hasLock(locks: LockInfo[], relation: string, mode: string): boolean {
  return locks.some((l) => l.relation === relation && l.mode === mode);
}

/** Relations the statement itself ACCESS EXCLUSIVE locked (held locks minus those held before it). */
export function accessExclusiveTakenBy(ctx: SqlRuleContext, stmt: AnalyzedStatement): string[] {
  const before = previousInTransaction(ctx, stmt)?.locks ?? [];
  const out: string[] = [];
  for (const l of stmt.locks) {
    if (
      l.mode === ACCESS_EXCLUSIVE &&
      !hasLock(before, l.relation, ACCESS_EXCLUSIVE) &&
      !out.includes(l.relation)
    ) {
      out.push(l.relation);
    }
  }
  return out;
}

/** ACCESS EXCLUSIVE locks already held when `stmt` started (taken earlier in its transaction). */
export function accessExclusiveHeldBefore(ctx: SqlRuleContext, stmt: AnalyzedStatement): string[] {
  const prev = previousInTransaction(ctx, stmt);
  if (!prev) return [];
  return [...new Set(prev.locks.filter((l) => l.mode === ACCESS_EXCLUSIVE).map((l) => l.relation))];
}

/**
 * Relations that existed before the revision: not a table or index the revision created, nor one
 * the statement at `seq` creates itself (CREATE TABLE locks its new table, its indexes and its
 * sequences in passing; none of them is an existing table).
 */
export function isExistingRelation(ctx: SqlRuleContext, relation: string, seq: number): boolean {
  if (ctx.isNewTable(relation, seq) || ctx.schema.isNewIndex(relation, seq)) return false;
  const stmt = ctx.statements[seq];
  return !(stmt?.seq === seq && createdByStatement(stmt, relation));
}

/** True when `stmt` creates `relation` (its table, or an index or sequence made with it). */
export function createdByStatement(stmt: AnalyzedStatement, relation: string): boolean {
  const create = as(stmt.node, 'CreateStmt');
  if (create) {
    // Everything CREATE TABLE locks is new except the tables it refers to.
    const referenced = new Set<string>();
    const addConstraint = (c: Constraint | undefined) => {
      if (c?.contype === 'CONSTR_FOREIGN') referenced.add(relationName(c.pktable));
    };
    for (const elt of create.tableElts ?? []) {
      addConstraint(as(elt, 'Constraint'));
      for (const c of as(elt, 'ColumnDef')?.constraints ?? []) addConstraint(as(c, 'Constraint'));
      const like = as(elt, 'TableLikeClause');
      if (like) referenced.add(relationName(like.relation));
    }
    for (const parent of create.inhRelations ?? []) referenced.add(relationName(as(parent, 'RangeVar')));
    return relation !== '' && !referenced.has(relation);
  }
  const createAs = as(stmt.node, 'CreateTableAsStmt');
  if (createAs) return relationName(createAs.into?.rel) === relation;
  const selectInto = as(stmt.node, 'SelectStmt')?.intoClause;
  if (selectInto) return relationName(selectInto.rel) === relation;
  const index = as(stmt.node, 'IndexStmt');
  if (index?.idxname) {
    const schema = index.relation?.schemaname;
    const name = schema && schema !== 'public' ? `${schema}.${index.idxname}` : index.idxname;
    return name === relation;
  }
  return false;
}

/** ALTER TABLE subcommands that take less than ACCESS EXCLUSIVE (PostgreSQL docs, ALTER TABLE). */
const WEAKER_LOCK_SUBCOMMANDS = new Set([
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_AttachPartition',
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);

/**
 * Tables the statement ACCESS EXCLUSIVE locks, judged from its text: for statements run under
 * autocommit the driver's lock list is empty (the lock is gone when it looks).
 */
export function accessExclusiveFromSql(stmt: AnalyzedStatement): string[] {
  const alter = alterTableOf(stmt);
  if (alter) {
    const weaker = alter.cmds.every(
      (c) =>
        WEAKER_LOCK_SUBCOMMANDS.has(c.subtype ?? '') ||
        (c.subtype === 'AT_AddConstraint' && as(c.def, 'Constraint')?.contype === 'CONSTR_FOREIGN'),
    );
    return weaker ? [] : [alter.table];
  }
  const drop = as(stmt.node, 'DropStmt');
  if (drop?.removeType === 'OBJECT_TABLE' || (drop?.removeType === 'OBJECT_INDEX' && !drop.concurrent)) {
    return (drop.objects ?? []).map((o) => {
      const parts = (as(o, 'List')?.items ?? []).map((i) => as(i, 'String')?.sval ?? '');
      return parts.length >= 2 && parts[parts.length - 2] !== 'public'
        ? parts.slice(-2).join('.')
        : (parts.pop() ?? '');
    });
  }
  const rename = as(stmt.node, 'RenameStmt');
  if (rename?.relation) return [relationName(rename.relation)];
  const truncate = as(stmt.node, 'TruncateStmt');
  if (truncate) return (truncate.relations ?? []).map((r) => relationName(as(r, 'RangeVar')));
  return [];
}

export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** A column the revision adds: in a `CREATE TABLE` or an `ALTER TABLE … ADD COLUMN`. */
export interface NewColumn {
  stmt: AnalyzedStatement;
  table: string;
  column: ColumnDef;
  /** Table-level constraints written next to it (CREATE TABLE only), e.g. `PRIMARY KEY (id)`. */
  tableConstraints: Constraint[];
}

/** Every column the revision's statements add, in statement order. */
export function* newColumns(ctx: SqlRuleContext): Generator<NewColumn> {
  for (const stmt of ctx.statements) {
    const create = as(stmt.node, 'CreateStmt');
    if (create) {
      const table = relationName(create.relation);
      const tableConstraints: Constraint[] = [];
      for (const elt of create.tableElts ?? []) {
        const con = as(elt, 'Constraint');
        if (con) tableConstraints.push(con);
      }
      for (const elt of create.tableElts ?? []) {
        const column = as(elt, 'ColumnDef');
        if (column) yield { stmt, table, column, tableConstraints };
      }
      continue;
    }
    const alter = alterTableOf(stmt);
    if (!alter) continue;
    for (const cmd of alter.cmds) {
      const column = addedColumn(cmd);
      if (column) yield { stmt, table: alter.table, column, tableConstraints: [] };
    }
  }
}

/** A column whose type the revision sets: added, or retyped by ALTER COLUMN … TYPE. */
export interface TypedColumn {
  stmt: AnalyzedStatement;
  column: ColumnDef;
  /** How a message names it: `column "a" of "t" is` (added) or `column "a" is changed to`. */
  subject: string;
}

/** Every column whose type the revision's statements set: the added ones, then the retyped ones. */
export function typedColumns(ctx: SqlRuleContext): TypedColumn[] {
  const out: TypedColumn[] = [];
  for (const { stmt, table, column } of newColumns(ctx)) {
    out.push({ stmt, column, subject: `column ${q(column.colname ?? '')} of ${q(table)} is` });
  }
  for (const stmt of ctx.statements) {
    for (const cmd of alterTableOf(stmt)?.cmds ?? []) {
      const def = as(cmd.def, 'ColumnDef');
      if (cmd.subtype === 'AT_AlterColumnType' && def)
        out.push({ stmt, column: def, subject: `column ${q(cmd.name ?? '')} is changed to` });
    }
  }
  return out;
}

/** The type name as written, without `pg_catalog.`: `int4`, `serial`, `varchar`, `timestamp`. */
export function typeNameOf(column: ColumnDef): string {
  const names = (column.typeName?.names ?? []).map((n) => as(n, 'String')?.sval ?? '');
  return names[names.length - 1] ?? '';
}

const WRITE_BLOCKING_LOCKS = new Set([
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  ACCESS_EXCLUSIVE,
]);

/**
 * Existing relations the statement locks against writes (SHARE or stronger): from the locks
 * the driver saw it take, or judged from its text when it ran under autocommit.
 */
export function writeBlockedBy(ctx: SqlRuleContext, stmt: AnalyzedStatement): string[] {
  const prev = previousInTransaction(ctx, stmt)?.locks ?? [];
  const found = new Set<string>();
  for (const l of stmt.locks) {
    if (WRITE_BLOCKING_LOCKS.has(l.mode) && !hasLock(prev, l.relation, l.mode)) found.add(l.relation);
  }
  for (const r of accessExclusiveFromSql(stmt)) found.add(r);
  const idx = as(stmt.node, 'IndexStmt');
  if (idx && !idx.concurrent) found.add(relationName(idx.relation));
  return [...found].filter((r) => r !== '' && isExistingRelation(ctx, r, stmt.seq));
}

/**
 * What the base branch's models (or, without a base, the models at HEAD) say about a table or
 * one of its columns; `source` says whose models they were, for the message.
 */
export type BaseMapping =
  | { kind: 'mapped'; commit: string; source: 'base' | 'head' }
  | { kind: 'unmapped'; source: 'base' | 'head' }
  | { kind: 'unknown'; reason: string };

/**
 * Whether the application deployed from the base branch still maps `table` (or `table.column`):
 * it is live while the migration runs. Unknown when the models could not be read.
 */
export function baseMapping(ctx: SqlRuleContext, table: string, column?: string): BaseMapping {
  const models = ctx.baseModels;
  if (models === null) return { kind: 'unknown', reason: "the base branch's models were not loaded" };
  if (!models.known) return { kind: 'unknown', reason: models.reason };
  const columns = models.tables[table];
  const mapped = columns !== undefined && (column === undefined || columns.includes(column));
  const source = models.source ?? 'base';
  return mapped
    ? { kind: 'mapped', commit: models.commit.slice(0, 12), source }
    : { kind: 'unmapped', source };
}

/** The inline ignore that marks a drop as the second step of a two-step removal. */
export function secondStepIgnore(rule: string, call: string): string {
  return `\n    # migration-guard: ignore ${rule} -- <what stopped using it, and since which release>\n    ${call}`;
}
