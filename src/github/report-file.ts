/**
 * The JSON report the action writes (output `report-path`) and that `mode: comment` reads back
 * in a workflow_run workflow: the versioned Report plus a `github` block saying which pull
 * request and commit it is about. In comment mode the file is untrusted input (a fork's
 * workflow produced it), so it is validated before use and its PR number is cross-checked.
 */
import { glob, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailOn } from '../config.js';
import { FAIL_ON_VALUES } from '../config.js';
import { usageError } from '../errors.js';
import type { Report } from '../report/model.js';
import { REPORT_VERSION } from '../report/model.js';
import { mergeReports } from './merge.js';

export interface GitHubContextBlock {
  repository: string | null;
  pullRequest: number | null;
  headSha: string | null;
  failOn: FailOn;
  runUrl: string | null;
}

export type ActionReport = Report & { github?: GitHubContextBlock };

export async function writeReportFile(
  file: string,
  report: Report,
  github: GitHubContextBlock,
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const content: ActionReport = { ...report, github };
  await writeFile(file, `${JSON.stringify(content, null, 2)}\n`);
}

export async function readReportFile(file: string): Promise<ActionReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw usageError(`report-file ${file} not found: download the check workflow's report artifact first`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(
      `report-file ${file} is not JSON: pass the migration-guard-report.json the check step wrote`,
    );
  }
  if (!isReport(parsed)) {
    throw usageError(
      `report-file ${file} is not a migration-guard report (version ${REPORT_VERSION}): pass the file the check step wrote`,
    );
  }
  return parsed;
}

export interface LoadedReports {
  /** The report to post: the only file's, or the merge of several. */
  report: ActionReport;
  files: string[];
  /** True when `where` named a directory or a glob (a matrix): the comment is keyed `report`. */
  merged: boolean;
}

/**
 * Reads the report(s) of `where`: one file, a directory (every `*.json` below it, as
 * actions/download-artifact lays out several artifacts) or a glob. Several reports are merged;
 * their `github` blocks must name the same pull request and commit.
 */
export async function readReportFiles(where: string): Promise<LoadedReports> {
  const kind = await pathKind(where);
  if (kind === 'file') return { report: await readReportFile(where), files: [where], merged: false };
  let files: string[];
  if (kind === 'directory') {
    const names = await readdir(where, { recursive: true });
    files = names.filter((n) => n.endsWith('.json')).map((n) => path.join(where, n));
  } else if (/[*?[{]/.test(where)) {
    files = [];
    for await (const m of glob(where)) files.push(path.resolve(m));
  } else {
    throw usageError(`report-file ${where} not found: download the check jobs' report artifacts first`);
  }
  files.sort();
  if (files.length === 0) {
    throw usageError(
      `report-file ${where} holds no report JSON: download the check jobs' report artifacts first`,
    );
  }
  const reports = await Promise.all(files.map((f) => readReportFile(f)));
  const github = mergeGithubBlocks(reports, files);
  const merged: ActionReport = mergeReports(reports);
  return { report: github ? { ...merged, github } : merged, files, merged: true };
}

async function pathKind(p: string): Promise<'file' | 'directory' | null> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? 'directory' : 'file';
  } catch {
    return null;
  }
}

const FAIL_ON_STRICTNESS: Readonly<Record<FailOn, number>> = { never: 0, error: 1, warning: 2 };

/**
 * The `github` block of a merged report. Every report must be about the same pull request and
 * commit (a report from another run must not ride along into this PR's comment); the
 * strictest fail-on wins.
 */
export function mergeGithubBlocks(
  reports: readonly ActionReport[],
  files: readonly string[],
): GitHubContextBlock | undefined {
  let merged: GitHubContextBlock | undefined;
  let from = '';
  reports.forEach((r, i) => {
    const g = r.github;
    if (!g) return;
    const file = files[i] ?? `report ${i + 1}`;
    if (!merged) {
      merged = { ...g };
      from = file;
      return;
    }
    if (g.pullRequest !== merged.pullRequest || g.headSha !== merged.headSha) {
      throw usageError(
        `report files ${from} and ${file} are about different pull requests or commits: merge only the reports of one workflow run`,
      );
    }
    if (FAIL_ON_STRICTNESS[g.failOn] > FAIL_ON_STRICTNESS[merged.failOn]) merged.failOn = g.failOn;
    merged.repository ??= g.repository;
    merged.runUrl ??= g.runUrl;
  });
  return merged;
}

/** Checks the shape every reporter relies on, so a tampered file fails cleanly. */
function isReport(v: unknown): v is ActionReport {
  if (!isRecord(v) || v.version !== REPORT_VERSION || !isRecord(v.tool) || !isRecord(v.summary)) return false;
  if (!Array.isArray(v.projects)) return false;
  const s = v.summary;
  const counts = ['revisions', 'passed', 'errors', 'warnings', 'ignored', 'durationMs'];
  if (!counts.every((k) => typeof s[k] === 'number')) return false;
  const projectsOk = v.projects.every(
    (p: unknown) =>
      isRecord(p) &&
      typeof p.id === 'string' &&
      typeof p.config === 'string' &&
      Array.isArray(p.findings) &&
      p.findings.every(isFinding) &&
      Array.isArray(p.revisions) &&
      p.revisions.every(
        (r: unknown) =>
          isRecord(r) &&
          typeof r.id === 'string' &&
          typeof r.file === 'string' &&
          Array.isArray(r.steps) &&
          Array.isArray(r.findings) &&
          r.findings.every(isFinding),
      ),
  );
  if (!projectsOk) return false;
  if (v.github !== undefined) {
    const g = v.github;
    if (!isRecord(g) || !(FAIL_ON_VALUES as readonly unknown[]).includes(g.failOn)) return false;
    if (g.pullRequest !== null && !(typeof g.pullRequest === 'number' && Number.isInteger(g.pullRequest)))
      return false;
  }
  return true;
}

function isFinding(f: unknown): boolean {
  return (
    isRecord(f) &&
    typeof f.rule === 'string' &&
    (f.severity === 'error' || f.severity === 'warning') &&
    typeof f.message === 'string' &&
    typeof f.ignored === 'boolean'
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
