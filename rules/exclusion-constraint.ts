import {
  as,
  existingTableAlters,
  findingAt,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'exclusion-constraint',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD CONSTRAINT … EXCLUDE on an existing table builds its index and checks every row under ACCESS EXCLUSIVE; there is no NOT VALID form.',
    help: 'Add exclusion constraints only when creating the table, or enforce the rule in a new table / with a trigger and backfill.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const con = cmd.subtype === 'AT_AddConstraint' ? as(cmd.def, 'Constraint') : undefined;
        if (con?.contype !== 'CONSTR_EXCLUSION') continue;
        const name = con.conname ? ` ${q(con.conname)}` : '';
        out.push(
          findingAt(
            ctx,
            stmt,
            `exclusion constraint${name} on existing table ${q(table)}: PostgreSQL builds its index and checks every row while holding ACCESS EXCLUSIVE, so reads and writes wait for the whole build; it cannot be added NOT VALID`,
          ),
        );
      }
    }
    return out;
  },
};
