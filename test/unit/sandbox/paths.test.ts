/**
 * What the sandbox hides, shows and masks (src/sandbox/paths.ts), on real directories: the
 * runner's directories are hidden, an interpreter in a hidden tool cache is shown back, `.git`
 * is masked, and the sockets and shadow files only where the code keeps its groups.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hiddenPaths, interpreterPaths, isInside, maskedPaths } from '../../../src/sandbox/paths.js';

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'mg-sandbox-paths-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function dir(...parts: string[]): string {
  const p = path.join(base, ...parts);
  mkdirSync(p, { recursive: true });
  return p;
}

describe('hiddenPaths', () => {
  it("hides the homes, temp directories and the runner's temp, tool cache and work directory", () => {
    const env = {
      HOME: dir('home', 'runner'),
      RUNNER_TEMP: dir('work', '_temp'),
      RUNNER_TOOL_CACHE: dir('hostedtoolcache'),
      RUNNER_WORKSPACE: dir('work', 'shop'),
    };
    const hidden = hiddenPaths(env);
    for (const p of [env.HOME, env.RUNNER_TEMP, env.RUNNER_TOOL_CACHE, path.join(base, 'work'), '/tmp'])
      expect(hidden, p).toContain(p);
    expect(hidden).not.toContain('/');
    // Shortest first: a hidden directory inside another is mounted after it.
    expect([...hidden].sort((a, b) => a.length - b.length)).toEqual(hidden);
  });

  it('leaves out what does not exist and resolves symbolic links', () => {
    const real = dir('real-temp');
    const link = path.join(base, 'linked-temp');
    symlinkSync(real, link);
    const hidden = hiddenPaths({ RUNNER_TEMP: link, RUNNER_TOOL_CACHE: path.join(base, 'missing') });
    expect(hidden).toContain(real);
    expect(hidden).not.toContain(link);
    expect(hidden).not.toContain(path.join(base, 'missing'));
  });
});

describe('interpreterPaths', () => {
  it("shows the prefix of an interpreter found on PATH, and the home's Python directories", () => {
    const prefix = dir('hostedtoolcache', 'Python', '3.12.1', 'x64');
    const bin = dir('hostedtoolcache', 'Python', '3.12.1', 'x64', 'bin');
    writeFileSync(path.join(bin, 'python'), '');
    const home = dir('home2');
    const userSite = dir('home2', '.local', 'lib');
    const shown = interpreterPaths(['python', '-X', 'dev'], base, {
      PATH: `/nonexistent:${bin}`,
      HOME: home,
    });
    expect(shown).toContain(prefix);
    expect(shown).toContain(userSite);
    expect(shown).not.toContain(home);
  });

  it('shows nothing for a command that is not there', () => {
    expect(interpreterPaths(['no-such-python'], base, { PATH: base })).toEqual([]);
  });
});

describe('maskedPaths', () => {
  it('.git of every exposed directory; sockets and shadow files only when the code keeps its groups', () => {
    const repo = dir('repo');
    dir('repo', '.git');
    const worktree = dir('worktree');
    writeFileSync(path.join(worktree, '.git'), 'gitdir: /elsewhere\n');
    const dropped = maskedPaths([repo, worktree], false);
    expect(dropped).toEqual([path.join(repo, '.git'), path.join(worktree, '.git')]);
    const kept = maskedPaths([repo], true);
    expect(kept).toContain(path.join(repo, '.git'));
    expect(kept).toContain('/etc/shadow');
  });
});

describe('isInside', () => {
  it('is true for the directory itself and what is under it, false for a sibling with the same prefix', () => {
    expect(isInside('/home/runner', '/home')).toBe(true);
    expect(isInside('/home', '/home')).toBe(true);
    expect(isInside('/homeless', '/home')).toBe(false);
    expect(isInside('/', '/home')).toBe(false);
  });
});
