import {
  findingAt,
  q,
  type Rule,
  type RuleFinding,
  type SqlRuleContext,
  writeBlockedBy,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'statement-timeout-missing',
    kind: 'sql',
    defaultSeverity: 'off',
    summary:
      'A statement blocks writes to an existing table while no statement_timeout is in effect (opt-in; on in the strict preset).',
    help: 'Start the upgrade with op.execute("SET statement_timeout = \'30s\'"), or set it in env.py or on the migration role, so a lock is never held for longer.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const stmt of ctx.statements) {
      if (stmt.statementTimeoutMs !== null && stmt.statementTimeoutMs > 0) continue;
      const tables = writeBlockedBy(ctx, stmt);
      if (tables.length === 0) continue;
      out.push(
        findingAt(
          ctx,
          stmt,
          `statement locks existing table ${tables.map(q).join(', ')} against writes with no statement_timeout in effect: if it runs longer than expected (a slow scan, a big rewrite), nothing stops it while traffic queues`,
        ),
      );
      // One finding per revision: one SET at the start covers every statement.
      break;
    }
    return out;
  },
};
