import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/model-drift.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE } from '../roundtrip/revision-fixture.js';

describe('model-drift', () => {
  it('is off by default (opt-in)', () => {
    expect(rule.meta.defaultSeverity).toBe('off');
  });

  it.each<[string, string[], string]>([
    ['a model column without migration', ['add column users.nickname'], 'add column users.nickname'],
    ['a table only in the database', ['remove table legacy_audit'], 'remove table legacy_audit'],
    [
      'several differences',
      ['add table invoices', 'modify nullable orders.note: True → False'],
      'add table invoices; modify nullable orders.note: True → False',
    ],
  ])('flags %s', (_name, drift, listed) => {
    expect(rule.check(ctx({}, { modelDrift: drift }))).toEqual([
      {
        message: `the models and the migrated database differ after upgrading to heads: ${listed}`,
        file: REL_FILE,
        line: null,
      },
    ]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['no drift', ctx({}, { modelDrift: [] })],
    ['drift not computed', ctx({}, { modelDrift: null })],
    ['a context without the field', ctx()],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
