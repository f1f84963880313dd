import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.execute("ALTER DOMAIN positive_amount ADD CONSTRAINT ck CHECK (VALUE > 0)")',
    ['ALTER DOMAIN positive_amount ADD CONSTRAINT ck CHECK (VALUE > 0)'],
    {},
    { lines: [10], message: /^ALTER DOMAIN "positive_amount" ADD CONSTRAINT checks every stored value/ },
  ],
  [
    'ALTER DOMAIN … SET NOT NULL',
    ['ALTER DOMAIN billing.amount SET NOT NULL'],
    {},
    { lines: [10], message: /"billing\.amount" SET NOT NULL/ },
  ],
];

const valid: LintCase[] = [
  [
    'NOT VALID, validated later',
    ['ALTER DOMAIN positive_amount ADD CONSTRAINT ck CHECK (VALUE > 0) NOT VALID'],
    {},
    none,
  ],
  [
    'VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE only)',
    ['ALTER DOMAIN positive_amount VALIDATE CONSTRAINT ck'],
    {},
    none,
  ],
  [
    'a domain created earlier in the same revision',
    [
      'CREATE DOMAIN positive_amount AS numeric',
      'ALTER DOMAIN positive_amount ADD CONSTRAINT ck CHECK (VALUE > 0)',
    ],
    {},
    none,
  ],
  ['DROP CONSTRAINT', ['ALTER DOMAIN positive_amount DROP CONSTRAINT ck'], {}, none],
];

ruleTable('domain-constraint', invalid, valid);
