import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { failingFindingsCount } from '../../../src/exit.js';
import { MISSING_REPORT_REASON, mergeReports, withMissingProjects } from '../../../src/github/merge.js';
import { expectedProjectsInput } from '../../../src/github/inputs.js';
import { MigrationGuardError } from '../../../src/errors.js';
import type { ActionReport } from '../../../src/github/report-file.js';
import { mergeGithubBlocks, readReportFiles } from '../../../src/github/report-file.js';
import type { Report } from '../../../src/report/model.js';
import { finding, project, report, revision, step } from '../markdown/sample-report.js';

const clean = (id: string, ms = 1000): Report => {
  const r = report([project([revision(`${id}1`), revision(`${id}2`)], { id, config: id })]);
  return { ...r, summary: { ...r.summary, durationMs: ms } };
};
const failing = (id: string, ms = 1000): Report => {
  const r = report([
    project(
      [
        revision(`${id}1`, {
          findings: [
            finding({ rule: 'require-concurrent-index' }),
            finding({ rule: 'rename-column', severity: 'warning' }),
          ],
        }),
        revision(`${id}2`, { steps: [step('upgrade'), step('downgrade', false)], schemaRestored: null }),
      ],
      { id, config: id, findings: [finding({ rule: 'multiple-heads', ignored: true, ignoreReason: 'ok' })] },
    ),
  ]);
  return { ...r, summary: { ...r.summary, durationMs: ms } };
};

describe('mergeReports', () => {
  it('puts every project in one report, sorted by id, and recomputes the summary', () => {
    const merged = mergeReports([
      failing('services/b/alembic.ini', 4000),
      clean('services/a/alembic.ini', 2500),
    ]);
    expect(merged.projects.map((p) => p.id)).toEqual(['services/a/alembic.ini', 'services/b/alembic.ini']);
    expect(merged.summary).toEqual({
      revisions: 4,
      passed: 2, // a1, a2; b1 has an error, b2's downgrade failed
      errors: 1,
      warnings: 1,
      ignored: 1,
      durationMs: 4000, // matrix jobs run side by side: the longest one
    });
    expect(merged.version).toBe(1);
    expect(failingFindingsCount(merged, 'error')).toBe(1);
    expect(failingFindingsCount(merged, 'warning')).toBe(2);
  });

  it('is clean when every part is clean', () => {
    const merged = mergeReports([clean('x.ini'), clean('y.ini')]);
    expect(merged.summary).toMatchObject({ revisions: 4, passed: 4, errors: 0, warnings: 0, ignored: 0 });
  });

  it('keeps one entry per project: a checked one over a skipped one, else the later report', () => {
    const skipped = report([project([], { id: 'a.ini', config: 'a.ini', skipped: 'no migration changed' })]);
    expect(mergeReports([clean('a.ini'), skipped]).projects[0]!.skipped).toBeNull();
    expect(mergeReports([skipped, clean('a.ini')]).projects[0]!.skipped).toBeNull();
    const rerun = failing('a.ini');
    const merged = mergeReports([clean('a.ini'), rerun]);
    expect(merged.projects).toHaveLength(1);
    expect(merged.summary.errors).toBe(1);
  });

  it('of no report is an empty, passing report', () => {
    const merged = mergeReports([]);
    expect(merged.projects).toEqual([]);
    expect(merged.summary).toEqual({
      revisions: 0,
      passed: 0,
      errors: 0,
      warnings: 0,
      ignored: 0,
      durationMs: 0,
    });
  });

  it('does not change its inputs', () => {
    const a = failing('a.ini');
    const before = JSON.stringify(a);
    mergeReports([a, clean('b.ini')]);
    expect(JSON.stringify(a)).toBe(before);
  });
});

describe('withMissingProjects', () => {
  const merged = mergeReports([
    failing('backend/services/b/alembic.ini'),
    clean('backend/services/a/alembic.ini'),
  ]);

  it('adds expected projects no report covers, as skipped with the reason', () => {
    const { report: r, missing } = withMissingProjects(merged, [
      'services/a/alembic.ini',
      'services/b/alembic.ini',
      'services/c/alembic.ini',
    ]);
    expect(missing).toEqual(['services/c/alembic.ini']);
    expect(r.projects.map((p) => [p.id, p.skipped ?? null])).toEqual([
      ['backend/services/a/alembic.ini', null],
      ['backend/services/b/alembic.ini', null],
      ['services/c/alembic.ini', MISSING_REPORT_REASON],
    ]);
    expect(r.summary).toEqual(merged.summary);
  });

  it.each([[[]], [['services/a/alembic.ini']], [['backend/services/b/alembic.ini']]])(
    'changes nothing when every expected project has a report (%j)',
    (expected) => {
      const { report: r, missing } = withMissingProjects(merged, expected);
      expect(missing).toEqual([]);
      expect(r).toBe(merged);
    },
  );

  it('does not take a suffix that is not a whole path part as covering', () => {
    expect(withMissingProjects(merged, ['a/alembic.ini']).missing).toEqual([]);
    expect(withMissingProjects(merged, ['es/a/alembic.ini']).missing).toEqual(['es/a/alembic.ini']);
  });
});

describe('expectedProjectsInput', () => {
  it.each([
    ['', []],
    [
      '{"include":[{"project":"services/a/alembic.ini","name":"a"},{"project":"b.ini","name":"b"}]}',
      ['services/a/alembic.ini', 'b.ini'],
    ],
    ['{"include":[]}', []],
    ['["a.ini", {"project": "b.ini"}]', ['a.ini', 'b.ini']],
    ['a.ini\nb.ini', ['a.ini', 'b.ini']],
  ])('%j → %j', (input, expected) => {
    expect(expectedProjectsInput(input)).toEqual(expected);
  });

  it.each(['{"include":[{"name":"a"}]}', '{"matrix":1}', '{not json'])(
    'rejects %j as a usage error',
    (input) => {
      let error: unknown;
      try {
        expectedProjectsInput(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MigrationGuardError);
      expect((error as MigrationGuardError).exitCode).toBe(2);
      expect((error as Error).message).toMatch(
        /^input expected-projects must be the discover job's matrix output/,
      );
    },
  );
});

describe('mergeGithubBlocks', () => {
  const block = (pr: number, sha: string, failOn: 'error' | 'warning' | 'never' = 'error') => ({
    repository: 'acme/shop',
    pullRequest: pr,
    headSha: sha,
    failOn,
    runUrl: null,
  });
  const withBlock = (g: ActionReport['github']): ActionReport => ({ ...clean('a.ini'), github: g });

  it('takes the common PR and commit and the strictest fail-on', () => {
    const merged = mergeGithubBlocks(
      [withBlock(block(7, 'abc')), withBlock(block(7, 'abc', 'warning')), withBlock(undefined)],
      ['1.json', '2.json', '3.json'],
    );
    expect(merged).toMatchObject({ pullRequest: 7, headSha: 'abc', failOn: 'warning' });
  });

  it.each([
    [block(7, 'abc'), block(8, 'abc')],
    [block(7, 'abc'), block(7, 'def')],
  ])('refuses reports about different pull requests or commits', (a, b) => {
    expect(() => mergeGithubBlocks([withBlock(a), withBlock(b)], ['1.json', '2.json'])).toThrow(
      /report files 1\.json and 2\.json are about different pull requests or commits/,
    );
  });
});

describe('readReportFiles', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mg-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, r: unknown) => {
    const f = path.join(dir, rel);
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, JSON.stringify(r));
    return f;
  };
  const github = { repository: 'acme/shop', pullRequest: 3, headSha: 'abc', failOn: 'error', runUrl: null };
  write('artifacts/report-a/migration-guard-report.json', { ...clean('a.ini'), github });
  write('artifacts/report-b/migration-guard-report.json', { ...failing('b.ini'), github });
  write('artifacts/report-b/notes.txt', 'not a report');

  it('reads one file as it is', async () => {
    const loaded = await readReportFiles(path.join(dir, 'artifacts/report-a/migration-guard-report.json'));
    expect(loaded.merged).toBe(false);
    expect(loaded.report.projects.map((p) => p.id)).toEqual(['a.ini']);
  });

  it('merges every JSON report under a directory (download-artifact layout)', async () => {
    const loaded = await readReportFiles(path.join(dir, 'artifacts'));
    expect(loaded.merged).toBe(true);
    expect(loaded.files).toHaveLength(2);
    expect(loaded.report.projects.map((p) => p.id)).toEqual(['a.ini', 'b.ini']);
    expect(loaded.report.summary.errors).toBe(1);
    expect(loaded.report.github).toMatchObject({ pullRequest: 3, headSha: 'abc' });
  });

  it('merges the files a glob matches', async () => {
    const loaded = await readReportFiles(path.join(dir, 'artifacts/*/migration-guard-report.json'));
    expect(loaded.merged).toBe(true);
    expect(loaded.report.projects).toHaveLength(2);
  });

  it.each([
    ['missing.json', /report-file .*missing\.json not found/],
    ['artifacts/*/nothing-*.json', /holds no report JSON/],
  ])('%s is a usage error', async (rel, message) => {
    await expect(readReportFiles(path.join(dir, rel))).rejects.toThrow(message);
  });

  it('rejects a directory holding a JSON file that is not a report', async () => {
    write('bad/x.json', { hello: 'world' });
    await expect(readReportFiles(path.join(dir, 'bad'))).rejects.toThrow(/is not a migration-guard report/);
  });
});
