import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/edited-applied-migration.js';
import type { RevisionSpec } from '../../helpers/git-repo.js';
import { analysisOf } from '../alembic/analysis-fixture.js';

const a: RevisionSpec = {
  id: 'a1',
  down: null,
  message: 'create_users_table',
  upgrade: "op.create_table('users', sa.Column('id', sa.Integer()))",
  downgrade: "op.drop_table('users')",
};
const z: RevisionSpec = { id: 'z0', down: null, message: 'create_z_base' };

describe('edited-applied-migration', () => {
  it.each<[string, RevisionSpec, string]>([
    [
      'upgrade() changed',
      { ...a, upgrade: "op.create_table('users', sa.Column('id', sa.BigInteger()))" },
      'upgrade()',
    ],
    ['downgrade() changed', { ...a, downgrade: "op.drop_table('users', if_exists=True)" }, 'downgrade()'],
    ['down_revision changed', { ...a, down: 'z0' }, 'down_revision'],
    ['a statement added', { ...a, upgrade: `${a.upgrade}\nop.execute('SELECT 1')` }, 'upgrade()'],
  ])('flags %s', (_name, after, part) => {
    const findings = rule.check({ analysis: analysisOf({ base: [z, a], head: [z, after] }), naming: null });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toContain(`revision a1 is already on main`);
    expect(findings[0]?.message).toContain(part);
    expect(findings[0]?.file).toBe('migrations/versions/a1_create_users_table.py');
  });

  it.each<[string, RevisionSpec]>([
    ['unchanged', a],
    ['a comment added', { ...a, upgrade: `# create the users table\n${a.upgrade}` }],
    [
      'reformatted with other quotes and a trailing comma',
      { ...a, upgrade: 'op.create_table(\n    "users",\n    sa.Column("id", sa.Integer()),\n)' },
    ],
    ['docstring (message) changed', { ...a, message: 'create users, reworded' }],
  ])('accepts %s', (_name, after) => {
    expect(rule.check({ analysis: analysisOf({ base: [z, a], head: [z, after] }), naming: null })).toEqual(
      [],
    );
  });

  it('does not look at pending revisions (they are not in the base)', () => {
    expect(rule.check({ analysis: analysisOf({ base: [z], head: [z, a] }), naming: null })).toEqual([]);
  });
});
