/**
 * Runs a rule's valid/invalid tables through the public SQL lint entry. The rule under test is
 * switched on (opt-in rules at `warning`), everything else keeps its default.
 */
import { describe, expect, it } from 'vitest';
import { findRule } from '../../../rules/index.js';
import type { LintCase } from './lint-cases.js';
import { findingsOf } from './lint-helper.js';

export function ruleTable(rule: string, invalid: LintCase[], valid: LintCase[]): void {
  const meta = findRule(rule)?.meta;
  const setting = meta?.defaultSeverity === 'off' ? 'warning' : (meta?.defaultSeverity ?? 'error');
  const withRule = (options: LintCase[2]): LintCase[2] => ({
    ...options,
    settings: { [rule]: setting, ...options.settings },
  });

  describe(rule, () => {
    it('is registered', () => {
      expect(meta?.id).toBe(rule);
    });

    it.each(invalid)('flags: %s', async (_name, specs, options, expected) => {
      const found = await findingsOf(rule, specs, withRule(options));
      expect(found.map((f) => f.finding.line)).toEqual(expected.lines);
      for (const f of found) {
        expect(f.finding.message).toMatch(expected.message);
        expect(f.finding.file).toBe('migrations/versions/abc123_change.py');
        expect(f.revision).toBe('abc123');
      }
    });

    it.each(valid)('accepts: %s', async (_name, specs, options) => {
      expect(await findingsOf(rule, specs, withRule(options))).toEqual([]);
    });
  });
}

export const none = { lines: [], message: /./ };
