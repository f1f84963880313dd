/**
 * The driver writes nothing next to itself: its sibling modules are imported without leaving a
 * __pycache__ in the install folder, even when the caller's environment allows bytecode files.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const srcDriver = path.resolve(import.meta.dirname, '../../../src/driver');
const folder = mkdtempSync(path.join(tmpdir(), 'mg-driver-bytecode-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('driver install folder', () => {
  it('has no __pycache__ after the driver ran with bytecode writing allowed', async () => {
    for (const f of readdirSync(srcDriver).filter((n) => n.endsWith('.py'))) {
      cpSync(path.join(srcDriver, f), path.join(folder, f));
    }
    const before = readdirSync(folder).sort();
    const env = { ...process.env };
    delete env.PYTHONDONTWRITEBYTECODE;
    const child = spawn('/usr/bin/python3', [path.join(folder, 'driver.py')], { env, stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end('{"id": 1, "cmd": "shutdown"}\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // It really started (imported every sibling module) and answered.
    expect(out).toContain('"event": "ready"');
    expect(out).toContain('"id": 1, "ok": true');
    expect(code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(before);
  });
});
