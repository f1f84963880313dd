import {
  accessExclusiveFromSql,
  accessExclusiveTakenBy,
  as,
  findingAt,
  isExistingRelation,
  parseLockTimeout,
  q,
  type Rule,
  type RuleFinding,
  seconds,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'lock-timeout-missing',
    kind: 'sql',
    defaultSeverity: 'off',
    summary:
      'An ACCESS EXCLUSIVE lock on an existing table is requested without a lock_timeout set earlier (opt-in).',
    help: 'Start the upgrade with op.execute("SET lock_timeout = \'5s\'") so a blocked lock request fails instead of queueing all traffic.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    const maxMs = ctx.lockTimeout?.maxMs ?? null;
    for (const stmt of ctx.statements) {
      const set = as(stmt.node, 'VariableSetStmt');
      if (maxMs !== null && set?.name === 'lock_timeout') {
        const arg = as(set.args?.[0], 'A_Const');
        const ms = arg?.ival
          ? (arg.ival.ival ?? 0)
          : arg?.sval?.sval !== undefined
            ? parseLockTimeout(arg.sval.sval)
            : null;
        if (ms !== null && (ms === 0 || ms > maxMs)) {
          out.push(
            findingAt(
              ctx,
              stmt,
              `lock_timeout is set to ${ms === 0 ? '0 (no limit)' : seconds(ms)}, above the policy's ${seconds(maxMs)}: a blocked lock request may queue every query on the table for that long`,
              `Use SET lock_timeout = '${Math.round(maxMs)}ms' or less.`,
            ),
          );
        }
      }
      if (stmt.lockTimeoutMs !== null && stmt.lockTimeoutMs > 0) continue;
      const tables = [
        ...new Set([...accessExclusiveTakenBy(ctx, stmt), ...accessExclusiveFromSql(stmt)]),
      ].filter((r) => isExistingRelation(ctx, r, stmt.seq));
      if (tables.length === 0) continue;
      out.push(
        findingAt(
          ctx,
          stmt,
          `ACCESS EXCLUSIVE lock on existing table ${tables.map(q).join(', ')} requested without a lock_timeout: if a long query holds the table, this statement waits and every later query on it queues behind it`,
        ),
      );
      // One finding per revision: the fix (one SET at the start) covers every statement.
      break;
    }
    return out;
  },
};
