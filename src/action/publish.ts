/**
 * What every action mode shares to publish: the sticky comment, the count outputs, the job
 * summary, and the logger and lines that never let text we did not write become a workflow
 * command.
 */
import * as core from '@actions/core';
import { maskSecrets, usageError } from '../errors.js';
import type { CommentPolicy, CommentTarget, Octokit } from '../github/comment.js';
import { markerKey, publishComment } from '../github/comment.js';
import type { Env } from '../github/event.js';
import type { Logger } from '../log.js';
import { COMMENT_MAX_LENGTH, renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/model.js';
import { scrubOutput } from '../scrub.js';

export async function comment(
  octokit: Octokit,
  target: CommentTarget,
  report: Report,
  policy: CommentPolicy,
  markdown: Parameters<typeof renderMarkdown>[1],
  failing: boolean,
  key: string = markerKey(report),
): Promise<void> {
  const body = renderMarkdown(report, { ...markdown, maxLength: COMMENT_MAX_LENGTH - 200 });
  const result = await publishComment(octokit, target, {
    key,
    body,
    resolvedBody: resolvedBody(report),
    failing,
    policy,
    untouched: nothingChecked(report),
    untouchedBody: untouchedBody(),
  });
  core.setOutput('comment-url', result.url ?? '');
  if (result.action === 'failed')
    core.warning(maskSecrets(result.reason ?? 'cannot comment on the pull request'));
  else if (result.action === 'skipped') info(`no PR comment: ${result.reason}`);
  else info(`PR comment ${result.action}${result.url ? `: ${result.url}` : ''}`);
}

/** No project was checked and nothing was found: a pull request that touches no migration. */
export function nothingChecked(report: Report): boolean {
  const s = report.summary;
  return (
    s.errors + s.warnings === 0 &&
    report.projects.every((p) => Boolean(p.skipped) || p.revisions.every((r) => !r.pending))
  );
}

function untouchedBody(): string {
  return '### ✅ migration-guard: migrations no longer touched\n\nThis pull request no longer changes any migration: nothing to check.\n';
}

function resolvedBody(report: Report): string {
  const s = report.summary;
  return `### ✅ migration-guard: resolved\n\nThe problems reported earlier are fixed: ${s.revisions} pending revision(s) checked, ${s.passed} passed.\n`;
}

export function setCountOutputs(report: Report, failing: number): void {
  core.setOutput('passed', failing === 0 ? 'true' : 'false');
  core.setOutput('errors', String(report.summary.errors));
  core.setOutput('warnings', String(report.summary.warnings));
}

export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
    return;
  }
  try {
    await core.summary.addRaw(markdown, true).write({ overwrite: false });
  } catch (e) {
    core.warning(maskSecrets(`cannot write the job summary: ${e instanceof Error ? e.message : String(e)}`));
  }
}

/**
 * core.info writes the line as is: text we did not write (revision ids, error text) could
 * start a line with `::` and become a workflow command. core.warning/error/debug escape their
 * message themselves; they only need the passwords masked.
 */
export function info(message: string): void {
  core.info(scrubOutput(message));
}

export function actionLogger(): Logger {
  return {
    info,
    warning: (m) => core.warning(maskSecrets(m)),
    debug: (m) => core.debug(maskSecrets(m)),
    group: (title, fn) => core.group(title, fn),
  };
}

export function splitRepository(repository: string | undefined): [string, string] {
  const [owner, repo] = (repository ?? '').split('/');
  if (!owner || !repo) throw usageError('GITHUB_REPOSITORY is not set: run the action inside GitHub Actions');
  return [owner, repo];
}

export function repoUrlOf(env: Env): string | undefined {
  if (!env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}`;
}

export function runUrlOf(env: Env): string | null {
  const repoUrl = repoUrlOf(env);
  if (!repoUrl || !env.GITHUB_RUN_ID) return null;
  return `${repoUrl}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`;
}
