import {
  findingAt,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  typedColumns,
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
    for (const { stmt, column, subject } of typedColumns(ctx)) {
      if (typeNameOf(column) === 'timestamp') out.push(findingAt(ctx, stmt, `${subject} ${MESSAGE}`));
    }
    return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  },
};
