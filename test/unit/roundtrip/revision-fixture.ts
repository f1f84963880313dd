/** Builds RevisionRoundTrip values for round-trip rule tests. */
import type { Phase } from '../../../src/report/model.js';
import type { RoundTripRuleContext } from '../../../src/roundtrip/rule-context.js';
import type { RevisionRoundTrip, RoundTripStep } from '../../../src/roundtrip/run.js';

export const REL_FILE = 'migrations/versions/a1b2_add_x.py';

export function step(
  phase: Phase,
  failure?: { error: string; line?: number; statement?: string },
): RoundTripStep {
  return {
    phase,
    ok: failure === undefined,
    durationMs: 5,
    error: failure?.error ?? null,
    statements: [],
    errorLine: failure?.line ?? null,
    failedStatement: failure?.statement ?? null,
  };
}

export const okSteps = (): RoundTripStep[] => [step('upgrade'), step('downgrade'), step('reupgrade')];

export function revision(overrides: Partial<RevisionRoundTrip> = {}): RevisionRoundTrip {
  return {
    id: 'a1b2',
    steps: okSteps(),
    schemaRestored: true,
    downgradeDiff: [],
    reupgradeDiff: [],
    importError: null,
    durationMs: 20,
    notRun: null,
    ...overrides,
  };
}

export function ctx(
  overrides: Partial<RevisionRoundTrip> = {},
  extra: Partial<RoundTripRuleContext> = {},
): RoundTripRuleContext {
  return { revision: revision(overrides), relFile: REL_FILE, ...extra };
}
