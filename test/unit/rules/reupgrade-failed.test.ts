import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/reupgrade-failed.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

const failedRe = (error: string, diff: string[] = [], line?: number, statement?: string) =>
  ctx({
    steps: [step('upgrade'), step('downgrade'), step('reupgrade', { error, line, statement })],
    schemaRestored: diff.length === 0,
    downgradeDiff: diff,
  });

describe('reupgrade-failed', () => {
  it.each<[string, RoundTripRuleContext, string]>([
    [
      'a leftover enum type',
      failedRe(
        'DuplicateObject: type "shipment_status" already exists',
        ['enum type shipment_status remains after downgrade'],
        17,
        "CREATE TYPE shipment_status AS ENUM ('a')",
      ),
      'upgrade to a1b2 fails after its downgrade: DuplicateObject: type "shipment_status" already exists (the downgrade left: enum type shipment_status remains after downgrade)',
    ],
    [
      'a leftover index',
      failedRe('DuplicateTable: relation "ix_a" already exists', [
        'index ix_a remains after downgrade',
        'sequence s remains after downgrade',
      ]),
      'upgrade to a1b2 fails after its downgrade: DuplicateTable: relation "ix_a" already exists (the downgrade left: index ix_a remains after downgrade; sequence s remains after downgrade)',
    ],
    [
      'a failure without a schema difference',
      failedRe('UniqueViolation: duplicate key value violates unique constraint "settings_pkey"'),
      'upgrade to a1b2 fails after its downgrade: UniqueViolation: duplicate key value violates unique constraint "settings_pkey"',
    ],
  ])('flags %s', (_name, context, message) => {
    const findings = rule.check(context);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe(message);
    expect(findings[0]?.file).toBe(REL_FILE);
    expect(findings[0]?.subjects).toEqual([context.revision.steps[2]?.error]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a full successful round trip', ctx()],
    [
      'a failed downgrade (re-upgrade never ran)',
      ctx({ steps: [step('upgrade'), step('downgrade', { error: 'x' })], schemaRestored: null }),
    ],
    ['a failed upgrade', ctx({ steps: [step('upgrade', { error: 'x' })], schemaRestored: null })],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
