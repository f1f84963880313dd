import type { Constraint } from 'libpg-query';
import {
  constraintsOf,
  findingAt,
  newColumns,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  strings,
  typeNameOf,
} from '../src/lint/api.js';

/** 32- and 16-bit integer types (and their serial forms) as the parser names them. */
const SMALL_INTEGERS = new Set(['int4', 'int2', 'serial', 'serial4', 'smallserial', 'serial2']);

/** "primary key" / "foreign key" when the column is one (column or table constraint), else null. */
function keyKind(column: string, own: Constraint[], table: Constraint[]): string | null {
  const covering = [
    ...own,
    ...table.filter((c) => strings(c.contype === 'CONSTR_FOREIGN' ? c.fk_attrs : c.keys).includes(column)),
  ];
  if (covering.some((c) => c.contype === 'CONSTR_PRIMARY')) return 'primary key';
  if (covering.some((c) => c.contype === 'CONSTR_FOREIGN')) return 'foreign key';
  return null;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'prefer-bigint-primary-key',
    kind: 'sql',
    defaultSeverity: 'off',
    summary:
      'A new integer/serial primary or foreign key column: 32 bits run out at 2.1 billion rows, and widening later rewrites the table (opt-in; on in strict).',
    help: 'Use sa.BigInteger() (with sa.Identity()) for keys, and sa.BigInteger() for the columns that reference them.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const { stmt, table, column, tableConstraints } of newColumns(ctx)) {
      const type = typeNameOf(column);
      if (!SMALL_INTEGERS.has(type)) continue;
      const kind = keyKind(column.colname ?? '', constraintsOf(column), tableConstraints);
      if (!kind) continue;
      out.push(
        findingAt(
          ctx,
          stmt,
          `${kind} column ${q(column.colname ?? '')} of ${q(table)} is ${type}: it runs out at ${type.includes('2') || type === 'smallserial' ? '32,767' : '2,147,483,647'}, and changing it to bigint later rewrites the table and every referencing one`,
        ),
      );
    }
    return out;
  },
};
