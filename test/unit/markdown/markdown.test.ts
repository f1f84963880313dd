import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_LENGTH, renderMarkdown } from '../../../src/report/markdown.js';
import { cleanReport, failingReport, finding, project, report, revision, step } from './sample-report.js';

const opts = { repoUrl: 'https://github.com/acme/shop', headSha: 'f'.repeat(40) };

describe('renderMarkdown', () => {
  it('renders a clean report as a verdict and one table that fits on a screen', async () => {
    const md = renderMarkdown(cleanReport(), opts);
    expect(md).toContain('### ✅ migration-guard: no findings');
    expect(md).toContain('2 pending revisions checked, 2 passed');
    expect(md).toContain('| Revision | Message | Up | Down | Re-up | Schema restored | Findings | Time |');
    expect(md).toContain(
      `| [\`a1b2c3\`](https://github.com/acme/shop/blob/${'f'.repeat(40)}/migrations/versions/a1b2c3_change.py) | change a1b2c3 | ✅ | ✅ | ✅ | ✅ | 0 | 40 ms |`,
    );
    expect(md.split('\n').length).toBeLessThan(20);
    await expect(md).toMatchFileSnapshot('./__snapshots__/clean.md');
  });

  it('renders failing revisions with links, SQL, help, BLOCKER, ignored and executed SQL', async () => {
    const md = renderMarkdown(failingReport(), opts);
    expect(md).toContain('### ❌ migration-guard: 1 revision cannot be rolled back · 3 errors · 1 warning');
    // file:line links point at the PR head.
    expect(md).toContain(
      `[\`migrations/versions/a1b2c3_change.py:23\`](https://github.com/acme/shop/blob/${'f'.repeat(40)}/migrations/versions/a1b2c3_change.py#L23)`,
    );
    expect(md).toContain('```sql\n  CREATE INDEX ix_users_email ON users (email)\n  ```');
    expect(md).toContain('💡 fix require-concurrent-index');
    expect(md).toContain('**BLOCKER: this revision cannot be rolled back.** **downgrade-failed**');
    expect(md).not.toMatch(/BLOCKER[^\n]*require-concurrent-index/);
    // The pipe in the message must not split the table cell.
    expect(md).toContain('add index on users \\| email');
    // Failed downgrade, no re-upgrade, schema comparison did not run.
    expect(md).toMatch(/\| \[`d4e5f6`\]\([^)]*\) \| change d4e5f6 \| ✅ \| ❌ \| — \| — \| 1 \|/);
    expect(md).toContain('<details><summary>1 ignored finding</summary>');
    expect(md).toContain('_ignored: table is unused since v2_');
    expect(md).toContain('<details><summary>Executed SQL of <code>a1b2c3</code> (3 statements)</summary>');
    expect(md).toContain('-- line 10 · 2 ms · locks: AccessExclusiveLock on users');
    expect(md).toContain('**Project findings**');
    expect(md).toContain('**multiple-heads**: two heads: a1b2c3, d4e5f6');
    // Errors come before warnings within a revision.
    expect(md.indexOf('require-concurrent-index**')).toBeLessThan(md.indexOf('lock-timeout-missing**'));
    await expect(md).toMatchFileSnapshot('./__snapshots__/failing.md');
  });

  it('shows warnings-only as ⚠️ under fail-on error and ❌ under fail-on warning', () => {
    const r = report([
      project([revision('a1', { findings: [finding({ rule: 'rename-column', severity: 'warning' })] })]),
    ]);
    expect(renderMarkdown(r)).toContain('### ⚠️ migration-guard: 1 warning');
    expect(renderMarkdown(r, { failOn: 'warning' })).toContain('### ❌ migration-guard');
  });

  it('prints plain file:line without links when the repository is unknown', () => {
    const md = renderMarkdown(failingReport());
    expect(md).toContain('`migrations/versions/a1b2c3_change.py:23`');
    expect(md).not.toContain('](https://github.com/acme');
  });

  it('gives a skipped project one line saying why', () => {
    const r = report([
      project([], { id: 'svc/alembic.ini', skipped: 'no migration changed (only-changed)' }),
    ]);
    const md = renderMarkdown(r);
    expect(md).toContain('#### `svc/alembic.ini` — skipped: no migration changed (only-changed)');
    expect(md).not.toContain('| Revision |');
  });

  it('uses a longer fence when the statement itself contains backticks', () => {
    const r = report([
      project([
        revision('a1', {
          findings: [finding({ rule: 'drop-table', statement: 'DROP TABLE "```weird"' })],
        }),
      ]),
    ]);
    expect(renderMarkdown(r)).toContain('````sql\n  DROP TABLE "```weird"\n  ````');
  });

  it('escapes HTML from report text so a message cannot open tags in the comment', () => {
    const r = report([
      project([
        revision('a1', { findings: [finding({ rule: 'drop-table', message: '<img src=x> dropped' })] }),
      ]),
    ]);
    const md = renderMarkdown(r);
    expect(md).toContain('&lt;img src=x&gt; dropped');
    expect(md).not.toContain('<img');
  });
});

describe('renderMarkdown size cap', () => {
  /** Many revisions, each with big executed SQL, findings and an ignored finding. */
  function hugeReport(revisions: number, sqlSize: number) {
    const big = 'SELECT 1 /* ' + 'x'.repeat(sqlSize) + ' */';
    return report([
      project(
        Array.from({ length: revisions }, (_, i) =>
          revision(`r${String(i).padStart(4, '0')}`, {
            steps: [
              step('upgrade', true, [big]),
              step('downgrade', true, [big]),
              step('reupgrade', true, [big]),
            ],
            findings: [
              finding({
                rule: 'drop-table',
                file: `v/r${i}.py`,
                line: 3,
                statement: 'DROP TABLE t' + 'y'.repeat(300),
              }),
              finding({ rule: 'rename-table', ignored: true, ignoreReason: 'r'.repeat(400) }),
            ],
          }),
        ),
      ),
    ]);
  }

  it('drops executed SQL first', () => {
    const r = hugeReport(20, 2000);
    expect(renderMarkdown(r).length).toBeGreaterThan(100_000);
    const md = renderMarkdown(r, { maxLength: COMMENT_MAX_LENGTH, detailsLink: 'https://run/1' });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(md).not.toContain('Executed SQL of');
    expect(md).toContain('ignored finding');
    expect(md).toContain('Shortened to fit');
    expect(md).toContain('[job summary and the report artifact](https://run/1)');
  });

  it('then drops ignored findings, then truncates findings, keeping every table row', () => {
    const r = hugeReport(120, 50);
    const md = renderMarkdown(r, { maxLength: 30_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(30_000);
    expect(md).not.toContain('<details>');
    expect(md).toMatch(/\d+ of 120 findings, executed SQL and ignored findings are not shown/);
    // No revision title is left without its findings.
    expect(md).not.toMatch(/\*\*\[?`r\d+`\]?\*\* change r\d+\n\n(?!- )/);
    // Every revision keeps its table row even when its findings are cut.
    for (let i = 0; i < 120; i++) expect(md).toContain(`\`r${String(i).padStart(4, '0')}\``);
  });

  it('cuts even the tables when nothing else is left, still under the cap', () => {
    const md = renderMarkdown(hugeReport(400, 10), { maxLength: 5_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(5_000);
    expect(md).toContain('Shortened to fit');
  });
});
