/**
 * No noise (issue 16 item 3) and the annotation cap: a run that checked no project creates no
 * comment and turns an earlier one into "no longer touched"; more than max-annotations findings
 * per level give max-annotations annotations plus one summary.
 */
import type { AnnotationProperties } from '@actions/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nothingChecked } from '../../../src/action/publish.js';
import { annotate } from '../../../src/github/annotations.js';
import { createOctokit, marker, publishComment } from '../../../src/github/comment.js';
import type { FakeGitHub } from '../../helpers/fake-github.js';
import { startFakeGitHub } from '../../helpers/fake-github.js';
import { cleanReport, finding, project, report, revision } from '../markdown/sample-report.js';

const target = { owner: 'acme', repo: 'shop', issueNumber: 7 };
const mark = marker('alembic.ini');
const base = {
  key: 'alembic.ini',
  body: 'full report',
  resolvedBody: 'resolved',
  failing: false,
  policy: 'always' as const,
};

describe('no comment when no migration is touched', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = await startFakeGitHub();
  });
  afterEach(async () => {
    await gh.close();
  });
  const octokit = () => createOctokit('test-token', gh.url);

  it('creates none', async () => {
    const r = await publishComment(octokit(), target, {
      ...base,
      untouched: true,
      untouchedBody: 'untouched',
    });
    expect(r.action).toBe('skipped');
    expect(gh.comments).toHaveLength(0);
    expect(gh.writes()).toHaveLength(0);
  });

  it('updates an existing one to say the migrations are no longer touched', async () => {
    const ours = gh.addComment('acme/shop', 7, `${mark}\nold findings`, 'github-actions[bot]');
    const r = await publishComment(octokit(), target, {
      ...base,
      untouched: true,
      untouchedBody: 'untouched',
    });
    expect(r).toMatchObject({ action: 'updated', commentId: ours.id });
    expect(gh.comments[0]!.body).toBe(`${mark}\nuntouched`);
  });

  it('knows a run that checked nothing from one that did', () => {
    expect(nothingChecked(report([project([], { skipped: 'no migration changed since main' })]))).toBe(true);
    expect(nothingChecked(report([project([revision('a1', { pending: false })])]))).toBe(true);
    expect(nothingChecked(cleanReport())).toBe(false);
    // A deleted applied revision: nothing pending, but a finding to show.
    expect(
      nothingChecked(report([project([], { findings: [finding({ rule: 'deleted-applied-migration' })] })])),
    ).toBe(false);
  });
});

describe('annotations per level', () => {
  it('annotates the first N of each level and summarises the rest in one annotation', () => {
    const findings = [
      ...Array.from({ length: 14 }, (_, i) =>
        finding({ rule: 'drop-table', message: `e${i}`, file: 'v/a.py', line: i + 1 }),
      ),
      ...Array.from({ length: 12 }, (_, i) =>
        finding({ rule: 'rename-column', severity: 'warning', message: `w${i}` }),
      ),
    ];
    const seen: Array<{ level: string; message: string; properties: AnnotationProperties }> = [];
    const sink = {
      error: (message: string, properties: AnnotationProperties) =>
        seen.push({ level: 'error', message, properties }),
      warning: (message: string, properties: AnnotationProperties) =>
        seen.push({ level: 'warning', message, properties }),
    };
    const count = annotate(report([project([revision('a1', { findings })])]), sink, 10);
    expect(count).toBe(22);
    expect(seen.filter((a) => a.level === 'error')).toHaveLength(11);
    expect(seen.filter((a) => a.level === 'warning')).toHaveLength(11);
    expect(seen.find((a) => a.message.startsWith('4 more errors not annotated'))).toBeDefined();
    expect(seen.find((a) => a.message.startsWith('2 more warnings not annotated'))).toBeDefined();
  });
});
