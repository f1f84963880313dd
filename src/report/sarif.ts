/**
 * SARIF 2.1.0 reporter (`--format sarif`, action input `sarif-file`) for GitHub code scanning
 * and other SARIF consumers. One run, the whole rule catalog as `tool.driver.rules`, one result
 * per finding; ignored findings keep their place with a suppression and its justification.
 */
import { REPOSITORY_URL } from '../meta.js';
import type { RuleMeta } from '../lint/types.js';
import { ruleDocsUrl } from '../lint/types.js';
import type { Finding, Report } from './model.js';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: { text: string };
  help?: { text: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel; enabled?: boolean };
  properties?: { tags: string[] };
}

interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string };
  region?: { startLine: number };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{ physicalLocation: SarifPhysicalLocation }>;
  /** The consequences this finding explains (grouped under it, one finding per cause). */
  relatedLocations?: Array<{
    id: number;
    physicalLocation: SarifPhysicalLocation;
    message: { text: string };
  }>;
  suppressions?: Array<{ kind: 'inSource' | 'external'; justification: string }>;
  properties?: { revision?: string; project: string; statement?: string };
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

export function buildSarif(report: Report, ruleMetas: ReadonlyArray<RuleMeta>): SarifLog {
  const rules: SarifRule[] = ruleMetas.map(sarifRule);
  const indexById = new Map(rules.map((r, i) => [r.id, i]));
  const ruleIndex = (f: Finding): number => {
    const known = indexById.get(f.rule);
    if (known !== undefined) return known;
    // A finding of a rule outside the catalog passed in still needs a descriptor.
    rules.push({
      id: f.rule,
      shortDescription: { text: f.rule },
      helpUri: f.docsUrl,
      defaultConfiguration: { level: f.severity },
    });
    indexById.set(f.rule, rules.length - 1);
    return rules.length - 1;
  };

  const results: SarifResult[] = [];
  for (const project of report.projects) {
    const placed = [
      ...project.findings.map((f) => ({ f, revision: undefined as string | undefined })),
      ...project.revisions.flatMap((r) => r.findings.map((f) => ({ f, revision: r.id }))),
    ];
    for (const { f, revision } of placed) {
      const related = f.related ?? [];
      const consequences = related.map((r) => `and so ${r.rule}: ${r.message}`);
      const result: SarifResult = {
        ruleId: f.rule,
        ruleIndex: ruleIndex(f),
        level: f.severity,
        message: { text: [f.message, ...consequences, ...(f.help ? [f.help] : [])].join('\n') },
        locations: [{ physicalLocation: physicalLocation(f, project.config) }],
        ...(related.length > 0
          ? {
              relatedLocations: related.map((r, i) => ({
                id: i + 1,
                physicalLocation: physicalLocation(r, project.config),
                message: { text: `${r.rule}: ${r.message}` },
              })),
            }
          : {}),
        properties: {
          project: project.id,
          ...(revision ? { revision } : {}),
          ...(f.statement ? { statement: f.statement } : {}),
        },
      };
      if (f.ignored) {
        result.suppressions = [{ kind: 'inSource', justification: f.ignoreReason ?? '' }];
      }
      results.push(result);
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: REPOSITORY_URL,
            rules,
          },
        },
        results,
      },
    ],
  };
}

export function renderSarif(report: Report, ruleMetas: ReadonlyArray<RuleMeta>): string {
  return `${JSON.stringify(buildSarif(report, ruleMetas), null, 2)}\n`;
}

function sarifRule(meta: RuleMeta): SarifRule {
  return {
    id: meta.id,
    name: meta.id,
    shortDescription: { text: meta.summary },
    help: { text: meta.help },
    helpUri: ruleDocsUrl(meta.id),
    defaultConfiguration:
      meta.defaultSeverity === 'off' ? { level: 'warning', enabled: false } : { level: meta.defaultSeverity },
    properties: { tags: ['alembic', 'postgresql', meta.kind] },
  };
}

/** Where a finding points; project-level findings without a file point at the alembic config. */
function physicalLocation(
  f: { file: string | null; line: number | null },
  config: string,
): SarifPhysicalLocation {
  return {
    artifactLocation: { uri: toUri(f.file ?? config), uriBaseId: '%SRCROOT%' },
    ...(f.file && f.line !== null && f.line >= 1 ? { region: { startLine: f.line } } : {}),
  };
}

/** SARIF wants a relative URI reference: forward slashes, percent-encoded segments. */
function toUri(file: string): string {
  return file.replace(/\\/g, '/').replace(/^\.\//, '').split('/').map(encodeURIComponent).join('/');
}
