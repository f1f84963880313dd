/**
 * The three-job matrix workflow of the README, run with the built action: `mode: discover`
 * lists the changed projects of a monorepo, one `mode: check` job per matrix entry writes its
 * report (real alembic, real PostgreSQL), and `mode: comment` merges the downloaded reports
 * into one sticky comment and sets the overall verdict.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixEntry } from '../../src/github/discover.js';
import type { Report } from '../../src/report/model.js';
import type { Monorepo } from '../fixtures/monorepo/monorepo.js';
import { makeMonorepo } from '../fixtures/monorepo/monorepo.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { startFakeGitHub } from '../helpers/fake-github.js';
import type { TestServer } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/postgres.js';
import { assertValidReport, validReport } from '../helpers/report-schema.js';
import type { ActionRun } from './action-harness.js';
import { ActionRunner, assertBundle, prPayload } from './action-harness.js';

const MERGED_MARKER = '<!-- migration-guard:report -->';
const PR = 21;

let pg: TestServer;
let gh: FakeGitHub;
let mono: Monorepo;
let artifacts: string;
const runner = new ActionRunner();

beforeAll(async () => {
  assertBundle();
  [pg, gh, mono] = await Promise.all([startTestServer(), startFakeGitHub(), makeMonorepo()]);
  artifacts = mkdtempSync(path.join(tmpdir(), 'mg-e2e-artifacts-'));
}, 180_000);

afterAll(async () => {
  await Promise.all([pg?.dispose(), gh?.close(), mono?.repo.cleanup()]);
  if (artifacts) rmSync(artifacts, { recursive: true, force: true });
  runner.cleanup();
});

const run = (inputs: Record<string, string>): Promise<ActionRun> =>
  runner.run({
    workspace: mono.repo.dir,
    apiUrl: gh.url,
    eventName: 'pull_request',
    payload: prPayload(PR, mono.baseSha, mono.headSha),
    inputs,
  });

describe('matrix fan-out: discover → check per project → merged comment', () => {
  let matrix: { include: MatrixEntry[] };

  it('discover outputs the changed projects as a matrix, without Python or a database', async () => {
    const discovered = await run({
      mode: 'discover',
      'alembic-config': 'services/*/alembic.ini',
      // Proof that no PR code runs: a Python that does not exist is never started.
      python: '/nonexistent/python',
    });
    expect(discovered.code, discovered.stdout + discovered.stderr).toBe(0);
    matrix = JSON.parse(discovered.outputs.matrix ?? '') as { include: MatrixEntry[] };
    expect(matrix).toEqual({
      include: [
        { project: 'services/billing/alembic.ini', name: 'billing' },
        { project: 'services/catalog/alembic.ini', name: 'catalog' },
      ],
    });
    expect(discovered.outputs.count).toBe('2');
    expect(discovered.stdout).toContain('services/accounts/alembic.ini: skipped, no migration changed since');
    expect(gh.requests).toHaveLength(0);
  }, 60_000);

  it('each matrix job checks its project and writes its report; the failing one fails', async () => {
    const runs = await Promise.all(
      matrix.include.map((entry) =>
        run({
          'alembic-config': entry.project,
          'database-url': pg.url,
          python: '/usr/bin/python3',
          comment: 'never',
          'report-file': path.join(artifacts, `migration-guard-${entry.name}`, 'migration-guard-report.json'),
        }),
      ),
    );
    const [billing, catalog] = runs as [ActionRun, ActionRun];
    expect(billing.code, billing.stdout + billing.stderr).toBe(0);
    expect(catalog.code, catalog.stdout + catalog.stderr).toBe(1);
    expect(catalog.stdout).toMatch(/::error .*title=require-concurrent-index/);
    for (const [i, entry] of matrix.include.entries()) {
      const report = validReport(readFileSync(runs[i]!.outputs['report-path']!, 'utf8'));
      expect(report.projects.map((p) => p.id)).toEqual([entry.project]);
      expect(report.projects[0]!.revisions).toHaveLength(1);
      expect(report.projects[0]!.revisions[0]!.steps).toHaveLength(3);
    }
    expect(gh.writes()).toHaveLength(0); // comment: never in the matrix jobs
  }, 180_000);

  it('comment merges the reports into one sticky comment and fails with the failing project', async () => {
    const merged = await run({ mode: 'comment', 'report-file': artifacts });
    expect(merged.code, merged.stdout + merged.stderr).toBe(1);
    expect(merged.outputs).toMatchObject({ passed: 'false' });
    expect(Number(merged.outputs.errors)).toBeGreaterThan(0);
    expect(merged.stdout).toContain(
      'merged 2 report(s): services/billing/alembic.ini, services/catalog/alembic.ini',
    );
    expect(merged.stdout).toMatch(
      /::error::migration-guard: \d+ finding\(s\) at or above fail-on: error in 2 projects/,
    );

    const comments = gh.comments.filter((c) => c.issueNumber === PR);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith(`${MERGED_MARKER}\n### ❌ migration-guard`)).toBe(true);
    expect(body).toContain('2 pending revisions checked, 1 passed');
    expect(body).toContain('#### `services/billing/alembic.ini`');
    expect(body).toContain('#### `services/catalog/alembic.ini`');
    expect(body).toContain('**require-concurrent-index**');
    expect(merged.summary).toContain('#### `services/catalog/alembic.ini`');

    assertValidReport(readFileSync(merged.outputs['report-path']!, 'utf8'), 'the merged report');
    const mergedReport = JSON.parse(readFileSync(merged.outputs['report-path']!, 'utf8')) as Report & {
      github: { pullRequest: number };
    };
    expect(mergedReport.projects).toHaveLength(2);
    expect(mergedReport.github.pullRequest).toBe(PR);
  }, 60_000);

  it('the same reports again leave the comment as it is', async () => {
    const writes = gh.writes().length;
    const again = await run({
      mode: 'comment',
      'report-file': path.join(artifacts, '*/migration-guard-report.json'),
    });
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('PR comment unchanged');
    expect(gh.writes()).toHaveLength(writes);
  }, 60_000);

  it('a matrix project without a report is named in the comment and fails the verdict', async () => {
    // As if a third check job had died (exit 3) before writing its report.
    const expected = {
      include: [...matrix.include, { project: 'services/shipping/alembic.ini', name: 'shipping' }],
    };
    const incomplete = await run({
      mode: 'comment',
      'report-file': artifacts,
      'expected-projects': JSON.stringify(expected),
      'fail-on': 'never',
    });
    expect(incomplete.code, incomplete.stdout + incomplete.stderr).toBe(1);
    expect(incomplete.stdout).toMatch(
      /::error::migration-guard: no report for services\/shipping\/alembic\.ini: its check job failed before writing one/,
    );
    const comments = gh.comments.filter((c) => c.issueNumber === PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(
      '#### `services/shipping/alembic.ini` — skipped: not checked: its check job wrote no report',
    );
  }, 60_000);

  it('a push that no longer changes a migration: discover finds none and the comment job turns the comment into "no longer touched"', async () => {
    const none = JSON.stringify({ include: [] });
    const writes = gh.writes().length;
    // No check job ran, so nothing was downloaded: report-file does not even exist.
    const untouched = await run({
      mode: 'comment',
      'report-file': path.join(artifacts, 'nothing-downloaded'),
      'expected-projects': none,
    });
    expect(untouched.code, untouched.stdout + untouched.stderr).toBe(0);
    expect(untouched.outputs).toMatchObject({ passed: 'true', errors: '0' });
    const comments = gh.comments.filter((c) => c.issueNumber === PR);
    expect(comments).toHaveLength(1);
    expect(
      comments[0]!.body.startsWith(`${MERGED_MARKER}\n### ✅ migration-guard: migrations no longer touched`),
    ).toBe(true);
    expect(untouched.outputs['comment-url']).toMatch(
      new RegExp(`/pull/${PR}#issuecomment-${comments[0]!.id}$`),
    );
    expect(gh.writes()).toHaveLength(writes + 1);

    // A pull request that never had a comment gets none.
    const other = await runner.run({
      workspace: mono.repo.dir,
      apiUrl: gh.url,
      eventName: 'pull_request',
      payload: prPayload(PR + 1, mono.baseSha, mono.headSha),
      inputs: {
        mode: 'comment',
        'report-file': path.join(artifacts, 'nothing-downloaded'),
        'expected-projects': none,
      },
    });
    expect(other.code, other.stdout + other.stderr).toBe(0);
    expect(gh.comments.filter((c) => c.issueNumber === PR + 1)).toHaveLength(0);
    expect(gh.writes()).toHaveLength(writes + 1);
    expect(other.outputs['comment-url']).toBe('');
  }, 60_000);
});
