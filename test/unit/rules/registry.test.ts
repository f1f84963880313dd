/**
 * Every rule in the registry has its file, doc, test table and README row — and nothing
 * else exists. The README's rule table is generated from the registry: run
 * `UPDATE_README=1 npx vitest run test/unit/rules/registry.test.ts` after adding a rule.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../../rules/index.js';
import { RULE_DOCS_BASE } from '../../../src/meta.js';
import { ruleDocsUrl } from '../../../src/lint/types.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const ids = allRules.map((r) => r.meta.id);

/** The catalogue: rule ids are public API (docs/ARCHITECTURE.md). */
const CATALOG = [
  'multiple-heads',
  'broken-revision-graph',
  'edited-applied-migration',
  'deleted-applied-migration',
  'empty-downgrade',
  'missing-docstring',
  'revision-message-convention',
  'upgrade-failed',
  'downgrade-failed',
  'reupgrade-failed',
  'downgrade-leaves-trace',
  'reupgrade-schema-mismatch',
  'model-drift',
  'require-concurrent-index',
  'require-concurrent-index-drop',
  'concurrent-index-in-transaction',
  'two-step-column-drop',
  'drop-table',
  'not-null-column-without-default',
  'set-not-null',
  'column-type-change',
  'foreign-key-not-valid',
  'check-constraint-not-valid',
  'unique-constraint-without-index',
  'foreign-key-without-index',
  'rename-column',
  'rename-table',
  'mixed-data-and-schema',
  'unnamed-constraint',
  'volatile-default',
  'lock-timeout-missing',
  'exclusive-lock-held',
  // issue 17: hazards squawk and strong_migrations report
  'truncate-cascade',
  'drop-database',
  'transaction-control-in-migration',
  'exclusion-constraint',
  'generated-column-rewrite',
  'table-rewrite-command',
  'reindex-without-concurrently',
  'refresh-materialized-view-blocking',
  'domain-constraint',
  'identifier-too-long',
  'statement-timeout-missing',
  'prefer-bigint-primary-key',
  'prefer-identity',
  'prefer-timestamptz',
  'prefer-text-over-varchar',
  // issue 23: the base release against the migrated schema
  'breaks-deployed-app',
];

export function readmeRulesTable(): string {
  const rows = allRules.map(
    (r) =>
      `| [\`${r.meta.id}\`](rules/${r.meta.id}.md) | ${r.meta.kind} | ${r.meta.defaultSeverity} | ${r.meta.summary} |`,
  );
  return ['| rule | kind | default | catches |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

describe('rule registry', () => {
  it('has unique ids', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('contains the whole catalogue', () => {
    expect(CATALOG.filter((id) => !ids.includes(id))).toEqual([]);
  });

  it.each(ids)('%s has its file, doc, test table and sane metadata', (id) => {
    expect(existsSync(path.join(root, 'rules', `${id}.ts`)), `rules/${id}.ts`).toBe(true);
    expect(existsSync(path.join(root, 'rules', `${id}.md`)), `rules/${id}.md`).toBe(true);
    expect(
      existsSync(path.join(root, 'test', 'unit', 'rules', `${id}.test.ts`)),
      `test/unit/rules/${id}.test.ts`,
    ).toBe(true);
    const rule = allRules.find((r) => r.meta.id === id);
    expect(rule?.meta.summary.length).toBeGreaterThan(10);
    expect(rule?.meta.help.length).toBeGreaterThan(10);
    expect(ruleDocsUrl(id)).toBe(`${RULE_DOCS_BASE}/${id}.md`);
    const doc = readFileSync(path.join(root, 'rules', `${id}.md`), 'utf8');
    expect(doc.startsWith(`# ${id}`), `rules/${id}.md starts with "# ${id}"`).toBe(true);
    expect(doc, `rules/${id}.md mentions how to ignore`).toMatch(/migration-guard: ignore/);
  });

  it('has no rule file, doc or test that is not registered', () => {
    const ruleFiles = readdirSync(path.join(root, 'rules'))
      .filter((f) => /\.(ts|md)$/.test(f) && f !== 'index.ts')
      .map((f) => f.replace(/\.(ts|md)$/, ''));
    expect([...new Set(ruleFiles)].filter((id) => !ids.includes(id))).toEqual([]);
    const tests = readdirSync(path.join(root, 'test', 'unit', 'rules'))
      .filter((f) => f.endsWith('.test.ts') && f !== 'registry.test.ts')
      .map((f) => f.replace(/\.test\.ts$/, ''));
    expect(tests.filter((id) => !ids.includes(id))).toEqual([]);
  });

  it("matches the README's rule table", () => {
    const readmePath = path.join(root, 'README.md');
    const readme = readFileSync(readmePath, 'utf8');
    const start = '<!-- rules:start -->\n';
    const end = '\n<!-- rules:end -->';
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    expect(from, 'README has the rules:start/end markers').toBeGreaterThanOrEqual(0);
    const expected = readmeRulesTable();
    const actual = readme.slice(from + start.length, to);
    if (actual !== expected && process.env.UPDATE_README === '1') {
      writeFileSync(readmePath, readme.slice(0, from + start.length) + expected + readme.slice(to));
      return;
    }
    expect(actual).toBe(expected);
  });
});
