/**
 * Fallback for revision files whose identifiers are not literals: one run of the user's Python
 * (src/driver/resolve_revisions.py, copied into dist/ by the build) loads all of them with
 * alembic's own module loader and reports revision, down_revision, branch_labels, depends_on
 * and the docstring. A file that fails to import is recorded, not fatal: the round trip reports
 * the import error on that revision later.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sandboxedCommand, type SandboxRequest } from '../sandbox/index.js';
import { untrustedEnvironment } from '../secrets.js';
import path from 'node:path';
import type { AlembicProject } from './types.js';

export interface PythonResolved {
  file: string;
  revision: string | null;
  downRevisions: string[];
  branchLabels: string[];
  dependsOn: string[];
  docstring: string | null;
  /** One line: why the file could not be loaded; null when it loaded. */
  error: string | null;
}

const RESULT_MARKER = 'MIGRATION_GUARD_RESOLVED ';

/** resolve_revisions.py next to the bundle (dist/) or, from sources, in src/driver/. */
export function resolveScriptPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'resolve_revisions.py'),
    path.resolve(here, '..', 'driver', 'resolve_revisions.py'),
    path.resolve(here, '..', 'src', 'driver', 'resolve_revisions.py'),
  ];
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}

interface RawItem {
  file: string;
  revision: string | null;
  down: string[];
  labels: string[];
  depends: string[];
  doc: string | null;
  error: string | null;
}

export async function resolveWithPython(
  project: AlembicProject,
  python: string[],
  files: string[],
): Promise<PythonResolved[]> {
  if (files.length === 0) return [];
  const [cmd, ...args] = python;
  const failAll = (why: string): PythonResolved[] =>
    files.map((file) => ({ ...emptyResolved(file), error: why }));
  if (!cmd) return failAll('no python command configured');
  const request = JSON.stringify({
    files: files.map((f) => path.resolve(f)),
    sysPath: [...project.prependSysPath, project.configDir],
  });
  const script = resolveScriptPath();
  const { code, stdout, stderr, spawnError } = await run(
    {
      argv: [cmd, ...args, script],
      cwd: project.configDir,
      // The checkout, the script, and the files to load (the base branch's are copied to a temp dir).
      expose: [
        ...(project.repoRoot ? [project.repoRoot] : []),
        project.configDir,
        ...project.prependSysPath,
        path.dirname(script),
        ...new Set(files.map((f) => path.dirname(path.resolve(f)))),
      ],
      // Imports revision files, i.e. runs the pull request's code: no secrets in its environment.
      env: untrustedEnvironment(process.env),
    },
    request,
  );
  if (spawnError) return failAll(`cannot run ${python.join(' ')}: ${spawnError}`);
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
  if (!line) {
    const last = stderr.trim().split('\n').at(-1) ?? '';
    return failAll(`${python.join(' ')} exited ${code} without a result: ${last}`);
  }
  const items = JSON.parse(line.slice(RESULT_MARKER.length)) as RawItem[];
  return items.map((i) => ({
    file: i.file,
    revision: i.revision,
    downRevisions: i.down,
    branchLabels: i.labels,
    dependsOn: i.depends,
    docstring: i.doc,
    error: i.error,
  }));
}

function emptyResolved(file: string): PythonResolved {
  return {
    file,
    revision: null,
    downRevisions: [],
    branchLabels: [],
    dependsOn: [],
    docstring: null,
    error: null,
  };
}

async function run(
  request: SandboxRequest,
  input: string,
): Promise<{ code: number; stdout: string; stderr: string; spawnError: string | null }> {
  const sandboxed = await sandboxedCommand(request);
  try {
    return await new Promise((resolve) => {
      const child = spawn(sandboxed.command, sandboxed.args, {
        cwd: request.cwd,
        env: sandboxed.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (e) => resolve({ code: -1, stdout, stderr, spawnError: e.message }));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, spawnError: null }));
      child.stdin.on('error', () => {
        // The process may exit before reading stdin (e.g. not found); 'close' reports it.
      });
      child.stdin.end(input);
    });
  } finally {
    await sandboxed.cleanup();
  }
}
