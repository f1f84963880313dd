import { as, findingAt, q, relationName, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'refresh-materialized-view-blocking',
    kind: 'sql',
    defaultSeverity: 'error',
    summary:
      'REFRESH MATERIALIZED VIEW without CONCURRENTLY on an existing view blocks every read of it until the query finishes.',
    help: 'Give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY.',
  },
  check(ctx) {
    return ctx.statements.flatMap((stmt) => {
      const refresh = as(stmt.node, 'RefreshMatViewStmt');
      if (!refresh || refresh.concurrent) return [];
      const view = relationName(refresh.relation);
      // Created earlier in the revision (CREATE MATERIALIZED VIEW counts as a new relation).
      if (ctx.isNewTable(view, stmt.seq)) return [];
      return [
        findingAt(
          ctx,
          stmt,
          `REFRESH MATERIALIZED VIEW ${q(view)} without CONCURRENTLY holds ACCESS EXCLUSIVE on the view while its query runs: every SELECT on it waits`,
        ),
      ];
    });
  },
};
