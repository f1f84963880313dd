import {
  addedColumn,
  as,
  constraintsOf,
  existingTableAlters,
  findingAt,
  q,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'unique-constraint-without-index',
    kind: 'sql',
    defaultSeverity: 'error',
    summary: 'ADD UNIQUE / PRIMARY KEY on an existing table builds its index under an ACCESS EXCLUSIVE lock.',
    help: 'CREATE UNIQUE INDEX CONCURRENTLY first (autocommit_block), then ADD CONSTRAINT … UNIQUE USING INDEX.',
    // On rows the statement fails: the observed failure is this finding's evidence, not a second one.
    explains: ['upgrade-fails-with-data'],
  },
  check(ctx) {
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const con = cmd.subtype === 'AT_AddConstraint' ? as(cmd.def, 'Constraint') : undefined;
        if (con && (con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY') && !con.indexname) {
          const kind = con.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY';
          const name = con.conname ? ` ${q(con.conname)}` : '';
          out.push(
            findingAt(
              ctx,
              stmt,
              `ADD CONSTRAINT${name} ${kind} on existing table ${q(table)} builds a new index while holding an ACCESS EXCLUSIVE lock: every read and write of ${q(table)} waits for the build`,
            ),
          );
        }
        const col = addedColumn(cmd);
        const inline = col
          ? constraintsOf(col).find((c) => c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_PRIMARY')
          : undefined;
        if (col && inline) {
          out.push(
            findingAt(
              ctx,
              stmt,
              `ADD COLUMN ${q(col.colname ?? '')} ${inline.contype === 'CONSTR_UNIQUE' ? 'UNIQUE' : 'PRIMARY KEY'} on existing table ${q(table)} builds its index while holding an ACCESS EXCLUSIVE lock`,
              'Add the column without UNIQUE, CREATE UNIQUE INDEX CONCURRENTLY on it, then ADD CONSTRAINT … UNIQUE USING INDEX.',
            ),
          );
        }
      }
    }
    return out;
  },
};
