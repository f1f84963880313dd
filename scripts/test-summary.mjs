// Prints the plain closing line CI reads ("Tests: N passed, N failed, N skipped") from
// vitest's JSON report, and exits non-zero when anything failed or nothing ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`Tests: 0 passed, 1 failed (no vitest report at ${file}: ${e.message})`);
  process.exit(1);
}
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const failedSuites = report.numFailedTestSuites ?? 0;
console.log(
  `Tests: ${passed} passed, ${failed + (failed === 0 ? failedSuites : 0)} failed, ${skipped} skipped`,
);
process.exit(failed > 0 || failedSuites > 0 || passed === 0 ? 1 : 0);
