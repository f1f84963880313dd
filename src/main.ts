/**
 * The GitHub Action: reads the inputs, masks the database password, and hands over to the
 * action mode: `check` (src/action/check-mode.ts) runs the pipeline and reports, `discover`
 * (src/action/discover-mode.ts) lists the projects of a matrix, `comment`
 * (src/action/comment-mode.ts) posts the PR comment from report files. Usage (2) and
 * infrastructure (3) errors fail the step with their one-line message.
 */
import { useRuleDocsOf } from './meta.js';
import * as core from '@actions/core';
import { knownRuleIds } from '../rules/index.js';
import { runCheckMode } from './action/check-mode.js';
import { runCommentMode } from './action/comment-mode.js';
import { runDiscoverMode } from './action/discover-mode.js';
import { isMigrationGuardError, maskSecrets } from './errors.js';
import type { Env } from './github/event.js';
import { readEvent } from './github/event.js';
import { actionOptionsFromInputs, configFromInputs, urlSecrets } from './github/inputs.js';
import { registerVocabulary } from './scrub.js';
import { onSecretRegistered, registerSecret, secretsOfEnvironment } from './secrets.js';

export async function run(env: Env = process.env): Promise<void> {
  useRuleDocsOf(env.GITHUB_ACTION_REPOSITORY, env.GITHUB_ACTION_REF);
  try {
    const getInput = (name: string) => core.getInput(name);
    // Mask first: nothing below may print a secret, not even an error about the URL. Every
    // secret registered from now on (the admin and migration role passwords the providers
    // make) also goes to the runner (`::add-mask::`), which masks it in the whole job's log.
    onSecretRegistered((secret) => core.setSecret(secret));
    for (const secret of urlSecrets(getInput('database-url'))) registerSecret(secret);
    for (const secret of secretsOfEnvironment(env)) registerSecret(secret);
    // The tool's own words are never masked in its own text (src/scrub.ts).
    registerVocabulary(knownRuleIds);
    const baseConfig = configFromInputs(getInput, env);
    const options = actionOptionsFromInputs(getInput, env, baseConfig);
    forgetSecretVariables(process.env);
    const event = readEvent(env);
    if (options.mode === 'comment') {
      await runCommentMode(options, event, env, options.failOnExplicit ? baseConfig.failOn : null);
      return;
    }
    if (options.mode === 'discover') {
      await runDiscoverMode(baseConfig);
      return;
    }
    await runCheckMode(baseConfig, options, event, env);
  } catch (e) {
    fail(e);
  }
}

/**
 * The inputs are read: the admin URL, the token and the runner's tokens leave our environment,
 * so no process we start (git, Docker, the sandbox) inherits them (README.md "Security").
 */
function forgetSecretVariables(env: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(env)) {
    const upper = name.toUpperCase();
    if (
      upper === 'INPUT_DATABASE-URL' ||
      upper === 'INPUT_GITHUB-TOKEN' ||
      upper === 'ACTIONS_RUNTIME_TOKEN' ||
      upper.startsWith('ACTIONS_ID_TOKEN_REQUEST_')
    )
      delete env[name];
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
