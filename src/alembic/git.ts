/**
 * The few git operations the static analysis needs. Files at the base ref are read with one
 * `git ls-tree` and one `git cat-file --batch` process for all of them: no checkout.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { infraError, usageError } from '../errors.js';

const execFileAsync = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** The work tree's toplevel, or null when `dir` is not inside a git work tree (or git is absent). */
export async function gitToplevel(dir: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--show-toplevel'])).trim() || null;
  } catch {
    return null;
  }
}

/**
 * The commit to compare with: the merge base of `ref` and HEAD, so revisions merged into the
 * base branch after the pull request branched off are neither "deleted" nor "applied"
 * (on GitHub's pull_request merge commit the merge base is the base ref itself).
 */
export async function resolveBaseCommit(repoRoot: string, ref: string): Promise<string> {
  let commit: string;
  try {
    commit = (await git(repoRoot, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch {
    commit = '';
  }
  if (!commit) {
    throw usageError(
      `base ref "${ref}" not found: fetch it (actions/checkout with fetch-depth: 0) or pass --base`,
    );
  }
  try {
    const mergeBase = (await git(repoRoot, ['merge-base', commit, 'HEAD'])).trim();
    if (mergeBase) return mergeBase;
  } catch {
    // No common history (or no HEAD yet): compare with the ref itself.
  }
  return commit;
}

/** Paths (relative to the repo root, `/`-separated) of files under `dirs` at `commit`. */
export async function listFilesAt(repoRoot: string, commit: string, dirs: string[]): Promise<string[]> {
  if (dirs.length === 0) return [];
  const out = await git(repoRoot, ['ls-tree', '-r', '--name-only', '-z', commit, '--', ...dirs]);
  return out.split('\0').filter((p) => p !== '');
}

/** Contents of `paths` at `commit` (missing paths are left out), through one `git cat-file --batch`. */
export async function readFilesAt(
  repoRoot: string,
  commit: string,
  paths: string[],
): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  if (paths.length === 0) return result;
  const child = spawn('git', ['cat-file', '--batch'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  child.stdin.end(paths.map((p) => `${commit}:${p}\n`).join(''));
  const code = await done;
  if (code !== 0) throw infraError(`git cat-file failed (exit ${code}): ${stderr.trim().split('\n')[0]}`);
  const buf = Buffer.concat(chunks);
  let pos = 0;
  for (const p of paths) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const header = buf.toString('utf8', pos, nl);
    pos = nl + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) continue;
    const size = Number(header.split(' ')[2]);
    result.set(p, buf.toString('utf8', pos, pos + size));
    pos += size + 1; // content is followed by a newline
  }
  return result;
}

/** Files changed between `commit` and the work tree under `paths`, relative to the repo root. */
export async function changedFilesSince(
  repoRoot: string,
  commit: string,
  paths: string[],
): Promise<string[]> {
  if (paths.length === 0) return [];
  const out = await git(repoRoot, ['diff', '--name-only', '-z', commit, '--', ...paths]);
  const untracked = await git(repoRoot, ['ls-files', '--others', '--exclude-standard', '-z', '--', ...paths]);
  return [...new Set([...out.split('\0'), ...untracked.split('\0')].filter((p) => p !== ''))].sort();
}
