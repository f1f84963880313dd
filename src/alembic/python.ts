/**
 * Fallback for revision files whose identifiers are not literals: one run of the user's Python
 * loads all of them with alembic's own module loader (`alembic.util.load_python_file`, what
 * ScriptDirectory uses for each file) and reports revision, down_revision, branch_labels,
 * depends_on and the docstring. A file that fails to import is recorded, not fatal: the round
 * trip reports the import error on that revision later.
 */
import { spawn } from 'node:child_process';
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

// Revision files may print; stdout is swapped for stderr while they load so the result line is
// the only thing on stdout.
const SCRIPT = `
import json, os, sys, traceback
req = json.loads(sys.stdin.read())
sys.path[:0] = req["sysPath"]
real_stdout = sys.stdout
sys.stdout = sys.stderr
try:
    from alembic.util import load_python_file
except Exception:
    import importlib.util, re
    def load_python_file(dir_, filename):
        spec = importlib.util.spec_from_file_location(re.sub(r"\\W", "_", filename), os.path.join(dir_, filename))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
def as_list(v):
    if v is None:
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        return [str(x) for x in v if x is not None]
    return [str(v)]
out = []
for f in req["files"]:
    item = {"file": f, "revision": None, "down": [], "labels": [], "depends": [], "doc": None, "error": None}
    try:
        m = load_python_file(os.path.dirname(f), os.path.basename(f))
        rev = getattr(m, "revision", None)
        item["revision"] = None if rev is None else str(rev)
        item["down"] = as_list(getattr(m, "down_revision", None))
        item["labels"] = as_list(getattr(m, "branch_labels", None))
        item["depends"] = as_list(getattr(m, "depends_on", None))
        item["doc"] = m.__doc__
    except BaseException as e:
        tb = traceback.extract_tb(e.__traceback__)
        where = next((fr for fr in reversed(tb) if fr.filename == f), None)
        line = (" (line %d)" % where.lineno) if where else ""
        item["error"] = ("%s: %s%s" % (type(e).__name__, e, line)).splitlines()[0]
    out.append(item)
real_stdout.write("${RESULT_MARKER}" + json.dumps(out) + "\\n")
`;

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
  const { code, stdout, stderr, spawnError } = await run(
    cmd,
    [...args, '-c', SCRIPT],
    project.configDir,
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

function run(
  cmd: string,
  args: string[],
  cwd: string,
  input: string,
): Promise<{ code: number; stdout: string; stderr: string; spawnError: string | null }> {
  return new Promise((resolve) => {
    // Imports revision files, i.e. runs the pull request's code: no secrets in its environment.
    const child = spawn(cmd, args, {
      cwd,
      env: untrustedEnvironment(process.env),
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
}
