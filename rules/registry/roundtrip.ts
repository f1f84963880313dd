/** The roundtrip rules, in catalog order. Each rule lives in rules/<id>.ts with its doc rules/<id>.md. */
import type { ProjectRoundTripContext, Rule, RoundTripRuleContext } from '../../src/lint/api.js';
import { rule as baseUpgradeFailed } from '../base-upgrade-failed.js';
import { rule as downgradeFailed } from '../downgrade-failed.js';
import { rule as downgradeLeavesTrace } from '../downgrade-leaves-trace.js';
import { rule as modelDrift } from '../model-drift.js';
import { rule as reupgradeFailed } from '../reupgrade-failed.js';
import { rule as reupgradeSchemaMismatch } from '../reupgrade-schema-mismatch.js';
import { rule as upgradeFailed } from '../upgrade-failed.js';
import { rule as upgradeFailsWithData } from '../upgrade-fails-with-data.js';
import { rule as downgradeFailsWithData } from '../downgrade-fails-with-data.js';
import { rule as downgradeLosesData } from '../downgrade-loses-data.js';
import { rule as observedTableRewrite } from '../observed-table-rewrite.js';
import { rule as observedFullScan } from '../observed-full-scan.js';
import { rule as breaksDeployedApp } from '../breaks-deployed-app.js';

export const roundTripRules: ReadonlyArray<Rule<RoundTripRuleContext>> = [
  upgradeFailed,
  downgradeFailed,
  reupgradeFailed,
  downgradeLeavesTrace,
  reupgradeSchemaMismatch,
  modelDrift,
  upgradeFailsWithData,
  downgradeFailsWithData,
  downgradeLosesData,
  observedTableRewrite,
  observedFullScan,
  breaksDeployedApp,
];

/** Round-trip rules about the whole project (run once, their findings are project-level). */
export const projectRoundTripRules: ReadonlyArray<Rule<ProjectRoundTripContext>> = [baseUpgradeFailed];
