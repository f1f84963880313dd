import { as, existingTableAlters, findingAt, q, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'check-constraint-not-valid',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD CHECK on an existing table without NOT VALID scans every row under an ACCESS EXCLUSIVE lock.',
    help: 'Add the check NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate step (weaker lock).',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second one.
    explains: ['upgrade-fails-with-data'],
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const con = cmd.subtype === 'AT_AddConstraint' ? as(cmd.def, 'Constraint') : undefined;
        if (con?.contype !== 'CONSTR_CHECK' || con.skip_validation) continue;
        const name = con.conname ? ` ${q(con.conname)}` : '';
        out.push(
          findingAt(
            ctx,
            stmt,
            `CHECK constraint${name} on existing table ${q(table)} is validated immediately: the whole table is scanned while an ACCESS EXCLUSIVE lock blocks every read and write of ${q(table)}`,
          ),
        );
      }
    }
    return out;
  },
};
