/**
 * `mode: comment`: reads the report file(s) that check jobs wrote (one, or a matrix's, merged)
 * and posts the sticky PR comment. No pull request code runs here, so it may hold a token
 * that can write (the fork-safe second workflow).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import type { FailOn } from '../config.js';
import { usageError } from '../errors.js';
import { failingFindingsCount } from '../exit.js';
import type { Octokit } from '../github/comment.js';
import { MERGED_MARKER_KEY, createOctokit } from '../github/comment.js';
import type { Env, GitHubEvent } from '../github/event.js';
import { pullRequestOf, workflowRunOf } from '../github/event.js';
import type { ActionOptions } from '../github/inputs.js';
import { MERGED_REPORT_FILE_NAME } from '../github/inputs.js';
import { withMissingProjects } from '../github/merge.js';
import type { ActionReport, GitHubContextBlock } from '../github/report-file.js';
import { readReportFiles } from '../github/report-file.js';
import { SUMMARY_MAX_LENGTH, renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/model.js';
import { REPORT_VERSION, summarize } from '../report/model.js';
import { TOOL_NAME, TOOL_VERSION } from '../meta.js';
import { scrubReport } from '../scrub.js';
import { comment, info, repoUrlOf, setCountOutputs, splitRepository, writeSummary } from './publish.js';

/**
 * Posts the comment for the report(s) check runs produced (fork-safe: no PR code runs). Several
 * reports (a matrix) are merged into one comment, and the step fails when the merged report
 * fails — it is the matrix's verdict. Under workflow_run the check workflow already carries
 * the verdict, so the comment step does not fail again.
 */
export async function runCommentMode(
  options: ActionOptions,
  event: GitHubEvent,
  env: Env,
  failOnInput: FailOn | null,
) {
  // The discover job found no changed migration: no check job ran and no report exists. An
  // earlier comment is turned into "no longer touched"; none is created (no noise).
  const read = options.noProjectsExpected ? noReports() : await readReportFiles(options.reportFile);
  // The report files come from jobs that ran the pull request's code: scrubbed like our own.
  const loaded = { ...read, report: scrubReport(read.report) };
  // A matrix job that died before writing its report must not make the comment look complete.
  const { report: checked, missing } = withMissingProjects(loaded.report, options.expectedProjects);
  const report: ActionReport = loaded.report.github ? { ...checked, github: loaded.report.github } : checked;
  if (loaded.merged) {
    info(`merged ${loaded.files.length} report(s): ${report.projects.map((p) => p.id).join(', ')}`);
    const mergedPath = path.join(env.RUNNER_TEMP || env.TMPDIR || '/tmp', MERGED_REPORT_FILE_NAME);
    await writeFile(mergedPath, `${JSON.stringify(report, null, 2)}\n`);
    core.setOutput('report-path', mergedPath);
  } else {
    core.setOutput('report-path', options.reportFile);
  }
  const failOn: FailOn = failOnInput ?? report.github?.failOn ?? 'error';
  const failing = failingFindingsCount(report, failOn);
  setCountOutputs(report, failing);
  if (loaded.merged) {
    await writeSummary(
      renderMarkdown(report, {
        repoUrl: repoUrlOf(env),
        headSha: report.github?.headSha ?? undefined,
        failOn,
        maxLength: SUMMARY_MAX_LENGTH - 1024,
      }),
    );
  }
  const judge = () => {
    if (missing.length > 0) {
      core.setFailed(
        `migration-guard: no report for ${missing.join(', ')}: its check job failed before writing one; see that job's log`,
      );
    } else if (failing > 0 && workflowRunOf(event) === null) {
      core.setFailed(
        `migration-guard: ${failing} finding(s) at or above fail-on: ${failOn} in ${plural(report.projects.length, 'project')}; see the PR comment and the check jobs' summaries`,
      );
    }
  };
  if (options.comment === 'never') return judge();
  if (!options.token) throw usageError('mode: comment needs github-token with pull-requests: write');
  const [owner, repo] = splitRepository(env.GITHUB_REPOSITORY);
  const octokit = createOctokit(options.token, env.GITHUB_API_URL);
  const resolved = await commentTargetFor(octokit, event, report, owner, repo);
  if (resolved) {
    await comment(
      octokit,
      { owner, repo, issueNumber: resolved.number },
      report,
      options.comment,
      {
        repoUrl: repoUrlOf(env),
        headSha: resolved.headSha ?? undefined,
        failOn,
        detailsLink: workflowRunOf(event)?.htmlUrl ?? report.github?.runUrl ?? undefined,
      },
      failing > 0,
      // A matrix's comment keeps one key however many projects this push changed.
      loaded.merged ? MERGED_MARKER_KEY : undefined,
    );
  }
  judge();
}

function noReports(): { report: ActionReport; files: string[]; merged: boolean } {
  info('expected-projects lists no project (no migration changed): no report to read');
  const report: ActionReport = {
    version: REPORT_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    projects: [],
    summary: summarize([], 0),
  };
  return { report, files: [], merged: true };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Which PR the comment goes on. From a workflow_run, GitHub lists the PR only for same-repo
 * branches; for forks the number comes from the (untrusted) report file and is accepted only
 * when that PR's head is the commit the check workflow ran on.
 */
async function commentTargetFor(
  octokit: Octokit,
  event: GitHubEvent,
  report: Report & { github?: GitHubContextBlock },
  owner: string,
  repo: string,
): Promise<{ number: number; headSha: string | null } | null> {
  const pr = pullRequestOf(event);
  if (pr) return { number: pr.number, headSha: pr.headSha };
  const workflowRun = workflowRunOf(event);
  if (!workflowRun) {
    throw usageError(
      'mode: comment runs on workflow_run (or pull_request) events: no pull request in this event',
    );
  }
  const listed = workflowRun.pullRequests[0];
  if (listed !== undefined) return { number: listed, headSha: workflowRun.headSha };
  const claimed = report.github?.pullRequest ?? null;
  if (claimed === null) {
    core.info('the report is not about a pull request: no PR comment');
    return null;
  }
  try {
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: claimed });
    if (data.head.sha !== workflowRun.headSha) {
      core.warning(
        `not commenting: the report names PR #${claimed}, whose head ${data.head.sha.slice(0, 7)} is not the commit the check ran on (${(workflowRun.headSha ?? '?').slice(0, 7)})`,
      );
      return null;
    }
  } catch (e) {
    core.warning(
      `not commenting: cannot verify PR #${claimed}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
    return null;
  }
  return { number: claimed, headSha: workflowRun.headSha };
}
