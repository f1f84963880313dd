/**
 * The driver of one round trip: started in the project's Python, then asked to load the
 * project's alembic configuration. A configuration alembic refuses is the user's to fix (exit
 * 2); a driver that fails otherwise is infrastructure (exit 3).
 */
import path from 'node:path';
import { infraError, isMigrationGuardError, usageError } from '../errors.js';
import { DriverClient, DriverRequestError, defaultDriverPath, type LoadResult } from '../driver/client.js';
import type { RunTimings } from './steps.js';
import type { RoundTripInput } from './types.js';

export async function startDriverProcess(input: RoundTripInput, timings: RunTimings): Promise<DriverClient> {
  const t0 = performance.now();
  const driver = await DriverClient.start({
    python: input.python,
    driverPath: input.driverPath ?? defaultDriverPath(),
    cwd: input.projectDir,
    // The sandbox shows the checkout (or, outside git, the project's files) and nothing else of ours.
    expose: [
      ...(input.repoRoot ? [input.repoRoot] : []),
      path.dirname(input.configPath),
      ...new Set(input.revisions.filter((r) => r.file !== '').map((r) => path.dirname(r.file))),
    ],
    env: process.env,
    urlEnv: { name: input.databaseUrlEnv, url: input.databaseUrl },
    log: input.log,
    stepTimeoutMs: input.stepTimeoutMs,
  });
  timings.time('driverStartMs', performance.now() - t0);
  return driver;
}

/** Loads the project into a started driver (the caller owns the driver, and shuts it down). */
export async function loadProject(
  driver: DriverClient,
  input: RoundTripInput,
  timings: RunTimings,
): Promise<LoadResult> {
  const t1 = performance.now();
  try {
    const loaded = await driver.load({
      configPath: input.configPath,
      section: input.section,
      databaseUrl: input.databaseUrl,
      urlEnv: input.databaseUrlEnv,
      statementTimeoutMs: input.statementTimeoutMs,
      excludeFiles: [...(input.unplaceable?.keys() ?? [])]
        .map((id) => input.revisions.find((r) => r.id === id)?.file)
        .filter((f): f is string => f !== undefined && f !== ''),
    });
    timings.time('loadMs', performance.now() - t1);
    return loaded;
  } catch (e) {
    if (isMigrationGuardError(e)) throw e;
    const rel = path.relative(input.projectDir, input.configPath) || input.configPath;
    if (e instanceof DriverRequestError) throw usageError(`alembic cannot load ${rel}: ${e.message}`, e);
    throw infraError(`the Python driver failed while loading ${rel}: ${(e as Error).message}`, e);
  }
}
