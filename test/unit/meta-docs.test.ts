import { afterEach, describe, expect, it } from 'vitest';
import { ruleDocsUrl } from '../../src/lint/types.js';
import { REPOSITORY_URL, RULE_DOCS_BASE, TOOL_VERSION, useRuleDocsOf } from '../../src/meta.js';

describe('rule doc links follow the action version in use', () => {
  // Back to the default: this repository at this version's tag.
  afterEach(() => useRuleDocsOf(REPOSITORY_URL.replace('https://github.com/', ''), `v${TOOL_VERSION}`));

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
