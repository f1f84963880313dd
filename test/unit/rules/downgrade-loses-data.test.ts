import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/downgrade-loses-data.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import type { DataDifference } from '../../../src/roundtrip/data.js';
import { ctx, REL_FILE } from '../roundtrip/revision-fixture.js';

function withDifferences(differences: DataDifference[], compared = true): RoundTripRuleContext {
  return ctx({ data: { rows: { users: 300 }, failure: null, differences, compared } }, { downgradeLine: 40 });
}

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
  ])('flags %s', (_name, context, message) => {
    expect(rule.check(context)).toEqual([{ message, file: REL_FILE, line: 40 }]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a downgrade that gives every row back', withDifferences([])],
    ['a round trip on empty tables', ctx()],
    // Not compared: the downgrade ran no statement (declared irreversible) or did not run.
    ['a downgrade that was not compared', withDifferences([movedBackEmpty], false)],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
