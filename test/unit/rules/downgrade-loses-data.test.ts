import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/downgrade-loses-data.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import type { DataDifference } from '../../../src/roundtrip/data.js';
import { ctx, okSteps, REL_FILE } from '../roundtrip/revision-fixture.js';

function withDifferences(
  differences: DataDifference[],
  compared = true,
  upgradeSql: string[] = [],
): RoundTripRuleContext {
  const steps = okSteps();
  const upgrade = steps[0];
  if (upgrade) {
    upgrade.statements = upgradeSql.map((sql, i) => ({ sql, line: 20 + i, durationMs: 1, locks: [] }));
  }
  return ctx(
    { steps, data: { rows: { users: 300 }, failure: null, differences, compared } },
    { downgradeLine: 40 },
  );
}

const nicknameBackEmpty: DataDifference = {
  table: 'users',
  columns: ['nickname'],
  missing: 0,
  changed: 248,
  rowsBefore: 300,
  rowsAfter: 300,
  example: { key: '[100]', before: { id: 100, nickname: 'value 12' }, after: { id: 100, nickname: null } },
};

const newsletterGone: DataDifference = {
  table: 'newsletter',
  columns: ['id', 'address'],
  missing: 300,
  changed: 0,
  rowsBefore: 300,
  rowsAfter: 0,
  example: { key: '[100]', before: { id: 100, address: 'x' }, after: null },
};

const movedBackEmpty: DataDifference = {
  table: 'users',
  columns: ['phone'],
  missing: 0,
  changed: 250,
  rowsBefore: 300,
  rowsAfter: 300,
  example: { key: '[7]', before: { id: 7, phone: '+1 555' }, after: { id: 7, phone: null } },
};

describe('downgrade-loses-data', () => {
  it.each<[string, RoundTripRuleContext, string]>([
    [
      'a moved column re-added empty by the downgrade',
      withDifferences([movedBackEmpty]),
      'downgrade of a1b2 does not give users back: 250 of 300 row(s) changed in phone. Example: key [7]: before phone = "+1 555"; after phone = null.',
    ],
    [
      'rows deleted by the round trip',
      withDifferences([
        {
          table: 'billing.invoices',
          columns: ['id', 'total'],
          missing: 12,
          changed: 0,
          rowsBefore: 300,
          rowsAfter: 288,
          example: { key: '[4]', before: { id: 4, total: 10 }, after: null },
        },
      ]),
      'downgrade of a1b2 does not give billing.invoices back: 12 of 300 row(s) gone in id, total. Example: key [4]: before id = 4, total = 10; after gone.',
    ],
    [
      // A move: the upgrade copied the values elsewhere before dropping their old home.
      'a column the upgrade moved into another table before dropping it',
      withDifferences([nicknameBackEmpty], true, [
        'UPDATE profiles SET nickname = users.nickname FROM users WHERE profiles.user_id = users.id',
        'ALTER TABLE users DROP COLUMN nickname',
      ]),
      'downgrade of a1b2 does not give users back: 248 of 300 row(s) changed in nickname. Example: key [100]: before nickname = "value 12"; after nickname = null.',
    ],
    [
      'a column the upgrade kept, next to one it dropped',
      withDifferences(
        [
          {
            ...nicknameBackEmpty,
            columns: ['email', 'nickname'],
            example: {
              key: '[100]',
              before: { id: 100, email: 'a@example.test', nickname: 'value 12' },
              after: { id: 100, email: null, nickname: null },
            },
          },
        ],
        true,
        ['ALTER TABLE users DROP COLUMN nickname'],
      ),
      'downgrade of a1b2 does not give users back: 248 of 300 row(s) changed in email. Example: key [100]: before email = "a@example.test"; after email = null.',
    ],
    [
      'a table the upgrade copied into another before dropping it',
      withDifferences([newsletterGone], true, [
        'INSERT INTO subscribers (id, address) SELECT id, address FROM newsletter',
        'DROP TABLE newsletter',
      ]),
      'downgrade of a1b2 does not give newsletter back: 300 of 300 row(s) gone in id, address. Example: key [100]: before id = 100, address = "x"; after gone.',
    ],
  ])('flags %s', (_name, context, message) => {
    expect(rule.check(context)).toEqual([{ message, file: REL_FILE, line: 40 }]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a downgrade that gives every row back', withDifferences([])],
    ['a round trip on empty tables', ctx()],
    // Not compared: the downgrade ran no statement (declared irreversible) or did not run.
    ['a downgrade that was not compared', withDifferences([movedBackEmpty], false)],
    // What the upgrade dropped on purpose is the drop's finding (two-step-column-drop, drop-table).
    [
      'a column the upgrade dropped',
      withDifferences([nicknameBackEmpty], true, ['ALTER TABLE users DROP COLUMN nickname']),
    ],
    [
      'a quoted, schema-qualified column drop among other commands',
      withDifferences([nicknameBackEmpty], true, [
        'ALTER TABLE public."users" DROP CONSTRAINT ck_nick, DROP COLUMN IF EXISTS "nickname" CASCADE',
      ]),
    ],
    [
      'a table the upgrade dropped (re-created empty by the downgrade)',
      withDifferences([newsletterGone], true, ['\nDROP TABLE newsletter']),
    ],
    [
      'a table dropped with others in one statement',
      withDifferences([newsletterGone], true, ['DROP TABLE IF EXISTS legacy, newsletter CASCADE']),
    ],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
