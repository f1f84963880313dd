import type { LintCase } from '../sql/lint-cases.js';
import { none, ruleTable } from '../sql/rule-table.js';

const invalid: LintCase[] = [
  [
    'op.create_exclude_constraint("no_overlap", "bookings", ("room", "="), ("during", "&&"))',
    ['ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)'],
    {},
    {
      lines: [10],
      message: /exclusion constraint "no_overlap" on existing table "bookings".*cannot be added NOT VALID/,
    },
  ],
  [
    'op.execute with an unnamed EXCLUDE in a schema',
    ['ALTER TABLE rooms.bookings ADD EXCLUDE USING gist (during WITH &&)'],
    {},
    { lines: [10], message: /^exclusion constraint on existing table "rooms\.bookings"/ },
  ],
];

const valid: LintCase[] = [
  [
    'op.create_table(… ExcludeConstraint(…)) — a new table',
    ['CREATE TABLE bookings (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&))'],
    {},
    none,
  ],
  [
    'added to a table created earlier in the same revision',
    [
      'CREATE TABLE bookings (room int, during tstzrange)',
      'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&)',
    ],
    {},
    none,
  ],
  [
    'a CHECK constraint is another rule’s business',
    ['ALTER TABLE bookings ADD CONSTRAINT c CHECK (room > 0) NOT VALID'],
    {},
    none,
  ],
];

ruleTable('exclusion-constraint', invalid, valid);
