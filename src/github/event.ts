/**
 * The workflow event (GITHUB_EVENT_PATH) and what the action needs from it: the pull request
 * (number, base and head SHAs, whether it comes from a fork) or the workflow_run that a
 * fork-safe comment workflow reacts to. Read explicitly, never at import time.
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface GitHubEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface PullRequestInfo {
  number: number;
  baseSha: string | null;
  headSha: string | null;
  /** `owner/repo` of the head branch; null when the fork was deleted. */
  headRepo: string | null;
  baseRepo: string | null;
}

export interface WorkflowRunInfo {
  headSha: string | null;
  /** PR numbers GitHub attached (empty for fork PRs: GitHub does not fill it for them). */
  pullRequests: number[];
  htmlUrl: string | null;
  event: string | null;
}

export function readEvent(env: Env): GitHubEvent {
  const name = env.GITHUB_EVENT_NAME ?? '';
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return { name, payload: {} };
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return { name, payload: isRecord(parsed) ? parsed : {} };
  } catch {
    throw usageError(
      `cannot read the event payload GITHUB_EVENT_PATH=${file}: run the action inside GitHub Actions`,
    );
  }
}

export function pullRequestOf(event: GitHubEvent): PullRequestInfo | null {
  const pr = event.payload.pull_request;
  if (!isRecord(pr) || typeof pr.number !== 'number') return null;
  const base = isRecord(pr.base) ? pr.base : {};
  const head = isRecord(pr.head) ? pr.head : {};
  return {
    number: pr.number,
    baseSha: str(base.sha),
    headSha: str(head.sha),
    headRepo: isRecord(head.repo) ? str(head.repo.full_name) : null,
    baseRepo: isRecord(base.repo) ? str(base.repo.full_name) : null,
  };
}

export function workflowRunOf(event: GitHubEvent): WorkflowRunInfo | null {
  const run = event.payload.workflow_run;
  if (!isRecord(run)) return null;
  const prs = Array.isArray(run.pull_requests) ? run.pull_requests : [];
  return {
    headSha: str(run.head_sha),
    pullRequests: prs.flatMap((p: unknown) =>
      isRecord(p) && typeof p.number === 'number' ? [p.number] : [],
    ),
    htmlUrl: str(run.html_url),
    event: str(run.event),
  };
}

/**
 * `pull_request_target` runs with a write token and secrets; checking a fork's PR there runs
 * the fork's migrations (arbitrary Python) with them. Refuse unless the user opted in.
 */
export function assertSafeToRunPullRequestCode(event: GitHubEvent, allowUntrusted: boolean): void {
  if (event.name !== 'pull_request_target' || allowUntrusted) return;
  const pr = pullRequestOf(event);
  if (!pr) return;
  if (pr.headRepo === null || pr.headRepo !== pr.baseRepo) {
    throw usageError(
      `refusing to check pull request #${pr.number} from the fork ${pr.headRepo ?? '(deleted)'} under pull_request_target: ` +
        'its migrations are code from the PR and would run with a write token and secrets; ' +
        'run mode: check on pull_request and post the comment with mode: comment from a workflow_run workflow ' +
        '(or set allow-untrusted: true if you really trust every fork)',
    );
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
