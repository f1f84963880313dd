import {
  as,
  existingTableAlters,
  findingAt,
  q,
  relationName,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'foreign-key-not-valid',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD FOREIGN KEY on an existing table without NOT VALID checks every row while blocking writes to both tables.',
    help: 'Add the constraint NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a separate step (or revision).',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second one.
    explains: ['upgrade-fails-with-data'],
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const con = cmd.subtype === 'AT_AddConstraint' ? as(cmd.def, 'Constraint') : undefined;
        if (con?.contype !== 'CONSTR_FOREIGN' || con.skip_validation) continue;
        const ref = relationName(con.pktable);
        const name = con.conname ? ` ${q(con.conname)}` : '';
        out.push(
          findingAt(
            ctx,
            stmt,
            `Foreign key${name} on existing table ${q(table)} → ${q(ref)} is validated immediately: every row of ${q(table)} is checked while SHARE ROW EXCLUSIVE locks block writes to ${q(table)} and ${q(ref)}`,
          ),
        );
      }
    }
    return out;
  },
};
