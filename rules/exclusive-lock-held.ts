import {
  accessExclusiveHeldBefore,
  findingAt,
  isExistingRelation,
  q,
  type Rule,
  type RuleFinding,
  seconds,
  type SqlRuleContext,
} from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'exclusive-lock-held',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      'An ACCESS EXCLUSIVE lock on an existing table stays held in the transaction while another slow statement runs.',
    help: 'Run the slow statement in its own revision or before the lock is taken, so the exclusive lock is held only briefly.',
  },
  check(ctx) {
    const out: RuleFinding[] = [];
    for (const stmt of ctx.statements) {
      if (stmt.transaction === null || stmt.durationMs <= ctx.slowStatementMs) continue;
      const held = accessExclusiveHeldBefore(ctx, stmt).filter((r) => isExistingRelation(ctx, r, stmt.seq));
      if (held.length === 0) continue;
      const takers = held.map((relation) => {
        const taker = ctx.statements.find(
          (s) =>
            s.transaction === stmt.transaction &&
            s.seq < stmt.seq &&
            s.locks.some((l) => l.relation === relation && l.mode === 'AccessExclusiveLock'),
        );
        return `${q(relation)}${taker?.line ? ` (locked on line ${taker.line})` : ''}`;
      });
      out.push(
        findingAt(
          ctx,
          stmt,
          `ACCESS EXCLUSIVE lock on existing table ${takers.join(', ')} is held while this statement runs for ${seconds(stmt.durationMs)} in the same transaction: every read and write of the table waits that long (more on production data)`,
        ),
      );
    }
    return out;
  },
};
