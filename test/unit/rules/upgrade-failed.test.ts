import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/upgrade-failed.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE, step } from '../roundtrip/revision-fixture.js';

describe('upgrade-failed', () => {
  it.each<[string, RoundTripRuleContext, RegExp, number | null, string | null]>([
    [
      'a database error',
      ctx({
        steps: [
          step('upgrade', {
            error: 'UndefinedTable: relation "orders" does not exist',
            line: 17,
            statement: 'ALTER TABLE orders ADD COLUMN x int',
          }),
        ],
        schemaRestored: null,
      }),
      /^upgrade to a1b2 failed: UndefinedTable: relation "orders" does not exist$/,
      17,
      'ALTER TABLE orders ADD COLUMN x int',
    ],
    [
      'a Python exception',
      ctx({ steps: [step('upgrade', { error: 'RuntimeError: boom', line: 21 })], schemaRestored: null }),
      /^upgrade to a1b2 failed: RuntimeError: boom$/,
      21,
      null,
    ],
    [
      'a file that does not import',
      ctx({
        importError: "SyntaxError: '(' was never closed (line 16)",
        steps: [step('upgrade', { error: "SyntaxError: '(' was never closed (line 16)", line: 16 })],
        schemaRestored: null,
      }),
      /^migrations\/versions\/a1b2_add_x\.py does not import: SyntaxError/,
      16,
      null,
    ],
  ])('flags %s', (_name, context, message, line, statement) => {
    const findings = rule.check(context);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(message);
    expect(findings[0]?.file).toBe(REL_FILE);
    expect(findings[0]?.line ?? null).toBe(line);
    expect(findings[0]?.statement ?? null).toBe(statement);
  });

  it.each<[string, RoundTripRuleContext]>([
    ['a full successful round trip', ctx()],
    [
      'a failed downgrade (another rule)',
      ctx({ steps: [step('upgrade'), step('downgrade', { error: 'x' })], schemaRestored: null }),
    ],
    [
      'a revision not checked because its parent failed (the parent has the finding)',
      ctx({ steps: [], schemaRestored: null, notRun: 'not checked: k2 does not import' }),
    ],
    [
      'a revision not checked because the base branch failed (base-upgrade-failed)',
      ctx({ steps: [], schemaRestored: null, notRun: 'not checked: upgrading to the base heads failed' }),
    ],
    [
      'a failed re-upgrade (another rule)',
      ctx({ steps: [step('upgrade'), step('downgrade'), step('reupgrade', { error: 'x' })] }),
    ],
  ])('accepts %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
