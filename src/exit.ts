/** Exit policy: which findings fail the run (fail-on), as the process exit code. */
import type { FailOn } from './config.js';
import { EXIT_FINDINGS, EXIT_PASSED } from './errors.js';
import type { Report } from './report/model.js';
import { failingFindingsCount } from './report/model.js';

export { failingFindingsCount };

export function exitCodeFor(report: Report, failOn: FailOn): number {
  return failingFindingsCount(report, failOn) > 0 ? EXIT_FINDINGS : EXIT_PASSED;
}
