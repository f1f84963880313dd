/**
 * Presets: `recommended` is every rule's default, `strict` turns on the style and timeout
 * rules; a rule's own setting overrides its preset; file, flag and input all choose it; the
 * README lists the same rules. The same fixture under both presets, on a real run, is in
 * test/integration/presets/presets-timeouts.test.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules, knownRuleIds, presetRuleSettings, sqlStatementRules } from '../../../rules/index.js';
import { STRICT_ONLY_RULES } from '../../../rules/registry/presets.js';
import { parseCheckArgs } from '../../../src/cli.js';
import { applyFileConfig, applyPreset, defaultConfig, parseFileConfig } from '../../../src/config.js';
import { MigrationGuardError } from '../../../src/errors.js';
import { configFromInputs } from '../../../src/github/inputs.js';
import { lintRevisionSql } from '../../../src/lint/sql.js';
import { statements } from '../sql/lint-helper.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** What SQLAlchemy renders for a typical revision (op.create_table + op.add_column). */
const FIXTURE = [
  'CREATE TABLE invoices (id SERIAL NOT NULL, customer_id INTEGER NOT NULL, number VARCHAR(20) NOT NULL, ' +
    'issued_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, PRIMARY KEY (id), ' +
    'CONSTRAINT fk_invoices_customer_id FOREIGN KEY(customer_id) REFERENCES customers (id))',
  'CREATE INDEX ix_invoices_customer_id ON invoices (customer_id)',
  'ALTER TABLE customers ADD COLUMN vip BOOLEAN',
  'CREATE INDEX ix_customers_email ON customers (email)',
];

async function sqlRulesUnder(yaml: string): Promise<string[]> {
  const file = parseFileConfig(yaml, '.migration-guard.yml', knownRuleIds);
  const merged = applyFileConfig(defaultConfig('.'), file, false);
  const config = applyPreset(merged, presetRuleSettings(merged.preset));
  const found = await lintRevisionSql(
    {
      revision: 'b1000002',
      file: 'migrations/versions/b1000002_invoices.py',
      source: null,
      statements: statements(FIXTURE),
      serverVersionNum: 160004,
      settings: config.rules,
    },
    sqlStatementRules,
  );
  return [...new Set(found.map((f) => f.finding.rule))].sort();
}

describe('presets', () => {
  it('strict turns on only rules that are off by default', () => {
    for (const id of STRICT_ONLY_RULES) {
      expect(knownRuleIds, id).toContain(id);
      expect(allRules.find((r) => r.meta.id === id)?.meta.defaultSeverity, id).toBe('off');
    }
    expect(presetRuleSettings('recommended')).toEqual({});
  });

  it('the same statements give the documented sets under recommended and strict', async () => {
    const recommended = ['require-concurrent-index'];
    expect(await sqlRulesUnder('')).toEqual(recommended);
    expect(await sqlRulesUnder('preset: recommended')).toEqual(recommended);
    const strictSql = STRICT_ONLY_RULES.filter((id) => id !== 'revision-message-convention');
    expect(await sqlRulesUnder('preset: strict')).toEqual([...recommended, ...strictSql].sort());
  });

  it("a rule's own setting overrides its preset, both ways", async () => {
    const found = await sqlRulesUnder(
      'preset: strict\nrules:\n  prefer-identity: off\n  require-concurrent-index: off\n  identifier-too-long: off',
    );
    expect(found).not.toContain('prefer-identity');
    expect(found).not.toContain('require-concurrent-index');
    expect(found).toContain('prefer-timestamptz');
    const config = applyPreset(
      { ...defaultConfig('.'), preset: 'strict', rules: { 'lock-timeout-missing': 'warning' } },
      presetRuleSettings('strict'),
    );
    expect(config.rules['lock-timeout-missing']).toBe('warning');
    expect(config.rules['prefer-identity']).toBe('error');
  });

  it('an unknown preset is one clear usage error (file, flag, input)', async () => {
    expect(() => parseFileConfig('preset: paranoid', 'x.yml', knownRuleIds)).toThrow(
      /x\.yml: preset must be one of recommended, strict \(got "paranoid"\)/,
    );
    await expect(parseCheckArgs(['--preset', 'paranoid', '--no-database'])).rejects.toThrow(
      MigrationGuardError,
    );
    await expect(parseCheckArgs(['--preset', 'paranoid', '--no-database'])).rejects.toThrow(
      /--preset must be one of/,
    );
    const inputs: Record<string, string> = { preset: 'lax' };
    expect(() => configFromInputs((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: root })).toThrow(
      /input preset must be one of recommended, strict/,
    );
  });

  it('the flag chooses the preset and wins over the file; the input sets it', async () => {
    const config = await parseCheckArgs(['--preset', 'strict', '--no-database', '--project', root]);
    expect(config.preset).toBe('strict');
    expect(config.rules['statement-timeout-missing']).toBe('error');
    const inputs: Record<string, string> = { preset: 'strict' };
    expect(configFromInputs((name) => inputs[name] ?? '', { GITHUB_WORKSPACE: root }).preset).toBe('strict');
    const file = parseFileConfig('preset: strict', 'f.yml', knownRuleIds);
    expect(applyFileConfig(defaultConfig('.'), file, false, { preset: true }).preset).toBe('recommended');
    expect(applyFileConfig(defaultConfig('.'), file, false).preset).toBe('strict');
  });

  it("the README's strict list is the preset's", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const block = /<!-- strict:start -->\n([\s\S]*?)\n<!-- strict:end -->/.exec(readme)?.[1] ?? '';
    const listed = block.split('\n').map((l) => /^- `([a-z0-9-]+)`$/.exec(l)?.[1]);
    expect(listed).toEqual([...STRICT_ONLY_RULES]);
  });
});
