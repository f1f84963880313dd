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
    expect(md).toContain(
      '**BLOCKER: this revision fails to upgrade on tables with rows.** **upgrade-fails-with-data**',
    );
    // The callout says what the blocker is: an upgrade that fails, not a rollback problem.
    expect(md).toMatch(/> `b2` fails to upgrade on tables with rows: \*\*upgrade-fails-with-data\*\*/);
    expect(md).toContain('### ❌ migration-guard: 1 revision fails to upgrade on tables with rows · 1 error');
    expect(md).not.toContain('cannot be rolled back');
  });

  it('labels a static finding that carries the data failure as evidence like the failure, statement once', () => {
    const statement = 'ALTER TABLE users ADD COLUMN plan TEXT NOT NULL';
    const md = renderMarkdown(
      report([
        project([
          revision('b2', {
            steps: [step('upgrade', false)],
            schemaRestored: null,
            data: { verdict: 'upgrade-fails', rows: { users: 300 }, succeedsOnEmpty: true },
            findings: [
              finding({
                rule: 'not-null-column-without-default',
                message: 'ADD COLUMN "plan" NOT NULL without a default on existing table "users": …',
                statement,
                related: [
                  {
                    rule: 'upgrade-fails-with-data',
                    severity: 'error',
                    message:
                      'upgrade to b2 fails on tables with rows and succeeds on empty ones: NotNullViolation',
                    docsUrl: 'https://example.invalid/upgrade-fails-with-data.md',
                    file: 'migrations/versions/b2_change.py',
                    line: 19,
                    statement,
                  },
                ],
              }),
            ],
          }),
        ]),
      ]),
    );
    expect(md).toContain(
      '**BLOCKER: this revision fails to upgrade on tables with rows.** **not-null-column-without-default**',
    );
    expect(md).toMatch(
      /> `b2` fails to upgrade on tables with rows: \*\*not-null-column-without-default\*\*/,
    );
    expect(md).toContain('↳ **upgrade-fails-with-data**: upgrade to b2 fails on tables with rows');
    // The findings show the statement once (the executed SQL section is separate and folded).
    const findingsPart = md.split('<details>')[0] ?? '';
    expect(findingsPart.split(statement).length - 1).toBe(1);
  });

  it('labels a downgrade that fails on rows as not rollback-safe', () => {
    const md = renderMarkdown(
      report([
        project([
          revision('c3', {
            steps: [step('upgrade'), step('downgrade', false)],
            data: { verdict: 'downgrade-fails', rows: { users: 300 }, succeedsOnEmpty: true },
            findings: [
              finding({ rule: 'downgrade-fails-with-data', message: 'downgrade of c3 fails on rows' }),
            ],
          }),
        ]),
      ]),
    );
    expect(md).toMatch(
      /> `c3` cannot be rolled back once tables have rows: \*\*downgrade-fails-with-data\*\*/,
    );
    expect(md).toContain('1 revision cannot be rolled back');
    expect(md).not.toContain('fails to upgrade');
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
