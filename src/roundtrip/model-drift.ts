/**
 * `model-drift` at the end of the round trip: the database brought to the heads (emptied first
 * when a failure left it elsewhere) and the driver's compare of the models with it.
 */
import { DriverCrashError, type DriverClient } from '../driver/client.js';
import { resetDatabase } from './reset.js';
import type { TestSession } from './session.js';
import type { RunTimings } from './steps.js';

export interface ModelDriftOutcome {
  modelDrift: string[] | null;
  modelDriftNote: string | null;
}

export async function modelDriftAtHeads(run: {
  driver: DriverClient;
  session: TestSession;
  needsRebuild: boolean;
  timings: RunTimings;
  /** A crashed driver is restarted, so what runs after this still has one. */
  restartDriver: () => Promise<void>;
}): Promise<ModelDriftOutcome> {
  run.session.invalidate();
  const t0 = performance.now();
  try {
    if (run.needsRebuild) await resetDatabase(run.session.db);
    const up = await run.driver.upgrade('heads');
    if (!up.ok) return { modelDrift: null, modelDriftNote: `upgrade to heads failed: ${up.error}` };
    const drift = await run.driver.modelDrift();
    return { modelDrift: drift.drift, modelDriftNote: drift.reason };
  } catch (e) {
    if (e instanceof DriverCrashError) await run.restartDriver().catch(() => undefined);
    return { modelDrift: null, modelDriftNote: (e as Error).message };
  } finally {
    run.timings.time('modelDriftMs', performance.now() - t0);
  }
}
