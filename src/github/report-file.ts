/**
 * The JSON report the action writes (output `report-path`) and that `mode: comment` reads back
 * in a workflow_run workflow: the versioned Report plus a `github` block saying which pull
 * request and commit it is about. In comment mode the file is untrusted input (a fork's
 * workflow produced it), so it is validated before use and its PR number is cross-checked.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FailOn } from '../config.js';
import { FAIL_ON_VALUES } from '../config.js';
import { usageError } from '../errors.js';
import type { Report } from '../report/model.js';
import { REPORT_VERSION } from '../report/model.js';

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
