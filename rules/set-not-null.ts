import {
  as,
  atLeast,
  existingTableAlters,
  findingAt,
  q,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

const PG12 = 120000;
const PG18 = 180000;

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'set-not-null',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ALTER COLUMN … SET NOT NULL on an existing table scans every row under an ACCESS EXCLUSIVE lock.',
    help: 'Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later step, then SET NOT NULL (no scan on PostgreSQL ≥ 12).',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second one.
    explains: ['upgrade-fails-with-data'],
  },
  check(ctx) {
    const modern = atLeast(ctx, PG12);
    const pg18 = atLeast(ctx, PG18);
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        // PostgreSQL 18's named form, ADD CONSTRAINT … NOT NULL col, proves the column by the
        // same scan unless it is added NOT VALID.
        const added = cmd.subtype === 'AT_AddConstraint' ? as(cmd.def, 'Constraint') : undefined;
        const addedColumn =
          added?.contype === 'CONSTR_NOTNULL' && !added.skip_validation
            ? as(added.keys?.[0], 'String')?.sval
            : undefined;
        const column = cmd.subtype === 'AT_SetNotNull' ? cmd.name : addedColumn;
        if (!column) continue;
        // PostgreSQL ≥ 12 skips the scan when a validated CHECK (col IS NOT NULL) proves it.
        if (modern && ctx.schema.hasValidatedNotNullCheck(table, column, stmt.seq)) continue;
        const help = pg18
          ? `Add CONSTRAINT … NOT NULL ${column} NOT VALID (PostgreSQL 18: no scan), then VALIDATE CONSTRAINT it in a later step (SHARE UPDATE EXCLUSIVE: reads and writes go on).`
          : modern
            ? `Add CONSTRAINT … CHECK (${column} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (weaker lock, no blocking), then SET NOT NULL — PostgreSQL ≥ 12 skips the scan — and drop the check.`
            : `Before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK (${column} IS NOT NULL) constraint (added NOT VALID, then VALIDATE) instead, or run this in a maintenance window.`;
        const what = addedColumn ? 'ADD CONSTRAINT … NOT NULL' : 'SET NOT NULL';
        out.push(
          findingAt(
            ctx,
            stmt,
            `${what} on ${q(table)}.${q(column)} scans the whole existing table while holding an ACCESS EXCLUSIVE lock: every read and write of ${q(table)} waits for the scan`,
            help,
          ),
        );
      }
    }
    return out;
  },
};
