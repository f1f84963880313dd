/**
 * `mode: discover`: lists the projects a matrix of check jobs should check (outputs `matrix`,
 * `count`). Git only: no pull request code runs here.
 */
import * as core from '@actions/core';
import type { Config } from '../config.js';
import { discoverProjects } from '../github/discover.js';
import { actionLogger } from './publish.js';

/**
 * Lists the projects to check as a matrix (outputs `matrix`, `count`). Reads configs and asks
 * git what changed; runs no Python and starts no database.
 */
export async function runDiscoverMode(config: Config): Promise<void> {
  const discovery = await discoverProjects({
    projectDir: config.projectDir,
    alembicConfigs: config.alembicConfigs,
    base: config.base,
    onlyChanged: config.onlyChanged && !config.all,
    log: actionLogger(),
  });
  core.setOutput('matrix', JSON.stringify(discovery.matrix));
  core.setOutput('count', String(discovery.matrix.include.length));
  core.info(
    `${discovery.matrix.include.length} project(s) to check, ${discovery.skipped.length} skipped (unchanged)`,
  );
}
