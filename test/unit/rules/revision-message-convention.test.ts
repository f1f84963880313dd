import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/revision-message-convention.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = { id: 'a1', down: null, message: 'Initial' };
const check = (message: string | null, naming: string | null = null) =>
  rule.check({ analysis: analysisOf({ base: [a], head: [a, { id: 'b2', down: 'a1', message }] }), naming });

describe('revision-message-convention', () => {
  it('is off by default', () => {
    expect(rule.meta.defaultSeverity).toBe('off');
  });

  it.each<[string, string | null]>([
    ['Add users email', null],
    ['add users email', null],
    ['add-users-email', null],
    ['add', null],
    ['add_users_email', '^JIRA-\\d+ '],
  ])('flags "%s" (naming %s)', (message, naming) => {
    const findings = check(message, naming);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(`"${message}" does not match`);
  });

  it.each<[string | null, string | null]>([
    ['add_users_email', null],
    ['drop_orders_legacy_status', null],
    ['JIRA-12 add users email', '^JIRA-\\d+ '],
    [null, null],
  ])('accepts %s (naming %s)', (message, naming) => {
    expect(check(message, naming)).toEqual([]);
  });
});
