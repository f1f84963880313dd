import { describe, expect, it } from 'vitest';
import { rule } from '../../../rules/breaks-deployed-app.js';
import type { DeployedAppBreak } from '../../../src/roundtrip/rule-context.js';
import { ctx, REL_FILE } from '../roundtrip/revision-fixture.js';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';

function broken(overrides: Partial<DeployedAppBreak>): DeployedAppBreak {
  return {
    model: 'User',
    table: 'users',
    column: 'name',
    kind: 'missing-column',
    operations: ['select', 'insert', 'update'],
    statement: 'SELECT users.name FROM users LIMIT 1',
    error: 'column users.name does not exist',
    sqlstate: '42703',
    commit: COMMIT,
    line: 21,
    renamedTo: 'full_name',
    ...overrides,
  };
}

describe('breaks-deployed-app', () => {
  it('a renamed mapped column names the model, the column, the statement, the error and the two-release fix', () => {
    const [finding, ...rest] = rule.check(ctx({}, { deployedApp: [broken({})] }));
    expect(rest).toEqual([]);
    expect(finding).toEqual({
      message:
        "the running release's model `User` (table `users`) maps column `users.name`, which is gone after this migration (renamed to `full_name`): every select, insert and update of the model fails (base commit 0123456789ab): `SELECT users.name FROM users LIMIT 1` fails with: column users.name does not exist",
      help: [
        'Rename in two releases: in this one add the new column and copy, keep the old one:',
        '',
        '    op.add_column("users", sa.Column("full_name", <type of name>, nullable=True))',
        "    op.execute('UPDATE users SET full_name = name')",
        '',
        'Deploy code that writes both and reads "full_name"; in the next release drop the old column: op.drop_column("users", "name").',
      ].join('\n'),
      file: REL_FILE,
      line: 21,
      statement: 'SELECT users.name FROM users LIMIT 1',
      subjects: ['missing-column', 'users.name'],
    });
  });

  it('a required column the release never sends says every insert fails and shows the server default', () => {
    const [finding] = rule.check(
      ctx(
        {},
        {
          deployedApp: [
            broken({
              column: 'status',
              kind: 'not-null',
              operations: ['insert'],
              statement: "INSERT INTO users (email, name, created_at) VALUES ('x', 'y', '2024-01-01')",
              error: 'null value in column "status" of relation "users" violates not-null constraint',
              sqlstate: '23502',
              renamedTo: null,
            }),
          ],
        },
      ),
    );
    expect(finding?.message).toContain(
      'model `User` (table `users`) never sends column `users.status`, which is NOT NULL without a server default after this migration: every insert of the model fails',
    );
    expect(finding?.help).toContain('op.alter_column("users", "status", server_default=sa.text("<value>"))');
    expect(finding?.subjects).toEqual(['not-null', 'users.status']);
  });

  it('Core metadata (no class) names the table; a dropped table has no column', () => {
    const [finding] = rule.check(
      ctx(
        {},
        {
          deployedApp: [
            broken({
              model: null,
              table: 'newsletter',
              column: null,
              kind: 'missing-table',
              operations: ['select', 'insert', 'update', 'delete'],
              error: 'relation "newsletter" does not exist',
              renamedTo: null,
            }),
          ],
        },
      ),
    );
    expect(finding?.message).toMatch(
      /^the running release's table `newsletter` maps a table this migration removes: every select, insert, update and delete of it fails/,
    );
    expect(finding?.subjects).toEqual(['missing-table', 'newsletter']);
  });

  it.each([
    ['no probe ran', ctx()],
    ['the probe found nothing', ctx({}, { deployedApp: [] })],
    ['the probe could not run', ctx({}, { deployedApp: null })],
  ])('is quiet when %s', (_name, context) => {
    expect(rule.check(context)).toEqual([]);
  });
});
