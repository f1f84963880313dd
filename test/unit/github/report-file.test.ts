import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AnnotationProperties } from '@actions/core';
import { afterAll, describe, expect, it } from 'vitest';
import { annotate } from '../../../src/github/annotations.js';
import { readReportFile, writeReportFile } from '../../../src/github/report-file.js';
import { failingReport } from '../markdown/sample-report.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mg-report-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const github = {
  repository: 'acme/shop',
  pullRequest: 7,
  headSha: 'abc',
  failOn: 'error' as const,
  runUrl: null,
};

describe('report file', () => {
  it('round-trips the report with its github block', async () => {
    const file = path.join(dir, 'nested', 'report.json');
    await writeReportFile(file, failingReport(), github);
    const back = await readReportFile(file);
    expect(back).toEqual({ ...failingReport(), github });
  });

  it.each([
    ['missing', null, 'not found'],
    ['not JSON', '{', 'is not JSON'],
    ['wrong version', JSON.stringify({ ...failingReport(), version: 2 }), 'is not a migration-guard report'],
    [
      'bad finding',
      JSON.stringify({
        ...failingReport(),
        projects: [{ ...failingReport().projects[0], findings: [{ rule: 1 }] }],
      }),
      'is not a migration-guard report',
    ],
    [
      'bad PR number',
      JSON.stringify({ ...failingReport(), github: { ...github, pullRequest: '7' } }),
      'not a migration-guard',
    ],
  ])('rejects a %s file with a usage error', async (name, content, expected) => {
    const file = path.join(dir, `${name}.json`);
    if (content !== null) writeFileSync(file, content);
    await expect(readReportFile(file)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(expected),
    });
  });
});

describe('annotate', () => {
  it('annotates active findings with file, line and the rule id as title', () => {
    const calls: Array<[string, string, AnnotationProperties]> = [];
    const count = annotate(failingReport(), {
      error: (m, p) => calls.push(['error', m, p]),
      warning: (m, p) => calls.push(['warning', m, p]),
    });
    expect(count).toBe(4);
    expect(calls).toContainEqual([
      'error',
      'CREATE INDEX on existing table "users" blocks writes\nfix require-concurrent-index',
      { title: 'require-concurrent-index', file: 'migrations/versions/a1b2c3_change.py', startLine: 23 },
    ]);
    expect(calls).toContainEqual([
      'warning',
      'no lock_timeout set\nfix lock-timeout-missing',
      { title: 'lock-timeout-missing', file: 'migrations/versions/a1b2c3_change.py', startLine: 20 },
    ]);
    // Project-level: on the alembic config, no line. Ignored drop-table: not annotated.
    expect(calls).toContainEqual([
      'error',
      expect.any(String),
      { title: 'multiple-heads', file: 'alembic.ini' },
    ]);
    expect(calls.some(([, , p]) => p.title === 'drop-table')).toBe(false);
  });
});
