import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/downgrade-fails-with-data.js';
import { rule as downgradeFailed } from '../../../rules/downgrade-failed.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import type { DataFailure } from '../../../src/roundtrip/types.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

const CAST = 'InvalidTextRepresentation: invalid input syntax for type integer: "12abc"';
const SQL = 'ALTER TABLE products ALTER COLUMN code TYPE INTEGER USING code::integer';

function downgradeFailedWithData(failure: Partial<DataFailure>): RoundTripRuleContext {
  return ctx({
    steps: [step('upgrade'), step('downgrade', { error: CAST, line: 30, statement: SQL })],
    schemaRestored: null,
    data: {
      rows: { products: 300 },
      differences: [],
      compared: false,
      failure: { phase: 'downgrade', succeedsOnEmpty: true, example: null, detail: null, ...failure },
    },
  });
}

describe('downgrade-fails-with-data', () => {
  it('flags a downgrade cast that the rows written under the new type break, with the row', () => {
    const context = downgradeFailedWithData({
      example: { table: 'products', key: { id: 3 }, values: { code: '12abc' } },
    });
    expect(rule.check(context)).toEqual([
      {
        message: `downgrade of a1b2 fails on tables with rows and succeeds on empty ones: ${CAST}. Example row: products (id=3): code = "12abc".`,
        file: REL_FILE,
        line: 30,
        statement: SQL,
      },
    ]);
    expect(downgradeFailed.check(context)).toEqual([]);
  });

  it.each<[string, RoundTripRuleContext]>([
    [
      'a successful round trip',
      ctx({ data: { rows: { products: 3 }, differences: [], compared: true, failure: null } }),
    ],
    ['a downgrade failing on empty tables too', downgradeFailedWithData({ succeedsOnEmpty: false })],
    ['a downgrade failure not verified', downgradeFailedWithData({ succeedsOnEmpty: null })],
    ['an upgrade failing with data', downgradeFailedWithData({ phase: 'upgrade' })],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });

  it('leaves downgrade-failed to report a downgrade that fails on empty tables too', () => {
    expect(downgradeFailed.check(downgradeFailedWithData({ succeedsOnEmpty: false }))).toHaveLength(1);
  });
});
