import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { StepResult } from '../../../src/report/model.js';
import { slowestSteps } from '../../../src/report/slowest.js';
import { renderText } from '../../../src/report/text.js';
import { project, report, revision, step } from '../markdown/sample-report.js';

const timed = (phase: StepResult['phase'], durationMs: number): StepResult => ({
  ...step(phase),
  durationMs,
});

/** n revisions; revision i's upgrade takes 10·i ms, its other steps 1 ms; r3's downgrade 500 ms. */
function history(n: number) {
  return Array.from({ length: n }, (_, i) =>
    revision(`r${i}`, {
      steps: [timed('upgrade', 10 * i), timed('downgrade', i === 3 ? 500 : 1), timed('reupgrade', 1)],
    }),
  );
}

describe('slowestSteps', () => {
  it('lists the five slowest steps, slowest first, over every project', () => {
    const r = report([
      project(history(8)),
      project([revision('x1', { steps: [timed('reupgrade', 65)] })], { id: 'b.ini' }),
    ]);
    const slow = slowestSteps(r)!;
    expect(slow.revisions).toBe(9);
    expect(slow.steps).toBe(25);
    expect(slow.slowest.map((s) => `${s.revision} ${s.phase} ${s.durationMs}`)).toEqual([
      'r3 downgrade 500',
      'r7 upgrade 70',
      'x1 reupgrade 65',
      'r6 upgrade 60',
      'r5 upgrade 50',
    ]);
    expect(slow.slowest[2]!.project).toBe('b.ini');
  });

  it.each([
    ['five revisions', history(5)],
    [
      'six revisions of which only five ran',
      [...history(5), revision('nr', { steps: [], schemaRestored: null })],
    ],
  ])('is null for %s (the table says it all)', (_name, revisions) => {
    expect(slowestSteps(report([project(revisions)]))).toBeNull();
  });

  it('shows in the text and markdown reports only when more than five revisions ran', () => {
    const long = report([project(history(6))]);
    const text = renderText(long);
    expect(text).toContain('slowest steps (of 18 in 6 revisions):');
    expect(text).toMatch(/^\s+500 ms {2}r3 downgrade {3}migrations\/versions\/r3_change\.py$/m);
    const md = renderMarkdown(long);
    expect(md).toContain('<details><summary>Slowest steps (5 of 18 in 6 revisions)</summary>');
    expect(md).toContain('| downgrade | `r3` | migrations/versions/r3_change.py | 500 ms |');

    const short = report([project(history(5))]);
    expect(renderText(short)).not.toContain('slowest steps');
    expect(renderMarkdown(short)).not.toContain('Slowest steps');
  });
});
