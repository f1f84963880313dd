/** A secret that is also a rule id (test/unit/scrub/vocabulary-case.ts). */
import { describe, expect, it } from 'vitest';
import { scrubReport } from '../../../src/scrub.js';
import { registerSecret } from '../../../src/secrets.js';
import { finding, project, report, revision, step } from '../markdown/sample-report.js';
import { vocabularyCases } from './vocabulary-case.js';

describe('a database password "set-not-null"', () => {
  vocabularyCases('set-not-null');

  it('masked where a finding quotes an error that also held a longer secret (masked first)', () => {
    registerSecret('ghs_AnotherLongToken0000000001');
    const error = 'RuntimeError: stole ghs_AnotherLongToken0000000001 and set-not-null';
    const raw = report([
      project([
        revision('r1', {
          steps: [{ ...step('upgrade', false), error }],
          schemaRestored: null,
          findings: [finding({ rule: 'upgrade-failed', message: `upgrade to r1 failed: ${error}` })],
        }),
      ]),
    ]);
    const scrubbed = scrubReport(raw).projects[0]!.revisions[0]!;
    expect(scrubbed.steps[0]!.error).toBe('RuntimeError: stole *** and ***');
    expect(scrubbed.findings[0]!.message).toBe('upgrade to r1 failed: RuntimeError: stole *** and ***');
    expect(scrubbed.findings[0]!.rule).toBe('upgrade-failed');
  });
});
