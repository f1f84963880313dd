import {
  findingAt,
  newColumns,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  typeNameOf,
} from '../src/lint/api.js';

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'prefer-identity',
    kind: 'sql',
    defaultSeverity: 'off',
    summary: 'A new serial/bigserial column instead of an identity column (opt-in; on in the strict preset).',
    help: 'Declare the key as sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True).',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, column } of newColumns(ctx)) {
      const type = typeNameOf(column);
      if (!SERIAL_TYPES.has(type)) continue;
      out.push(
        findingAt(
          ctx,
          stmt,
          `column ${q(column.colname ?? '')} of ${q(table)} is ${type}: its sequence is a separate object with its own owner and grants, copies of the table share it, and anyone may insert ids past it — an identity column (GENERATED … AS IDENTITY) keeps the sequence part of the column`,
        ),
      );
    }
    return out;
  },
};
