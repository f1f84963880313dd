import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/downgrade-leaves-trace.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

const trace = (diff: string[], downgradeLine?: number) =>
  ctx({ schemaRestored: false, downgradeDiff: diff }, { downgradeLine });

describe('downgrade-leaves-trace', () => {
  it.each<[string, RoundTripRuleContext, string, number | null]>([
    [
      'a leftover index',
      trace(['index ix_orders_user_id remains after downgrade'], 24),
      'downgrade of a1b2 does not restore the schema: index ix_orders_user_id remains after downgrade',
      24,
    ],
    [
      'a leftover enum and index',
      trace([
        'index ix_shipments_carrier remains after downgrade',
        'enum type shipment_status remains after downgrade',
      ]),
      'downgrade of a1b2 does not restore the schema: index ix_shipments_carrier remains after downgrade; enum type shipment_status remains after downgrade',
      null,
    ],
    [
      'a changed column type',
      trace(['column orders.note: type text → character varying(20) after downgrade'], 30),
      'downgrade of a1b2 does not restore the schema: column orders.note: type text → character varying(20) after downgrade',
      30,
    ],
    [
      'a dropped table it should not drop',
      trace(['table audit_log is missing after downgrade']),
      'downgrade of a1b2 does not restore the schema: table audit_log is missing after downgrade',
      null,
    ],
  ])('flags %s', (_name, context, message, line) => {
    expect(rule.check(context)).toEqual([
      { message, file: REL_FILE, line, subjects: context.revision.downgradeDiff },
    ]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a restored schema', ctx()],
    [
      'a failed downgrade (not compared)',
      ctx({ steps: [step('upgrade'), step('downgrade', { error: 'x' })], schemaRestored: null }),
    ],
    ['a failed upgrade', ctx({ steps: [step('upgrade', { error: 'x' })], schemaRestored: null })],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
