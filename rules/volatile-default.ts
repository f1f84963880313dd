import type { ColumnDef } from 'libpg-query';
import {
  addedColumn,
  atLeast,
  calledFunctions,
  columnTypeOf,
  constraintsOf,
  existingTableAlters,
  findingAt,
  formatServerVersion,
  isNullConstant,
  q,
  type Rule,
  type SqlRuleContext,
} from '../src/lint/api.js';

/**
 * Built-in volatile functions seen in column defaults. now()/CURRENT_TIMESTAMP are STABLE:
 * PostgreSQL ≥ 11 evaluates them once and stores the value without rewriting the table.
 */
const VOLATILE_FUNCTIONS = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setseed',
]);
const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** Why adding this column rewrites the table, or null when it does not. */
function rewriteReason(col: ColumnDef, pg11: boolean): string | null {
  const cons = constraintsOf(col);
  if (SERIAL_TYPES.has(columnTypeOf(col.typeName)?.name ?? ''))
    return 'a serial column fills every row from a sequence';
  if (cons.some((c) => c.contype === 'CONSTR_IDENTITY'))
    return 'an identity column fills every row from a sequence';
  // A stored generated column is generated-column-rewrite's finding (one cause, one finding).
  if (cons.some((c) => c.contype === 'CONSTR_GENERATED')) return null;
  const def = cons.find((c) => c.contype === 'CONSTR_DEFAULT' && !isNullConstant(c.raw_expr));
  if (!def) return null;
  const volatile = calledFunctions(def.raw_expr).find((f) => VOLATILE_FUNCTIONS.has(f));
  if (volatile) return `the default calls volatile ${volatile}(), evaluated separately for every row`;
  if (!pg11) return 'before PostgreSQL 11 any non-NULL default is written into every row';
  return null;
}

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'volatile-default',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'ADD COLUMN with a volatile default (or any default before PostgreSQL 11) rewrites an existing table.',
    help: 'Add the column without the default (or with a constant one), set the default afterwards, and backfill existing rows in batches.',
  },
  check(ctx) {
    const pg11 = atLeast(ctx, 110000);
    const out = [];
    for (const { stmt, table, cmds } of existingTableAlters(ctx)) {
      for (const cmd of cmds) {
        const col = addedColumn(cmd);
        const reason = col ? rewriteReason(col, pg11) : null;
        if (!col || !reason) continue;
        const version = pg11 ? '' : ` (server ${formatServerVersion(ctx.serverVersionNum)})`;
        out.push(
          findingAt(
            ctx,
            stmt,
            `ADD COLUMN ${q(col.colname ?? '')} rewrites existing table ${q(table)} under an ACCESS EXCLUSIVE lock: ${reason}${version}; reads and writes wait for the whole rewrite`,
          ),
        );
      }
    }
    return out;
  },
};
