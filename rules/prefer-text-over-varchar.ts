import type { ColumnDef } from 'libpg-query';
import {
  as,
  findingAt,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  typedColumns,
  typeNameOf,
} from '../src/lint/api.js';

/** `varchar(n)` or `char(n)`, as written; null for text, bare varchar and everything else. */
function boundedText(column: ColumnDef): string | null {
  const type = typeNameOf(column);
  const qualified = (column.typeName?.names ?? []).length > 1;
  const length = as(column.typeName?.typmods?.[0], 'A_Const')?.ival?.ival;
  if (type === 'varchar' && length !== undefined) return `varchar(${length})`;
  // The parser turns char/character into pg_catalog.bpchar; a quoted "char" is another type.
  if (type === 'bpchar' && qualified) return `char(${length ?? 1})`;
  return null;
}

const WHY =
  'raising the limit later needs ALTER COLUMN TYPE (ACCESS EXCLUSIVE), char(n) pads with spaces, and text with a CHECK (char_length(…) <= n) constraint enforces the same limit and can be changed NOT VALID';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'prefer-text-over-varchar',
    kind: 'sql',
    defaultSeverity: 'off',
    summary: 'A new or retyped varchar(n) / char(n) column (opt-in; on in the strict preset).',
    help: 'Use sa.Text() and, if the length matters, a CheckConstraint("char_length(col) <= n").',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, column, subject } of typedColumns(ctx)) {
      const type = boundedText(column);
      if (type) out.push(findingAt(ctx, stmt, `${subject} ${type}: ${WHY}`));
    }
    return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  },
};
