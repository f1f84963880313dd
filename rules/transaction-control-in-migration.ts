import { findingAt, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'transaction-control-in-migration',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      "COMMIT / BEGIN / ROLLBACK / END sent as SQL while alembic's transaction is open ends or confuses it behind alembic's back.",
    help: 'Remove the statement; for work that must run outside a transaction use `with op.get_context().autocommit_block():`.',
  },
  check(ctx) {
    return ctx.transactionControl
      .filter((t) => t.alembicTransactionOpen)
      .map((t) => {
        const what =
          t.action === 'commit'
            ? 'commits the transaction alembic opened for the revision: statements before it stay applied even if a later one fails, and alembic_version may not match the schema'
            : t.action === 'rollback'
              ? 'rolls back the transaction alembic opened: everything the revision did so far is undone while alembic goes on as if it were applied'
              : "is sent inside the transaction alembic already opened: PostgreSQL ignores it with a warning, and the matching COMMIT then ends alembic's transaction";
        return findingAt(ctx, t, `${t.text.split(/\s+/)[0]?.toUpperCase() ?? 'COMMIT'} ${what}`);
      });
  },
};
