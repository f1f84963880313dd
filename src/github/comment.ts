/**
 * The sticky pull-request comment. One comment per report, found again by a hidden marker and
 * its author, updated in place. Commenting is best effort: a failure is a warning that says
 * what to do, never a failed check.
 *
 * Marker: `<!-- migration-guard:<key> -->`, the first line of the body, where the key is the project id when the report
 * has exactly one project (so a matrix of workflows, one per alembic config, keeps one comment
 * each) and `report` when one run checks several projects (one comment for all of them).
 *
 * `comment: on-failure`: a comment is only created for a failing check; when a PR that had one
 * becomes clean, the comment is updated to a short "resolved" note (not deleted, so the
 * conversation still shows what was fixed).
 */
import { getOctokit } from '@actions/github';
import type { Report } from '../report/model.js';

export type CommentPolicy = 'always' | 'on-failure' | 'never';
export const COMMENT_POLICIES: readonly CommentPolicy[] = ['always', 'on-failure', 'never'];

export type Octokit = ReturnType<typeof getOctokit>;

/** Author of comments made with the workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

export interface CommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

export interface PublishInput {
  /** Marker key; see markerKey(). */
  key: string;
  /** The full comment body without the marker. */
  body: string;
  /** Short body used instead of `body` for a clean PR under `on-failure`. */
  resolvedBody: string;
  /** Whether the check fails (findings at or above fail-on). */
  failing: boolean;
  policy: CommentPolicy;
  /**
   * The run checked no project (no migration is touched): no comment is created, and one from
   * an earlier push is updated to `untouchedBody`.
   */
  untouched?: boolean;
  untouchedBody?: string;
}

export type PublishAction = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export interface PublishResult {
  action: PublishAction;
  commentId: number | null;
  url: string | null;
  /** Why nothing was written (skipped) or what went wrong (failed); a one-line message. */
  reason: string | null;
}

/** Key of the comment made from several reports (a matrix) or a run of several projects. */
export const MERGED_MARKER_KEY = 'report';

export function markerKey(report: Report): string {
  const key =
    report.projects.length === 1 ? (report.projects[0]?.id ?? MERGED_MARKER_KEY) : MERGED_MARKER_KEY;
  // The key lives inside an HTML comment: keep it to characters that cannot close it.
  return key.replace(/[^A-Za-z0-9._/-]/g, '_');
}

export function marker(key: string): string {
  return `<!-- migration-guard:${key} -->`;
}

export function createOctokit(token: string, apiUrl?: string): Octokit {
  // getOctokit defaults baseUrl to GITHUB_API_URL (read when @actions/github loads); an explicit
  // apiUrl wins so tests and GHES setups can point elsewhere.
  return getOctokit(token, apiUrl ? { baseUrl: apiUrl } : {});
}

export async function publishComment(
  octokit: Octokit,
  target: CommentTarget,
  input: PublishInput,
): Promise<PublishResult> {
  if (input.policy === 'never') return skipped('comment: never');
  const mark = marker(input.key);
  try {
    const authors = await ourAuthors(octokit);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100,
    });
    const ours = comments.find((c) => isOurComment(c, mark, authors));
    if (input.untouched) {
      if (!ours) return skipped('no migration is touched: no comment');
      const body = withMarker(mark, input.untouchedBody ?? input.resolvedBody);
      if (ours.body === body)
        return { action: 'unchanged', commentId: ours.id, url: ours.html_url, reason: null };
      const updated = await octokit.rest.issues.updateComment({
        owner: target.owner,
        repo: target.repo,
        comment_id: ours.id,
        body,
      });
      return { action: 'updated', commentId: updated.data.id, url: updated.data.html_url, reason: null };
    }
    const wantFull = input.failing || input.policy === 'always';
    if (!ours) {
      if (!wantFull) return skipped('comment: on-failure and the check passes');
      const created = await octokit.rest.issues.createComment({
        owner: target.owner,
        repo: target.repo,
        issue_number: target.issueNumber,
        body: withMarker(mark, input.body),
      });
      return { action: 'created', commentId: created.data.id, url: created.data.html_url, reason: null };
    }
    const body = withMarker(mark, wantFull ? input.body : input.resolvedBody);
    if (ours.body === body)
      return { action: 'unchanged', commentId: ours.id, url: ours.html_url, reason: null };
    const updated = await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: ours.id,
      body,
    });
    return { action: 'updated', commentId: updated.data.id, url: updated.data.html_url, reason: null };
  } catch (e) {
    return { action: 'failed', commentId: null, url: null, reason: explainFailure(e) };
  }
}

/**
 * Ours: the marker is the body's first line, exactly, and the token's user wrote it. Our
 * comments quote executed SQL, so another project's marker can appear anywhere else in a body
 * (even in one of ours); a marker that is not the first line claims nothing.
 */
export function isOurComment(
  comment: { body?: string | null; user?: { login?: string } | null },
  mark: string,
  authors: ReadonlySet<string>,
): boolean {
  return (comment.body ?? '').startsWith(`${mark}\n`) && authors.has(comment.user?.login ?? '');
}

function withMarker(mark: string, body: string): string {
  return `${mark}\n${body}`;
}

function skipped(reason: string): PublishResult {
  return { action: 'skipped', commentId: null, url: null, reason };
}

/**
 * Logins whose marked comments are ours: the token's user when GET /user answers (a personal
 * token), else the Actions bot (GITHUB_TOKEN cannot call GET /user).
 */
async function ourAuthors(octokit: Octokit): Promise<Set<string>> {
  try {
    const me = await octokit.rest.users.getAuthenticated();
    return new Set([me.data.login]);
  } catch (e) {
    if (statusOf(e) !== null) return new Set([ACTIONS_BOT]);
    throw e;
  }
}

function statusOf(e: unknown): number | null {
  if (typeof e === 'object' && e !== null && 'status' in e && typeof e.status === 'number') return e.status;
  return null;
}

function explainFailure(e: unknown): string {
  const status = statusOf(e);
  if (status === 403 || status === 404) {
    return (
      `cannot comment on the pull request (HTTP ${status}): the token lacks pull-requests: write ` +
      '(fork PRs get a read-only token). Grant "permissions: pull-requests: write", or for fork PRs ' +
      'post the comment with mode: comment from a workflow_run workflow (see the README).'
    );
  }
  if (status === 401)
    return 'cannot comment on the pull request (HTTP 401): the github-token input is not valid';
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return `cannot comment on the pull request: ${status !== null ? `HTTP ${status}: ` : ''}${message}`;
}
