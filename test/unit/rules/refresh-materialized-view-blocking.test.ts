import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("REFRESH MATERIALIZED VIEW sales_summary")',
    ['REFRESH MATERIALIZED VIEW sales_summary'],
    {},
    { lines: [10], message: /^REFRESH MATERIALIZED VIEW "sales_summary" without CONCURRENTLY/ },
  ],
  [
    'schema-qualified, WITH DATA',
    ['REFRESH MATERIALIZED VIEW reports.daily WITH DATA'],
    {},
    { lines: [10], message: /"reports\.daily"/ },
  ],
];

const valid: LintCase[] = [
  ['CONCURRENTLY', ['REFRESH MATERIALIZED VIEW CONCURRENTLY sales_summary'], {}, none],
  [
    'a view created earlier in the same revision',
    [
      'CREATE MATERIALIZED VIEW sales_summary AS SELECT 1 AS n WITH NO DATA',
      'REFRESH MATERIALIZED VIEW sales_summary',
    ],
    {},
    none,
  ],
];

ruleTable('refresh-materialized-view-blocking', invalid, valid);
