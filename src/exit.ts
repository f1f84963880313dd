/** Exit policy: which findings fail the run (fail-on). */
import type { FailOn } from './config.js';
import { EXIT_FINDINGS, EXIT_PASSED } from './errors.js';
import type { Report } from './report/model.js';
import { allFindings } from './report/model.js';

export function failingFindingsCount(report: Report, failOn: FailOn): number {
  if (failOn === 'never') return 0;
  return allFindings(report).filter(
    (f) => !f.ignored && (f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning')),
  ).length;
}

export function exitCodeFor(report: Report, failOn: FailOn): number {
  return failingFindingsCount(report, failOn) > 0 ? EXIT_FINDINGS : EXIT_PASSED;
}
