import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/upgrade-fails-with-data.js';
import { rule as upgradeFailed } from '../../../rules/upgrade-failed.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import type { DataFailure } from '../../../src/roundtrip/types.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

const UNIQUE = 'UniqueViolation: could not create unique index "uq_users_email"';
const INDEX_SQL = 'CREATE UNIQUE INDEX uq_users_email ON users (email)';

function failedWithData(failure: Partial<DataFailure>): RoundTripRuleContext {
  return ctx({
    steps: [step('upgrade', { error: UNIQUE, line: 14, statement: INDEX_SQL })],
    schemaRestored: null,
    data: {
      rows: { users: 300 },
      differences: [],
      compared: false,
      failure: { phase: 'upgrade', succeedsOnEmpty: true, example: null, detail: null, ...failure },
    },
  });
}

describe('upgrade-fails-with-data', () => {
  it.each<[string, RoundTripRuleContext, string]>([
    [
      'a unique index over repeating values, with the example row',
      failedWithData({
        detail: 'Key (email)=(a@example.com) is duplicated.',
        example: { table: 'users', key: { id: 7 }, values: { email: 'a@example.com' } },
      }),
      `upgrade to a1b2 fails on tables with rows and succeeds on empty ones: ${UNIQUE}. Example row: users (id=7): email = "a@example.com".`,
    ],
    [
      'SET NOT NULL over NULLs, no example found: the DETAIL is shown',
      failedWithData({ detail: 'Failing row contains (1, null).' }),
      `upgrade to a1b2 fails on tables with rows and succeeds on empty ones: ${UNIQUE} (Failing row contains (1, null).).`,
    ],
  ])('flags %s', (_name, context, message) => {
    expect(rule.check(context)).toEqual([{ message, file: REL_FILE, line: 14, statement: INDEX_SQL }]);
    // …and upgrade-failed stays quiet: the revision works on empty tables.
    expect(upgradeFailed.check(context)).toEqual([]);
  });

  it.each<[string, RoundTripRuleContext]>([
    [
      'a successful round trip on rows',
      ctx({ data: { rows: { users: 3 }, differences: [], compared: true, failure: null } }),
    ],
    ['a round trip on empty tables', ctx()],
    [
      'a failure that happens on empty tables too (upgrade-failed says it)',
      failedWithData({ succeedsOnEmpty: false }),
    ],
    [
      'a failure not verified on an empty copy (upgrade-failed says it)',
      failedWithData({ succeedsOnEmpty: null }),
    ],
    ['a downgrade that fails with data', failedWithData({ phase: 'downgrade' })],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });

  it('leaves upgrade-failed to report failures that happen on empty tables too', () => {
    expect(upgradeFailed.check(failedWithData({ succeedsOnEmpty: false }))).toHaveLength(1);
    expect(upgradeFailed.check(failedWithData({ succeedsOnEmpty: null }))).toHaveLength(1);
  });
});
