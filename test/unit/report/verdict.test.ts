/**
 * issue #14 item 8: the verdict word of the text report, the markdown (PR comment and job
 * summary) and the exit code agree for every fail-on.
 */
import { describe, expect, it } from 'vitest';
import type { FailOn } from '../../../src/config.js';
import { EXIT_FINDINGS, EXIT_PASSED } from '../../../src/errors.js';
import { exitCodeFor } from '../../../src/exit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/model.js';
import { renderText } from '../../../src/report/text.js';
import { cleanReport, finding, project, report, revision } from '../markdown/sample-report.js';

const oneWarning = (): Report =>
  report([
    project([revision('a1', { findings: [finding({ rule: 'rename-column', severity: 'warning' })] })]),
  ]);
const twoErrors = (): Report =>
  report([
    project([
      revision('a1', {
        findings: [finding({ rule: 'drop-table' }), finding({ rule: 'require-concurrent-index' })],
      }),
    ]),
  ]);

const textVerdict = (r: Report, failOn: FailOn) =>
  /^(PASSED|FAILED)[^:]*:/m.exec(renderText(r, { failOn }))?.[0];
const markdownVerdict = (r: Report, failOn: FailOn) =>
  /\*\*(PASSED|FAILED)\*\*[^·]*/.exec(renderMarkdown(r, { failOn }))?.[0];

describe('verdict follows fail-on', () => {
  it.each<[string, () => Report, FailOn, number, string, string]>([
    [
      'one warning, fail-on warning',
      oneWarning,
      'warning',
      EXIT_FINDINGS,
      'FAILED (fail-on warning):',
      '**FAILED** (fail-on warning) ',
    ],
    ['one warning, fail-on error', oneWarning, 'error', EXIT_PASSED, 'PASSED:', '**PASSED** '],
    [
      'two errors, fail-on never',
      twoErrors,
      'never',
      EXIT_PASSED,
      'PASSED (fail-on never):',
      '**PASSED** (fail-on never) ',
    ],
    ['two errors, fail-on error', twoErrors, 'error', EXIT_FINDINGS, 'FAILED:', '**FAILED** '],
    [
      'two errors, fail-on warning',
      twoErrors,
      'warning',
      EXIT_FINDINGS,
      'FAILED (fail-on warning):',
      '**FAILED** (fail-on warning) ',
    ],
    [
      'clean, fail-on warning',
      cleanReport,
      'warning',
      EXIT_PASSED,
      'PASSED (fail-on warning):',
      '**PASSED** (fail-on warning) ',
    ],
  ])('%s', (_name, make, failOn, exit, text, markdown) => {
    const r = make();
    expect(exitCodeFor(r, failOn)).toBe(exit);
    expect(textVerdict(r, failOn)).toBe(text);
    expect(markdownVerdict(r, failOn)).toBe(markdown);
    // The headline icon agrees too: ❌ only when the run fails.
    expect(renderMarkdown(r, { failOn }).startsWith(exit === EXIT_FINDINGS ? '### ❌' : '### ')).toBe(true);
    if (exit === EXIT_PASSED) expect(renderMarkdown(r, { failOn })).not.toMatch(/^### ❌/);
  });
});
