/**
 * The markdown of a round trip on a populated database: a "With data" column with each
 * revision's verdict, the rows per table the check ran with and whether the user's seed ran,
 * and a data BLOCKER labelled like the other blockers.
 */
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { renderText } from '../../../src/report/text.js';
import { finding, project, report, revision, step } from './sample-report.js';

const steps = () => [step('upgrade'), step('downgrade'), step('reupgrade')];

describe('markdown with data', () => {
  it('shows the with-data verdicts, the rows per table and the user seed', () => {
    const md = renderMarkdown(
      report([
        project(
          [
            revision('a1', { steps: steps(), data: { verdict: 'ok', rows: { users: 300 } } }),
            revision('b2', {
              steps: [step('upgrade', false)],
              schemaRestored: null,
              data: { verdict: 'upgrade-fails', rows: { users: 300 }, succeedsOnEmpty: true },
              findings: [
                finding({
                  rule: 'upgrade-fails-with-data',
                  message: 'upgrade to b2 fails on tables with rows and succeeds on empty ones: …',
                }),
              ],
            }),
            revision('c3', { steps: steps(), data: { verdict: 'loses-data', rows: { users: 300 } } }),
          ],
          {
            seed: {
              rowsPerTable: 300,
              randomSeed: 1,
              tables: { users: 300, orders: 298 },
              unfilled: { weird: 'no generator for column x of type tsquery' },
              userSql: { file: 'db/sample.sql', ok: true, error: null },
            },
          },
        ),
      ]),
    );
    expect(md).toContain(
      '| Revision | Message | Up | Down | Re-up | Schema restored | With data | Findings | Time |',
    );
    expect(md).toMatch(/\| `a1` \|[^\n]*\| ✅ \| 0 \|/);
    expect(md).toMatch(/\| `b2` \|[^\n]*\| ❌ up \| 1 \|/);
    expect(md).toMatch(/\| `c3` \|[^\n]*\| ❌ loses data \| 0 \|/);
    expect(md).toContain(
      'Ran with data: `users` 300, `orders` 298 rows (synthetic, seed 1); left empty: `weird` (see the JSON report); `db/sample.sql` ran.',
    );
    expect(md).toContain('**BLOCKER: this revision fails on tables with rows.** **upgrade-fails-with-data**');
  });

  it('says "not checked" for a revision the populated run never reached, as the empty table does', () => {
    const md = renderMarkdown(
      report([
        project([
          revision('a1', { steps: steps(), data: { verdict: 'ok', rows: { users: 300 } } }),
          revision('b2', { steps: [], schemaRestored: null, notChecked: 'interrupted by SIGTERM' }),
        ]),
      ]),
    );
    expect(md).toMatch(/\| `a1` \|[^\n]*\| ✅ \| 0 \|/);
    expect(md).toMatch(/\| `b2` \|[^\n]*\| — \| — \| — \| — \| — \| not checked \|/);
  });

  it('says once which revisions ran on rows seeded afresh after a failure rebuilt the database', () => {
    const reseeded = (id: string) =>
      revision(id, { steps: steps(), data: { verdict: 'ok', rows: { users: 300 }, reseededAfter: 'b2' } });
    const md = renderMarkdown(
      report([
        project(
          [
            revision('a1', { steps: steps(), data: { verdict: 'ok', rows: { users: 300 } } }),
            revision('b2', {
              steps: [step('upgrade', false)],
              schemaRestored: null,
              data: { verdict: 'upgrade-fails', rows: { users: 300 }, succeedsOnEmpty: true },
            }),
            reseeded('c3'),
            reseeded('d4'),
            reseeded('e5'),
          ],
          {
            seed: {
              rowsPerTable: 300,
              randomSeed: 1,
              tables: { users: 600 },
              unfilled: {},
              userSql: null,
            },
          },
        ),
      ]),
    );
    expect(md).toContain(
      'Ran with data: `users` 600 rows (synthetic, seed 1). 3 revisions, `c3` … `e5` ran on rows seeded afresh after `b2` failed (the database was rebuilt).',
    );
    const text = renderText(
      report([project([revision('b2', { steps: [step('upgrade', false)] }), reseeded('c3')])]),
    );
    expect(text).toContain('  c3 ran on rows seeded afresh after b2 failed (the database was rebuilt)');
  });

  it('keeps the table of a round trip on empty tables unchanged', () => {
    const md = renderMarkdown(report([project([revision('a1', { steps: steps() })])]));
    expect(md).toContain('| Revision | Message | Up | Down | Re-up | Schema restored | Findings | Time |');
    expect(md).not.toContain('Ran with data');
  });
});
