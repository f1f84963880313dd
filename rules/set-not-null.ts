import {
  atLeast,
  existingTableAlters,
  findingAt,
  q,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

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
    const modern = atLeast(ctx, 120000);
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        if (cmd.subtype !== 'AT_SetNotNull' || !cmd.name) continue;
        // PostgreSQL ≥ 12 skips the scan when a validated CHECK (col IS NOT NULL) proves it.
        if (modern && ctx.schema.hasValidatedNotNullCheck(table, cmd.name, stmt.seq)) continue;
        const help = modern
          ? `Add CONSTRAINT … CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (weaker lock, no blocking), then SET NOT NULL — PostgreSQL ≥ 12 skips the scan — and drop the check.`
          : `Before PostgreSQL 12 SET NOT NULL always scans: keep a validated CHECK (${cmd.name} IS NOT NULL) constraint (added NOT VALID, then VALIDATE) instead, or run this in a maintenance window.`;
        out.push(
          findingAt(
            ctx,
            stmt,
            `SET NOT NULL on ${q(table)}.${q(cmd.name)} scans the whole existing table while holding an ACCESS EXCLUSIVE lock: every read and write of ${q(table)} waits for the scan`,
            help,
          ),
        );
      }
    }
    return out;
  },
};
