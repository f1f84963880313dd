import { existingTableAlters, findingAt, q, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'two-step-column-drop',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary: 'DROP COLUMN on an existing table while the deployed application may still read or write it.',
    help: 'First deploy the application without the column (remove it from the model), then drop it in a later revision.',
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        if (cmd.subtype !== 'AT_DropColumn' || !cmd.name) continue;
        out.push(
          findingAt(
            ctx,
            stmt,
            `DROP COLUMN ${q(cmd.name)} on existing table ${q(table)}: application instances still running the old code fail on every query that names the column (and ORMs name every mapped column)`,
          ),
        );
      }
    }
    return out;
  },
};
