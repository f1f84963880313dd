/**
 * The context SQL rules see: the revision's executed statements, parsed once, in order, each
 * with what was true *before* it ran — which tables and indexes the revision had created so
 * far (statements on those are not "existing table" problems), the lock_timeout in effect, the
 * transaction it ran in — plus revision-wide facts (server version, data changes).
 */
import type { Node } from 'libpg-query';
import type { BaseModels } from '../alembic/base-models.js';
import type { LockTimeoutPolicy } from '../config.js';
import type { ExecutedStatement, LockInfo } from '../model.js';
import { as, nodeKind, relationName, strings } from './ast.js';
import type { ParseOutcome } from './parser.js';
import type { ExistingIndex } from './revision-schema.js';
import { RevisionSchema } from './revision-schema.js';

export interface AnalyzedStatement {
  /** Position in the revision (0-based, after skipping bookkeeping and transaction control). */
  seq: number;
  node: Node;
  /** Parse-tree node type, e.g. `AlterTableStmt`. */
  kind: string;
  /** This statement's SQL, trimmed. */
  text: string;
  line: number | null;
  durationMs: number;
  locks: LockInfo[];
  inTransaction: boolean;
  error: string | null;
  /** Same number = same transaction; null = ran outside a transaction block (autocommit). */
  transaction: number | null;
  /**
   * lock_timeout in effect when the statement ran: the server's effective value when the driver
   * read it (env.py, role, database), followed through `SET lock_timeout` earlier in the same
   * string; else from `SET lock_timeout` earlier in the revision. null or 0 = none.
   */
  lockTimeoutMs: number | null;
  /** Like lockTimeoutMs, for statement_timeout. */
  statementTimeoutMs: number | null;
}

/** A BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK the revision sent as SQL. */
export interface TransactionControlStatement {
  /** `begin`, `start`, `commit`, `rollback` (END is commit). */
  action: 'begin' | 'start' | 'commit' | 'rollback';
  text: string;
  line: number | null;
  /**
   * Alembic's transaction was open when it was sent: a transaction block was open and it was
   * not one the revision itself began with BEGIN inside an autocommit block.
   */
  alembicTransactionOpen: boolean;
}

export interface UnparsableStatement {
  text: string;
  line: number | null;
  error: string;
}

export interface SqlRuleContext {
  revision: string;
  file: string;
  source: string | null;
  serverVersionNum: number;
  statements: AnalyzedStatement[];
  unparsable: UnparsableStatement[];
  /** Transaction control sent as SQL; not in `statements`. */
  transactionControl: TransactionControlStatement[];
  /** Tables, indexes, constraints and column types the revision created, in statement order. */
  schema: RevisionSchema;
  /** INSERT/UPDATE/DELETE/MERGE/COPY FROM statements on tables that existed before the revision. */
  dataChanges: AnalyzedStatement[];
  lockTimeout: LockTimeoutPolicy | null;
  slowStatementMs: number;
  /** True when a MetaData naming_convention makes constraint names deterministic. */
  namingConvention: boolean;
  /**
   * What the base branch's models map (two-step-column-drop, drop-table); `known: false` with
   * the reason when they could not be read, null when nobody tried (no database run, no base).
   */
  baseModels: BaseModels | null;
  /**
   * Rows per table before the upgrade when the round trip ran on populated tables (tables with
   * rows); null when it ran on empty tables. Messages say what this run saw.
   */
  tableRows: Readonly<Record<string, number>> | null;
  /** True when `table` was created earlier in this revision and still exists at `seq`. */
  isNewTable(table: string, seq: number): boolean;
  /** True when a later statement of the revision drops `table` (following renames). */
  isDroppedLater(table: string, seq: number): boolean;
  /** True when the column was added (or its table created) earlier in this revision. */
  isNewColumn(table: string, column: string, seq: number): boolean;
}

export interface ContextInput {
  revision: string;
  file: string;
  source: string | null;
  statements: ExecutedStatement[];
  serverVersionNum: number;
  lockTimeout?: LockTimeoutPolicy | null;
  slowStatementMs?: number;
  existingIndexes?: Record<string, string[][]>;
  existingColumnTypes?: Record<string, Record<string, string>>;
  /** Index name → table and columns before the revision, when the snapshot named them. */
  existingIndexNames?: Record<string, ExistingIndex>;
  namingConvention?: boolean;
  baseModels?: BaseModels | null;
  tableRows?: Readonly<Record<string, number>> | null;
}

export const DEFAULT_SLOW_STATEMENT_MS = 1000;

/** Builds the context from statements and their parse outcomes (same order, same length). */
export function buildContext(input: ContextInput, parsed: ParseOutcome[]): SqlRuleContext {
  const statements: AnalyzedStatement[] = [];
  const unparsable: UnparsableStatement[] = [];
  const schema = new RevisionSchema(
    input.existingIndexes ?? {},
    input.existingColumnTypes ?? {},
    input.existingIndexNames,
  );
  const transactionControl: TransactionControlStatement[] = [];
  let lockTimeoutMs: number | null = null;
  let statementTimeoutMs: number | null = null;
  let transaction = 0;
  let inTx = false;
  // A BEGIN the revision sent while no transaction was open (inside autocommit_block()).
  let ownTransaction = false;
  let previousLocks: LockInfo[] = [];

  input.statements.forEach((executed, i) => {
    if (executed.bookkeeping) return;
    // The server's own values (read by the driver) win over what the SQL so far suggests.
    if (typeof executed.lockTimeoutMs === 'number') lockTimeoutMs = executed.lockTimeoutMs;
    if (typeof executed.statementTimeoutMs === 'number') statementTimeoutMs = executed.statementTimeoutMs;
    let transactionOpen = transactionOpenBefore(input.statements, i);
    if (!transactionOpen) ownTransaction = false;
    const outcome = parsed[i];
    if (!outcome) return;
    if (!outcome.ok) {
      unparsable.push({ text: executed.sql.trim(), line: executed.line, error: outcome.error });
      return;
    }
    const inTransaction = executed.inTransaction ?? true;
    for (const p of outcome.statements) {
      const kind = nodeKind(p.node);
      if (kind === 'TransactionStmt') {
        const action = transactionAction(p.node);
        if (action) {
          const alembicTransactionOpen = transactionOpen && !ownTransaction;
          transactionControl.push({ action, text: p.text, line: executed.line, alembicTransactionOpen });
          const begins = action === 'begin' || action === 'start';
          if (begins && !transactionOpen) ownTransaction = true;
          if (!begins) ownTransaction = false;
          transactionOpen = begins;
        }
        // BEGIN/COMMIT sent as SQL: whatever comes next is another transaction.
        inTx = false;
        previousLocks = [];
        continue;
      }
      if (!inTransaction) {
        inTx = false;
        previousLocks = [];
      } else if (!inTx || lostLocks(previousLocks, executed.locks)) {
        // Locks accumulate until the transaction ends, so missing ones mean a new transaction.
        transaction++;
        inTx = true;
      }
      const analyzed: AnalyzedStatement = {
        seq: statements.length,
        node: p.node,
        kind,
        text: p.text,
        line: executed.line,
        durationMs: executed.durationMs,
        locks: executed.locks,
        inTransaction,
        error: executed.error ?? null,
        transaction: inTransaction ? transaction : null,
        lockTimeoutMs,
        statementTimeoutMs,
      };
      statements.push(analyzed);
      if (inTransaction) previousLocks = executed.locks;
      lockTimeoutMs = timeoutAfter(p.node, 'lock_timeout', lockTimeoutMs);
      statementTimeoutMs = timeoutAfter(p.node, 'statement_timeout', statementTimeoutMs);
      schema.apply(analyzed);
    }
  });

  const dataChanges = statements.filter((s) => {
    const table = dataChangeTarget(s.node);
    return table !== null && !schema.isNewTable(table, s.seq);
  });

  return {
    revision: input.revision,
    file: input.file,
    source: input.source,
    serverVersionNum: input.serverVersionNum,
    statements,
    unparsable,
    transactionControl,
    schema,
    dataChanges,
    lockTimeout: input.lockTimeout ?? null,
    slowStatementMs: input.slowStatementMs ?? DEFAULT_SLOW_STATEMENT_MS,
    namingConvention: input.namingConvention ?? false,
    baseModels: input.baseModels ?? null,
    tableRows: input.tableRows ?? null,
    isNewTable: (table, seq) => schema.isNewTable(table, seq),
    isDroppedLater: (table, seq) => schema.isDroppedLater(table, seq),
    isNewColumn: (table, column, seq) => schema.isNewColumn(table, column, seq),
  };
}

function lostLocks(before: LockInfo[], after: LockInfo[]): boolean {
  if (before.length === 0) return false;
  return before.some((b) => !after.some((a) => a.relation === b.relation && a.mode === b.mode));
}

/** The table a DML statement writes to, or null for anything else. */
export function dataChangeTarget(node: Node): string | null {
  const insert = as(node, 'InsertStmt');
  if (insert) return relationName(insert.relation);
  const update = as(node, 'UpdateStmt');
  if (update) return relationName(update.relation);
  const del = as(node, 'DeleteStmt');
  if (del) return relationName(del.relation);
  const merge = as(node, 'MergeStmt');
  if (merge) return relationName(merge.relation);
  const copy = as(node, 'CopyStmt');
  if (copy?.is_from && copy.relation) return relationName(copy.relation);
  return null;
}

/**
 * Whether a transaction block was open when statement `i` was sent: what the driver saw, else
 * the state the previous statement left (alembic runs a revision inside its transaction, so
 * the first statement finds one open).
 */
function transactionOpenBefore(statements: ExecutedStatement[], i: number): boolean {
  const own = statements[i]?.inTransactionBefore;
  if (typeof own === 'boolean') return own;
  const previous = statements[i - 1];
  return previous === undefined ? true : previous.inTransaction !== false;
}

function transactionAction(node: Node): TransactionControlStatement['action'] | null {
  switch (as(node, 'TransactionStmt')?.kind) {
    case 'TRANS_STMT_BEGIN':
      return 'begin';
    case 'TRANS_STMT_START':
      return 'start';
    case 'TRANS_STMT_COMMIT':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
      return 'rollback';
    default:
      return null;
  }
}

/** A timeout setting after this statement: `SET [LOCAL] name`, `RESET`, or set_config(). */
function timeoutAfter(node: Node, name: string, current: number | null): number | null {
  const set = as(node, 'VariableSetStmt');
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return null;
    if (set.name !== name) return current;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return null;
    const arg = as(set.args?.[0], 'A_Const');
    if (!arg) return current;
    if (arg.ival) return arg.ival.ival ?? 0;
    if (arg.sval?.sval !== undefined) return parseLockTimeout(arg.sval.sval) ?? current;
    if (arg.fval?.fval !== undefined) return Number(arg.fval.fval);
    return current;
  }
  const select = as(node, 'SelectStmt');
  if (select) {
    let value = current;
    for (const target of select.targetList ?? []) {
      const call = as(as(target, 'ResTarget')?.val, 'FuncCall');
      if (!call || strings(call.funcname).pop() !== 'set_config') continue;
      const [settingName, settingValue] = (call.args ?? []).map((a) => as(a, 'A_Const')?.sval?.sval);
      if (settingName === name && settingValue !== undefined) value = parseLockTimeout(settingValue) ?? value;
    }
    return value;
  }
  return current;
}

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** PostgreSQL's time setting syntax: `5000`, `'5s'`, `'1.5 min'`; 0 means disabled. */
export function parseLockTimeout(value: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) return null;
  return Number(m[1]) * (UNIT_MS[(m[2] ?? 'ms').toLowerCase()] ?? 1);
}

/** "150014" → "15.14"; used in messages. */
export function formatServerVersion(num: number): string {
  return num >= 100000
    ? `${Math.floor(num / 10000)}.${num % 10000}`
    : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
}
