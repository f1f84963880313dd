/**
 * The comment people read (issue 16 item 2), rendered for the cases reviewers meet: clean, lint
 * only, a BLOCKER, two projects, 200 findings within GitHub's cap, ignored findings.
 */
import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_LENGTH, renderMarkdown } from '../../../src/report/markdown.js';
import { cleanReport, finding, project, report, revision, step } from './sample-report.js';

const opts = { repoUrl: 'https://github.com/acme/shop', headSha: 'f'.repeat(40) };

/** `<details>` and `</details>` balance and never nest in a broken order. */
function expectBalancedDetails(md: string): void {
  let depth = 0;
  for (const m of md.matchAll(/<(\/?)details>/g)) {
    depth += m[1] ? -1 : 1;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
}

describe('comment layout', () => {
  it('clean: a verdict and one table', () => {
    const md = renderMarkdown(cleanReport(), opts);
    expect(md.split('\n')[0]).toBe('### ✅ migration-guard: no findings');
    expect(md).not.toContain('<details>');
    expect(md).not.toContain('BLOCKER');
  });

  it('lint only: the heading counts, few errors stay open, warnings fold when errors exist', () => {
    const r = report([
      project([
        revision('a1', {
          findings: [
            finding({ rule: 'require-concurrent-index' }),
            finding({ rule: 'rename-column', severity: 'warning' }),
            finding({ rule: 'drop-table', severity: 'warning' }),
          ],
        }),
      ]),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md.split('\n')[0]).toBe('### ❌ migration-guard: 1 error · 2 warnings');
    expect(md).toContain('change a1 — ❌ 1 error · 2 warnings');
    // The error is shown, the warnings are folded below it.
    const error = md.indexOf('**require-concurrent-index**');
    const fold = md.indexOf('<details><summary>2 warnings</summary>');
    expect(error).toBeGreaterThan(0);
    expect(fold).toBeGreaterThan(error);
    expect(md.indexOf('**rename-column**')).toBeGreaterThan(fold);
    expectBalancedDetails(md);
  });

  it('warnings only and few: shown open', () => {
    const r = report([
      project([revision('a1', { findings: [finding({ rule: 'rename-column', severity: 'warning' })] })]),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md.split('\n')[0]).toBe('### ⚠️ migration-guard: 1 warning');
    expect(md).not.toContain('<details><summary>1 warning');
  });

  it('many errors of one revision fold behind one summary line', () => {
    const findings = Array.from({ length: 5 }, (_, i) =>
      finding({ rule: 'require-concurrent-index', message: `index ${i}` }),
    );
    const md = renderMarkdown(report([project([revision('a1', { findings })])]), opts);
    expect(md).toContain('change a1 — ❌ 5 errors');
    expect(md).toContain('<details><summary>5 errors</summary>');
    expectBalancedDetails(md);
  });

  it('BLOCKER: named in the heading and first, before the tables', () => {
    const r = report([
      project([
        revision('a1', { findings: [finding({ rule: 'require-concurrent-index' })] }),
        revision('b2', {
          message: null,
          schemaRestored: false,
          steps: [
            step('upgrade'),
            { ...step('downgrade'), schemaDiff: ['index ix_users_email remains', 'type mood remains'] },
            step('reupgrade'),
          ],
          findings: [
            finding({ rule: 'rename-column', severity: 'warning' }),
            finding({
              rule: 'downgrade-leaves-trace',
              message: 'downgrade of b2 does not restore the schema: index ix_users_email remains',
              file: 'migrations/versions/b2_change.py',
              line: 30,
            }),
          ],
        }),
      ]),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md.split('\n')[0]).toBe(
      '### ❌ migration-guard: 1 revision cannot be rolled back · 2 errors · 1 warning',
    );
    const caution = md.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf('| Revision |'));
    expect(md).toMatch(/> \[`b2`\]\([^)]+\) cannot be rolled back: \*\*downgrade-leaves-trace\*\*/);
    // No docstring: the file name stands in for the message, in the table and the title.
    expect(md).toContain('| b2_change.py |');
    expect(md).toContain('b2_change.py — ❌ cannot be rolled back · 1 error · 1 warning');
    // "Schema restored ❌" says what differs and links to the downgrade.
    expect(md).toContain(
      `[❌ index ix_users_email remains (+1)](https://github.com/acme/shop/blob/${'f'.repeat(40)}/migrations/versions/b2_change.py#L30)`,
    );
    // Within the revision the BLOCKER comes before the warning.
    const revisionPart = md.slice(md.indexOf('b2_change.py — ❌'));
    expect(revisionPart.indexOf('BLOCKER')).toBeLessThan(revisionPart.indexOf('rename-column'));
    expectBalancedDetails(md);
  });

  it('two projects: each has its own title; blockers name their project', () => {
    const r = report([
      project([revision('a1', { findings: [finding({ rule: 'downgrade-failed' })] })], {
        id: 'svc/a/alembic.ini',
        config: 'svc/a/alembic.ini',
      }),
      project([revision('b1')], { id: 'svc/b/alembic.ini', config: 'svc/b/alembic.ini' }),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md).toContain('#### `svc/a/alembic.ini`');
    expect(md).toContain('#### `svc/b/alembic.ini`');
    expect(md).toMatch(/> `svc\/a\/alembic\.ini` \[`a1`\]/);
  });

  it('200 findings stay within the comment cap, with a note pointing at the full report', () => {
    const revisions = Array.from({ length: 20 }, (_, i) =>
      revision(`r${String(i).padStart(3, '0')}`, {
        findings: Array.from({ length: 10 }, (_, j) =>
          finding({
            rule: j % 2 ? 'rename-column' : 'require-concurrent-index',
            severity: j % 2 ? 'warning' : 'error',
            message: `finding ${j} of revision ${i}: ${'x'.repeat(300)}`,
            statement: `CREATE INDEX ix_${i}_${j} ON t (${'c'.repeat(200)})`,
          }),
        ),
      }),
    );
    const md = renderMarkdown(report([project(revisions)]), {
      ...opts,
      maxLength: COMMENT_MAX_LENGTH,
      detailsLink: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(COMMENT_MAX_LENGTH);
    expect(md.split('\n')[0]).toBe('### ❌ migration-guard: 100 errors · 100 warnings');
    expect(md).toContain(
      '[job summary and the report artifact](https://github.com/acme/shop/actions/runs/1)',
    );
    // Every revision keeps its verdict line even when findings had to go.
    for (const r of revisions) expect(md).toContain(`change ${r.id} — ❌ 5 errors · 5 warnings`);
    expectBalancedDetails(md);
    // The job summary's larger cap holds everything.
    const summary = renderMarkdown(report([project(revisions)]), { ...opts, maxLength: 1024 * 1024 });
    expect(summary).not.toContain('Shortened to fit');
    expect(summary.match(/\*\*require-concurrent-index\*\*/g)).toHaveLength(100);
  });

  it('ignored findings: folded, with their reason, not counted in the heading', () => {
    const r = report([
      project([
        revision('a1', {
          findings: [finding({ rule: 'drop-table', ignored: true, ignoreReason: 'table unused since v2' })],
        }),
      ]),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md.split('\n')[0]).toBe('### ✅ migration-guard: no findings');
    expect(md).toContain('<details><summary>1 ignored finding</summary>');
    expect(md).toContain('_ignored: table unused since v2_');
  });

  it('leaves text inside code spans as written and neutralises text outside', () => {
    const r = report([
      project([
        revision('a1', {
          findings: [
            finding({
              rule: 'invalid-ignore',
              severity: 'warning',
              message: 'ignore comment names no rule <b>@octocat</b>',
              help: 'write `# migration-guard: ignore <rule-id> -- reason` on the line above',
            }),
          ],
        }),
      ]),
    ]);
    const md = renderMarkdown(r, opts);
    expect(md).toContain('`# migration-guard: ignore <rule-id> -- reason`');
    expect(md).not.toContain('&lt;rule-id&gt;');
    expect(md).toContain('&lt;b&gt;@\u2060octocat&lt;/b&gt;');
  });
});
