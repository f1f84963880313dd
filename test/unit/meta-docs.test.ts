import { afterEach, describe, expect, it } from 'vitest';
import { ruleDocsUrl } from '../../src/lint/types.js';
import { RULE_DOCS_BASE, useRuleDocsOf } from '../../src/meta.js';

describe('rule doc links follow the action version in use', () => {
  afterEach(() => useRuleDocsOf('org/migration-guard', 'main'));

  it('uses GITHUB_ACTION_REPOSITORY at GITHUB_ACTION_REF', () => {
    expect(ruleDocsUrl('drop-table')).toBe(`${RULE_DOCS_BASE}/drop-table.md`);
    useRuleDocsOf('acme/migration-guard', 'v1.2.0');
    expect(ruleDocsUrl('drop-table')).toBe(
      'https://github.com/acme/migration-guard/blob/v1.2.0/rules/drop-table.md',
    );
  });

  it('ignores missing or odd values', () => {
    useRuleDocsOf(undefined, 'v1');
    useRuleDocsOf('acme/x', '');
    useRuleDocsOf('acme/x)](javascript:1', 'v1');
    expect(ruleDocsUrl('drop-table')).toBe(`${RULE_DOCS_BASE}/drop-table.md`);
  });
});
