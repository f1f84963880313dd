import { findingAt, type Rule, type SqlRuleContext } from '../src/lint/api.js';

export const rule: Rule<SqlRuleContext> = {
  meta: {
    id: 'sql-parse-error',
    kind: 'sql',
    defaultSeverity: 'warning',
    summary:
      "An executed statement that PostgreSQL's parser (libpg-query) could not parse, so no SQL rule checked it.",
    help: 'Check the statement by hand; if it is valid for your server version, ignore this finding with a reason.',
  },
  check(ctx) {
    return ctx.unparsable.map((u) =>
      // The driver cuts statements longer than 20 000 characters and appends " …".
      u.text.length > 20_000 && u.text.endsWith(' …')
        ? findingAt(
            ctx,
            u,
            'This statement is longer than 20 000 characters and was recorded truncated, so the SQL safety rules did not check it',
            'Review the statement by hand; split very large op.execute() calls so each statement can be checked.',
          )
        : findingAt(
            ctx,
            u,
            `Could not parse this statement (${u.error}), so the SQL safety rules did not check it`,
          ),
    );
  },
};
