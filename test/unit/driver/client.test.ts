/** DriverClient's protocol handling, with small fake drivers instead of driver.py. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverClient, DriverCrashError, DriverRequestError } from '../../../src/driver/client.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mg-fake-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeDriver(name: string, body: string): string {
  const file = path.join(dir, `${name}.py`);
  writeFileSync(
    file,
    `import json, sys\ndef send(o):\n    sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()\n${body}\n`,
  );
  return file;
}

const start = (driverPath: string, stepTimeoutMs?: number) =>
  DriverClient.start({
    python: ['/usr/bin/python3'],
    driverPath,
    cwd: dir,
    log: silentLogger,
    stepTimeoutMs,
  });

describe('DriverClient protocol', () => {
  it('ignores non-protocol lines and matches answers to requests by id', async () => {
    const driver = fakeDriver(
      'echo',
      `print("not json")\nsend({"event": "ready"})\nfor line in sys.stdin:\n    req = json.loads(line)\n    if req["cmd"] == "shutdown": break\n    send({"event": "statement", "sql": "SELECT 1", "line": 3, "revision": "a"})\n    send({"id": req["id"], "ok": True, "result": {"echo": req["cmd"]}})`,
    );
    const client = await start(driver);
    await expect(client.request('ping')).resolves.toEqual({ echo: 'ping' });
    await expect(client.request('other')).resolves.toEqual({ echo: 'other' });
    await client.shutdown();
    expect(client.alive).toBe(false);
  });

  it('an error answer rejects with DriverRequestError and masks passwords', async () => {
    const driver = fakeDriver(
      'fails',
      `send({"event": "ready"})\nfor line in sys.stdin:\n    req = json.loads(line)\n    send({"id": req["id"], "ok": False, "error": "OperationalError: cannot connect to postgresql://u:secret@h/db", "errorType": "OperationalError"})`,
    );
    const client = await start(driver);
    const error = await client.request('load').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverRequestError);
    expect((error as Error).message).toBe('OperationalError: cannot connect to postgresql://u:***@h/db');
    client.kill();
    await client.waitExit();
  });

  it('a crash mid-request rejects with the exit code, the last statement and the end of stderr', async () => {
    const driver = fakeDriver(
      'crash',
      `send({"event": "ready"})\nsys.stdin.readline()\nsend({"event": "statement", "sql": "ALTER TABLE big ADD COLUMN x int", "line": 12, "revision": "r1"})\nsys.stderr.write("Fatal Python error: Segmentation fault\\n")\nsys.stderr.flush()\nsys.exit(7)`,
    );
    const client = await start(driver);
    const error = await client.request('upgrade').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriverCrashError);
    expect((error as DriverCrashError).timedOut).toBe(false);
    expect((error as Error).message).toBe(
      'the Python driver exited with code 7 while running ALTER TABLE big ADD COLUMN x int (revision r1 line 12): Fatal Python error: Segmentation fault',
    );
  });

  it('a driver that reports no alembic is an exit-3 error naming the interpreter', async () => {
    const driver = fakeDriver(
      'noalembic',
      `send({"event": "fatal", "kind": "no-alembic", "error": "No module named 'alembic'"})\nsys.exit(3)`,
    );
    const error = await start(driver).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationGuardError);
    expect((error as MigrationGuardError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(/^\/usr\/bin\/python3 cannot import alembic/);
  });

  it('a request that outlives the step timeout kills the driver', async () => {
    const driver = fakeDriver(
      'sleeps',
      `import time\nsend({"event": "ready"})\nsys.stdin.readline()\ntime.sleep(60)`,
    );
    const client = await start(driver, 500);
    const error = await client.request('upgrade').catch((e: unknown) => e);
    expect((error as DriverCrashError).timedOut).toBe(true);
    expect((error as Error).message).toBe(
      'upgrade did not finish within 500 ms; the driver was killed (raise the step timeout or fix the migration)',
    );
    await client.waitExit();
    expect(client.alive).toBe(false);
  });
});
