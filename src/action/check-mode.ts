/**
 * `mode: check`: builds the Config from the inputs and the configuration file, runs check()
 * and publishes the report: JSON report file, SARIF, outputs, annotations, job summary, sticky
 * PR comment, and the step's status. A composition root: it hands the catalogue over.
 */
import { writeFile } from 'node:fs/promises';
import * as core from '@actions/core';
import { allRules, knownRuleIds, presetRuleSettings } from '../../rules/index.js';
import { check } from '../check.js';
import type { Config } from '../config.js';
import { applyFileConfig, applyPreset, loadFileConfig } from '../config.js';
import { failingFindingsCount } from '../exit.js';
import { installSignalHandlers, setActivity } from '../lifecycle.js';
import { annotate } from '../github/annotations.js';
import { createOctokit } from '../github/comment.js';
import type { Env, GitHubEvent } from '../github/event.js';
import { assertSafeToRunPullRequestCode, pullRequestOf } from '../github/event.js';
import type { ActionOptions } from '../github/inputs.js';
import type { GitHubContextBlock } from '../github/report-file.js';
import { writeReportFile } from '../github/report-file.js';
import { SUMMARY_MAX_LENGTH, renderMarkdown } from '../report/markdown.js';
import { renderSarif } from '../report/sarif.js';
import { scrubReport } from '../scrub.js';
import {
  actionLogger,
  comment,
  repoUrlOf,
  runUrlOf,
  setCountOutputs,
  splitRepository,
  writeSummary,
} from './publish.js';

export async function runCheckMode(
  baseConfig: Config,
  options: ActionOptions,
  event: GitHubEvent,
  env: Env,
): Promise<void> {
  assertSafeToRunPullRequestCode(event, options.allowUntrusted);
  const fileConfig = await loadFileConfig(options.configFile, knownRuleIds, {
    required: options.configFileRequired,
  });
  const config = {
    ...withPreset(
      applyFileConfig(baseConfig, fileConfig, options.failOnExplicit, { preset: options.presetExplicit }),
    ),
    log: actionLogger(),
    // A pull request's code runs sandboxed or not at all, unless the workflow allows it.
    requireSandbox: pullRequestOf(event) !== null && !options.allowUnsandboxed,
  };

  // A cancelled workflow run (SIGINT, then SIGTERM) cleans up and exits 130/143, one line.
  installSignalHandlers();
  // Everything below publishes the report: scrubbed once, here (src/scrub.ts).
  const report = scrubReport(await check(config));
  setActivity('reporting');

  const pr = pullRequestOf(event);
  // From the environment: scrubbed like the report it goes with.
  const github: GitHubContextBlock = scrubReport({
    repository: env.GITHUB_REPOSITORY ?? null,
    pullRequest: pr?.number ?? null,
    headSha: pr?.headSha ?? env.GITHUB_SHA ?? null,
    failOn: config.failOn,
    runUrl: runUrlOf(env),
  });
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
  annotate(report, { error: core.error, warning: core.warning }, options.maxAnnotations);

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
}

/** The preset's rule settings under the user's own (src/config.ts applyPreset). */
function withPreset(config: Config): Config {
  return applyPreset(config, presetRuleSettings(config.preset));
}
