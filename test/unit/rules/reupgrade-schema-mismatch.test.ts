import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/reupgrade-schema-mismatch.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

describe('reupgrade-schema-mismatch', () => {
  it.each<[string, RoundTripRuleContext, string, number | null]>([
    [
      'an extra object the second time',
      ctx({ reupgradeDiff: ['index ix_old appears after re-upgrade'] }, { upgradeLine: 15 }),
      'upgrade to a1b2 gives a different schema the second time: index ix_old appears after re-upgrade',
      15,
    ],
    [
      'a different default',
      ctx({ reupgradeDiff: ["column users.plan: default 'free'::text → none after re-upgrade"] }),
      "upgrade to a1b2 gives a different schema the second time: column users.plan: default 'free'::text → none after re-upgrade",
      null,
    ],
    [
      'several differences',
      ctx({ reupgradeDiff: ['table t is missing after re-upgrade', 'sequence s appears after re-upgrade'] }),
      'upgrade to a1b2 gives a different schema the second time: table t is missing after re-upgrade; sequence s appears after re-upgrade',
      null,
    ],
  ])('flags %s', (_name, context, message, line) => {
    expect(rule.check(context)).toEqual([
      { message, file: REL_FILE, line, subjects: context.revision.reupgradeDiff },
    ]);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['an identical re-upgrade', ctx()],
    [
      'a trace after downgrade only (another rule)',
      ctx({ schemaRestored: false, downgradeDiff: ['index ix remains after downgrade'] }),
    ],
    [
      'a failed re-upgrade (not compared)',
      ctx({ steps: [step('upgrade'), step('downgrade'), step('reupgrade', { error: 'x' })] }),
    ],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
