/** The partial report a cancelled run writes: what finished, and what was not checked and why. */
import { describe, expect, it } from 'vitest';
import { CheckProgress } from '../../../src/check/progress.js';
import { defaultConfig } from '../../../src/config.js';
import { analysisOf, FIXTURE_PROJECT } from '../alembic/analysis-fixture.js';

const a = { id: 'a1', down: null, message: 'create_users' };
const b = { id: 'b2', down: 'a1', message: 'add_email' };
const c = { id: 'c3', down: 'b2', message: 'index_email' };

describe('CheckProgress.partialReport', () => {
  it('keeps the finished revision and marks the ones the interruption stopped as not checked', () => {
    const progress = new CheckProgress();
    progress.analysed(FIXTURE_PROJECT, analysisOf({ base: [a], head: [a, b, c] }));
    progress.revisionDone('alembic.ini', {
      id: 'b2',
      steps: [],
      schemaRestored: true,
      downgradeDiff: [],
      reupgradeDiff: [],
      importError: null,
      durationMs: 120.4,
    });
    const config = defaultConfig('/repo');
    const report = progress.partialReport(config, 'SIGTERM', 'c3 upgrade');
    const [done, stopped] = report.projects[0]!.revisions;
    expect(done).toMatchObject({ id: 'b2', schemaRestored: true, durationMs: 120 });
    expect(done).not.toHaveProperty('notChecked');
    expect(stopped).toMatchObject({ id: 'c3', notChecked: 'the run was interrupted (SIGTERM)', steps: [] });
    expect(report.interrupted).toEqual({
      signal: 'SIGTERM',
      during: 'c3 upgrade',
      notChecked: ['alembic.ini: c3'],
    });
  });

  it('gives a revision that did not run its own reason', () => {
    const progress = new CheckProgress();
    progress.analysed(FIXTURE_PROJECT, analysisOf({ base: [a], head: [a, b, c] }));
    progress.revisionDone('alembic.ini', {
      id: 'b2',
      steps: [],
      schemaRestored: null,
      downgradeDiff: [],
      reupgradeDiff: [],
      importError: null,
      durationMs: 0,
      notRun: 'not run: its parent a1 failed to upgrade',
    });
    const config = defaultConfig('/repo');
    const [first] = progress.partialReport(config, 'SIGINT', 'b2 upgrade').projects[0]!.revisions;
    expect(first?.notChecked).toBe('its parent a1 failed to upgrade');
  });
});
