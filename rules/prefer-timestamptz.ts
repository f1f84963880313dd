import {
  alterTableOf,
  as,
  findingAt,
  newColumns,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  typeNameOf,
} from '../src/lint/api.js';

const MESSAGE =
  'timestamp without time zone: it stores wall-clock time with no zone, so values written from servers or sessions in different zones (or across a DST change) cannot be compared';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'prefer-timestamptz',
    kind: 'sql',
    defaultSeverity: 'off',
    summary: 'A new or retyped column of type timestamp without time zone (opt-in; on in the strict preset).',
    help: 'Use sa.DateTime(timezone=True) (timestamptz): it stores an instant and converts to the session time zone.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, column } of newColumns(ctx)) {
      if (typeNameOf(column) !== 'timestamp') continue;
      out.push(findingAt(ctx, stmt, `column ${q(column.colname ?? '')} of ${q(table)} is ${MESSAGE}`));
    }
    for (const stmt of ctx.statements) {
      for (const cmd of alterTableOf(stmt)?.cmds ?? []) {
        const def = as(cmd.def, 'ColumnDef');
        if (cmd.subtype !== 'AT_AlterColumnType' || !def || typeNameOf(def) !== 'timestamp') continue;
        out.push(findingAt(ctx, stmt, `column ${q(cmd.name ?? '')} is changed to ${MESSAGE}`));
      }
    }
    return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  },
};
