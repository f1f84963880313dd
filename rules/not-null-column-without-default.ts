import type { ColumnDef } from 'libpg-query';
import {
  addedColumn,
  columnTypeOf,
  constraintsOf,
  existingTableAlters,
  findingAt,
  isNullConstant,
  q,
  sameObjectName,
  type AnalyzedStatement,
  type Consequence,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** NOT NULL (or PRIMARY KEY) with nothing that fills existing rows. */
function notNullWithoutDefault(col: ColumnDef): boolean {
  const cons = constraintsOf(col);
  const notNull =
    col.is_not_null || cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
  if (!notNull) return false;
  const filled =
    cons.some(
      (c) =>
        (c.contype === 'CONSTR_DEFAULT' && !isNullConstant(c.raw_expr)) ||
        c.contype === 'CONSTR_IDENTITY' ||
        c.contype === 'CONSTR_GENERATED',
    ) || SERIAL_TYPES.has(columnTypeOf(col.typeName)?.name ?? '');
  return !filled;
}

/** What happened to the statement in this run: it failed on the rows, or passed on an empty table. */
function whatThisRunSaw(ctx: SqlRuleContext, stmt: AnalyzedStatement, table: string): string {
  const rows = ctx.tableRows?.[table] ?? 0;
  if (stmt.error !== null) {
    return rows > 0 ? `it failed here on the ${rows} row(s) ${q(table)} held` : 'it failed here';
  }
  if (rows > 0) return `${q(table)} held ${rows} row(s) before the upgrade`;
  return ctx.tableRows === null
    ? 'it passed here only because the test database is empty'
    : `it passed here only because ${q(table)} had no rows`;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'not-null-column-without-default',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD COLUMN … NOT NULL without a default on an existing table fails as soon as the table has rows.',
    help: 'Add the column nullable (or with a constant server_default), backfill in batches, then make it NOT NULL.',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second
    // one. And the running release, which never sends the column, fails every insert: the same
    // cause, the same fix.
    explains: ['upgrade-fails-with-data', 'breaks-deployed-app'],
  },
  explainsConsequence({ rule, subjects, causeSubjects, sameStatement }: Consequence): boolean {
    if (rule === 'upgrade-fails-with-data') return sameStatement === true;
    return subjects[0] === 'not-null' && sameObjectName(subjects[1], causeSubjects?.[0]);
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const col = addedColumn(cmd);
        if (!col || !notNullWithoutDefault(col)) continue;
        out.push({
          ...findingAt(
            ctx,
            stmt,
            `ADD COLUMN ${q(col.colname ?? '')} NOT NULL without a default on existing table ${q(table)}: PostgreSQL fills existing rows with NULL, so the statement fails on any table with rows (${whatThisRunSaw(ctx, stmt, table)})`,
          ),
          // The column, for the running release's failing inserts (breaks-deployed-app).
          subjects: [`${table}.${col.colname ?? ''}`],
        });
      }
    }
    return out;
  },
};
