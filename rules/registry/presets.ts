/**
 * Presets: named rule settings the user's own `rules:` are laid over (src/config.ts
 * applyPreset). `recommended` is every rule at its default; `strict` also turns on the style
 * and timeout rules and revision-message-convention. The README's "Presets" section lists the
 * same rules; test/unit/config/presets.test.ts keeps them in step.
 */
import type { RuleSetting } from '../../src/lint/api.js';

export type PresetName = 'recommended' | 'strict';

/** Rules `strict` turns on (all off by default), at `error`: strict fails the check on them. */
export const STRICT_ONLY_RULES: readonly string[] = [
  'lock-timeout-missing',
  'statement-timeout-missing',
  'prefer-bigint-primary-key',
  'prefer-identity',
  'prefer-timestamptz',
  'prefer-text-over-varchar',
  'revision-message-convention',
];

export function presetRuleSettings(preset: PresetName): Readonly<Record<string, RuleSetting>> {
  if (preset === 'recommended') return {};
  return Object.fromEntries(STRICT_ONLY_RULES.map((id) => [id, 'error' as const]));
}
