import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const rel = path.join(prefix, name);
      return statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), rel) : [rel];
    })
    .sort();
}

describe('dist/', () => {
  const fresh = mkdtempSync(path.join(tmpdir(), 'mg-dist-check-'));
  afterAll(() => rmSync(fresh, { recursive: true, force: true }));

  it('equals a fresh build (run `npm run build` and commit dist/)', () => {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), fresh], {
      cwd: root,
      stdio: 'pipe',
    });
    const committed = listFiles(path.join(root, 'dist'));
    const built = listFiles(fresh);
    expect(committed).toEqual(built);
    const differing = built.filter(
      (f) => !readFileSync(path.join(fresh, f)).equals(readFileSync(path.join(root, 'dist', f))),
    );
    expect(differing).toEqual([]);
  }, 180_000);

  it('carries every Python program the tool runs, byte for byte from src/driver/', () => {
    const programs = readdirSync(path.join(root, 'src', 'driver')).filter((f) => f.endsWith('.py'));
    expect(programs.sort()).toEqual([
      'capture_metadata.py',
      'deploy_probe.py',
      'deploy_values.py',
      'driver.py',
      'driver_capture.py',
      'driver_channel.py',
      'driver_observe.py',
      'driver_project.py',
      'driver_state.py',
      'resolve_revisions.py',
    ]);
    for (const program of programs) {
      expect(
        readFileSync(path.join(fresh, program)).equals(
          readFileSync(path.join(root, 'src', 'driver', program)),
        ),
      ).toBe(true);
    }
  });
});
