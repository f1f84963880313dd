/**
 * A cancelled run's partial report (`interrupted`, written to --output on SIGINT/SIGTERM) says so
 * in the markdown: one line under the verdict with the signal, where it arrived and the
 * revisions not checked; revision text in it stays inert.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.js';
import type { Report } from '../../../src/report/model.js';
import { cleanReport, project, report, revision, step } from './sample-report.js';

function partial(notChecked: string[], during = 'b2 upgrade'): Report {
  const checked = revision('a1');
  const rest = notChecked.map((id) =>
    revision(id, { steps: [], schemaRestored: null, durationMs: undefined }),
  );
  return {
    ...report([project([checked, ...rest])]),
    interrupted: { signal: 'SIGTERM', during, notChecked: notChecked.map((id) => `alembic.ini: ${id}`) },
  };
}

describe('markdown of an interrupted run', () => {
  it('says the run was interrupted and which revisions were not checked, right under the verdict', () => {
    const md = renderMarkdown(partial(['b2', 'c3']));
    const line =
      '> **INTERRUPTED** by SIGTERM during `b2 upgrade`: partial report; not checked: `alembic.ini: b2`, `alembic.ini: c3`.';
    expect(md).toContain(`> [!WARNING]\n${line}`);
    expect(md.split('\n').filter((l) => l.includes('INTERRUPTED'))).toEqual([line]);
    // Under the heading and verdict, before the project's table.
    expect(md.indexOf(line)).toBeGreaterThan(md.indexOf('**PASSED**'));
    expect(md.indexOf(line)).toBeLessThan(md.indexOf('| Revision |'));
  });

  it('says "none" when the signal arrived after every revision was checked', () => {
    const md = renderMarkdown(partial([], 'reporting'));
    expect(md).toContain('during `reporting`: partial report; not checked: none.');
  });

  it('keeps a long audit to one line: the first 20 revisions, then a count', () => {
    const ids = Array.from({ length: 25 }, (_, i) => `r${String(i).padStart(2, '0')}`);
    const md = renderMarkdown(partial(ids));
    const line = md.split('\n').find((l) => l.includes('INTERRUPTED')) ?? '';
    expect(line).toContain('`alembic.ini: r19` and 5 more.');
    expect(line).not.toContain('r20');
  });

  it('keeps revision text in the line inert (backticks cannot close the code span)', () => {
    const md = renderMarkdown(partial(['x` @admin [a](https://evil.example) `y'], 'x` @admin upgrade'));
    const line = md.split('\n').find((l) => l.includes('INTERRUPTED')) ?? '';
    expect(line).toContain("`x' @admin upgrade`");
    expect(line).toContain("`alembic.ini: x' @admin [a](https://evil.example) 'y`");
  });

  it('is kept when the text is cut to fit a comment', () => {
    const big = partial(['b2']);
    big.projects[0]!.revisions[0]!.steps = [
      step(
        'upgrade',
        true,
        Array.from({ length: 400 }, (_, i) => `SELECT ${i}`),
      ),
    ];
    const md = renderMarkdown(big, { maxLength: 4000 });
    expect(md).toContain('Shortened to fit');
    expect(md).toContain('**INTERRUPTED** by SIGTERM');
  });

  it('adds nothing to a run that finished', () => {
    expect(renderMarkdown(cleanReport())).not.toContain('INTERRUPTED');
    expect(renderMarkdown({ ...cleanReport(), interrupted: null })).not.toContain('INTERRUPTED');
  });
});
