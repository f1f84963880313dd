/**
 * The GitHub Action. `mode: check` builds a Config from the inputs, calls check() and reports:
 * JSON report file, SARIF, outputs, annotations, job summary, sticky PR comment, status.
 * `mode: discover` lists the projects a matrix of check jobs should check (output `matrix`;
 * git only, no PR code runs). `mode: comment` only reads report file(s) — one, or the reports
 * of a matrix, merged — and posts the comment: no PR code runs there either. Usage (2) and
 * infrastructure (3) errors fail the step with their one-line message.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { knownRuleIds, allRules } from '../rules/index.js';
import { check } from './check.js';
import type { Config, FailOn } from './config.js';
import { applyFileConfig, loadFileConfig } from './config.js';
import { isMigrationGuardError, maskSecrets, usageError } from './errors.js';
import { failingFindingsCount } from './exit.js';
import { annotate } from './github/annotations.js';
import { discoverProjects } from './github/discover.js';
import type { CommentPolicy, CommentTarget, Octokit } from './github/comment.js';
import { MERGED_MARKER_KEY, createOctokit, markerKey, publishComment } from './github/comment.js';
import type { Env, GitHubEvent } from './github/event.js';
import { assertSafeToRunPullRequestCode, pullRequestOf, readEvent, workflowRunOf } from './github/event.js';
import type { ActionOptions } from './github/inputs.js';
import {
  MERGED_REPORT_FILE_NAME,
  actionOptionsFromInputs,
  configFromInputs,
  urlSecrets,
} from './github/inputs.js';
import { withMissingProjects } from './github/merge.js';
import type { ActionReport, GitHubContextBlock } from './github/report-file.js';
import { readReportFiles, writeReportFile } from './github/report-file.js';
import type { Logger } from './log.js';
import { scrubOutput, scrubReport } from './scrub.js';
import { registerSecret } from './secrets.js';
import { COMMENT_MAX_LENGTH, SUMMARY_MAX_LENGTH, renderMarkdown } from './report/markdown.js';
import type { Report } from './report/model.js';
import { renderSarif } from './report/sarif.js';

export async function run(env: Env = process.env): Promise<void> {
  try {
    const getInput = (name: string) => core.getInput(name);
    // Mask first: nothing below may print the password, not even an error about the URL.
    for (const secret of urlSecrets(getInput('database-url'))) {
      core.setSecret(secret);
      registerSecret(secret);
    }
    const baseConfig = configFromInputs(getInput, env);
    const options = actionOptionsFromInputs(getInput, env, baseConfig);
    const event = readEvent(env);
    if (options.mode === 'comment') {
      await runCommentMode(options, event, env, options.failOnExplicit ? baseConfig.failOn : null);
      return;
    }
    if (options.mode === 'discover') {
      await runDiscoverMode(baseConfig);
      return;
    }
    assertSafeToRunPullRequestCode(event, options.allowUntrusted);
    const fileConfig = await loadFileConfig(options.configFile, knownRuleIds, {
      required: options.configFileRequired,
    });
    const config = {
      ...applyFileConfig(baseConfig, fileConfig, options.failOnExplicit),
      log: actionLogger(),
    };

    // Everything below publishes the report: scrubbed once, here (src/scrub.ts).
    const report = scrubReport(await check(config));

    const pr = pullRequestOf(event);
    const github: GitHubContextBlock = {
      repository: env.GITHUB_REPOSITORY ?? null,
      pullRequest: pr?.number ?? null,
      headSha: pr?.headSha ?? env.GITHUB_SHA ?? null,
      failOn: config.failOn,
      runUrl: runUrlOf(env),
    };
    await writeReportFile(options.reportFile, report, github);
    core.setOutput('report-path', options.reportFile);
    if (options.sarifFile) {
      await writeFile(
        options.sarifFile,
        renderSarif(
          report,
          allRules.map((r) => r.meta),
        ),
      );
    }
    const failing = failingFindingsCount(report, config.failOn);
    setCountOutputs(report, failing);
    annotate(report, { error: core.error, warning: core.warning });

    const markdown = { repoUrl: repoUrlOf(env), headSha: github.headSha ?? undefined, failOn: config.failOn };
    await writeSummary(renderMarkdown(report, { ...markdown, maxLength: SUMMARY_MAX_LENGTH - 1024 }));

    if (pr && options.comment !== 'never' && !options.token) {
      core.warning('no github-token: no PR comment (pass github-token: ${{ github.token }})');
    } else if (pr && options.comment !== 'never') {
      const [owner, repo] = splitRepository(env.GITHUB_REPOSITORY);
      await comment(
        createOctokit(options.token, env.GITHUB_API_URL),
        { owner, repo, issueNumber: pr.number },
        report,
        options.comment,
        { ...markdown, detailsLink: github.runUrl ?? undefined },
        failing > 0,
      );
    } else if (!pr) {
      core.info('not a pull request event: no PR comment');
    }

    if (failing > 0) {
      core.setFailed(
        `migration-guard: ${failing} finding(s) at or above fail-on: ${config.failOn}; see the annotations and the job summary`,
      );
    }
  } catch (e) {
    fail(e);
  }
}

/**
 * Lists the projects to check as a matrix (outputs `matrix`, `count`). Reads configs and asks
 * git what changed; runs no Python and starts no database.
 */
async function runDiscoverMode(config: Config): Promise<void> {
  const discovery = await discoverProjects({
    projectDir: config.projectDir,
    alembicConfigs: config.alembicConfigs,
    base: config.base,
    onlyChanged: config.onlyChanged && !config.all,
    log: actionLogger(),
  });
  core.setOutput('matrix', JSON.stringify(discovery.matrix));
  core.setOutput('count', String(discovery.matrix.include.length));
  core.info(
    `${discovery.matrix.include.length} project(s) to check, ${discovery.skipped.length} skipped (unchanged)`,
  );
}

/**
 * Posts the comment for the report(s) check runs produced (fork-safe: no PR code runs). Several
 * reports (a matrix) are merged into one comment, and the step fails when the merged report
 * fails — it is the matrix's verdict. Under workflow_run the check workflow already carries
 * the verdict, so the comment step does not fail again.
 */
async function runCommentMode(
  options: ActionOptions,
  event: GitHubEvent,
  env: Env,
  failOnInput: FailOn | null,
) {
  const read = await readReportFiles(options.reportFile);
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

async function comment(
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
  });
  if (result.action === 'failed')
    core.warning(maskSecrets(result.reason ?? 'cannot comment on the pull request'));
  else if (result.action === 'skipped') info(`no PR comment: ${result.reason}`);
  else info(`PR comment ${result.action}${result.url ? `: ${result.url}` : ''}`);
}

function resolvedBody(report: Report): string {
  const s = report.summary;
  return `### ✅ migration-guard: resolved\n\nThe problems reported earlier are fixed: ${s.revisions} pending revision(s) checked, ${s.passed} passed.\n`;
}

function setCountOutputs(report: Report, failing: number): void {
  core.setOutput('passed', failing === 0 ? 'true' : 'false');
  core.setOutput('errors', String(report.summary.errors));
  core.setOutput('warnings', String(report.summary.warnings));
}

async function writeSummary(markdown: string): Promise<void> {
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

function fail(e: unknown): void {
  if (isMigrationGuardError(e)) {
    core.setFailed(`migration-guard: ${maskSecrets(e.message)}`);
    process.exitCode = e.exitCode;
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  core.setFailed(
    `migration-guard: internal error: ${maskSecrets(message.split('\n')[0] ?? message)} (rerun with ACTIONS_STEP_DEBUG=true and report it)`,
  );
  if (e instanceof Error && e.stack) core.debug(maskSecrets(e.stack));
  process.exitCode = 3;
}

/**
 * core.info writes the line as is: text we did not write (revision ids, error text) could
 * start a line with `::` and become a workflow command. core.warning/error/debug escape their
 * message themselves; they only need the passwords masked.
 */
function info(message: string): void {
  core.info(scrubOutput(message));
}

function actionLogger(): Logger {
  return {
    info,
    warning: (m) => core.warning(maskSecrets(m)),
    debug: (m) => core.debug(maskSecrets(m)),
    group: (title, fn) => core.group(title, fn),
  };
}

function splitRepository(repository: string | undefined): [string, string] {
  const [owner, repo] = (repository ?? '').split('/');
  if (!owner || !repo) throw usageError('GITHUB_REPOSITORY is not set: run the action inside GitHub Actions');
  return [owner, repo];
}

function repoUrlOf(env: Env): string | undefined {
  if (!env.GITHUB_REPOSITORY) return undefined;
  return `${env.GITHUB_SERVER_URL || 'https://github.com'}/${env.GITHUB_REPOSITORY}`;
}

function runUrlOf(env: Env): string | null {
  const repoUrl = repoUrlOf(env);
  if (!repoUrl || !env.GITHUB_RUN_ID) return null;
  return `${repoUrl}/actions/runs/${env.GITHUB_RUN_ID}${env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : ''}`;
}
