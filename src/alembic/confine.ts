/**
 * Files stay in the repository. Revision files, env.py and the script location come from the
 * pull request, and a symbolic link among them can point anywhere: at a file elsewhere on the
 * runner (whose text would end up in the report) or at a device such as /dev/zero (which
 * never ends). Each is resolved with realpath; what lands outside the repository, or is not a
 * regular file (a directory for a location), is refused before anything reads it.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Why `file` may not be read, or null when it is a regular file (directory) inside `root`. */
export async function escapeReason(
  file: string,
  root: string,
  kind: 'file' | 'directory' = 'file',
): Promise<string | null> {
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(file), realpath(root)]);
  } catch {
    return 'cannot be resolved (a dangling symbolic link?)';
  }
  const rel = path.relative(realRoot, real);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    return `resolves to ${real}, outside the repository`;
  }
  try {
    const st = await stat(real);
    if (kind === 'file' ? !st.isFile() : !st.isDirectory()) {
      return `resolves to ${real}, which is not a regular ${kind}`;
    }
  } catch {
    return 'cannot be resolved';
  }
  return null;
}
