/**
 * One cause, one finding (issue #14 item 3): consequences hang under the most specific rule
 * that names their cause, with the catalog's own `explains` declarations.
 */
import { describe, expect, it } from 'vitest';
import { allRules } from '../../../rules/index.js';
import type { Finding } from '../../../src/model.js';
import { groupByCause } from '../../../src/lint/group.js';
import type { PlacedFinding } from '../../../src/lint/run.js';

const FILE = 'migrations/versions/b2_add_fk.py';

function placed(
  rule: string,
  overrides: Partial<Finding> = {},
  subjects?: string[],
  revision: string | null = 'b2',
): PlacedFinding {
  return {
    revision,
    ...(subjects ? { subjects } : {}),
    finding: {
      rule,
      severity: 'error',
      message: `${rule} message`,
      help: 'help',
      docsUrl: `docs/${rule}.md`,
      file: FILE,
      line: 10,
      statement: null,
      ignored: false,
      ignoreReason: null,
      ...overrides,
    },
  };
}

const rules = (out: PlacedFinding[]) =>
  out.map((p) => [p.finding.rule, p.finding.severity, (p.finding.related ?? []).map((r) => r.rule)]);

const fkTrace = ['constraint orders.orders_user_id_fkey remains after downgrade'];
const fkMismatch = ['constraint orders.orders_user_id_fkey1 appears after re-upgrade'];

describe('groupByCause', () => {
  it('hangs the trace and the schema mismatch of an unnamed foreign key under unnamed-constraint, as an error', () => {
    const out = groupByCause(
      [
        placed('downgrade-leaves-trace', {}, fkTrace),
        placed('reupgrade-schema-mismatch', {}, fkMismatch),
        placed('unnamed-constraint', { severity: 'warning', line: 14 }),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([
      ['unnamed-constraint', 'error', ['downgrade-leaves-trace', 'reupgrade-schema-mismatch']],
    ]);
    expect(out[0]?.finding.line).toBe(14);
    expect(out[0]?.finding.related?.[0]).toEqual({
      rule: 'downgrade-leaves-trace',
      severity: 'error',
      message: 'downgrade-leaves-trace message',
      docsUrl: 'docs/downgrade-leaves-trace.md',
      file: FILE,
      line: 10,
      statement: null,
    });
  });

  it('keeps a trace that is not about constraints as a finding of its own', () => {
    const trace = [...fkTrace, 'index ix_orders_note remains after downgrade'];
    const out = groupByCause(
      [
        placed('downgrade-leaves-trace', {}, trace),
        placed('reupgrade-schema-mismatch', {}, fkMismatch),
        placed('unnamed-constraint', { severity: 'warning' }),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([
      ['downgrade-leaves-trace', 'error', ['reupgrade-schema-mismatch']],
      ['unnamed-constraint', 'warning', []],
    ]);
  });

  it('accepts the index that backs an unnamed UNIQUE constraint', () => {
    const trace = [
      'index users_email_key remains after downgrade',
      'constraint users.users_email_key remains after downgrade',
    ];
    const out = groupByCause(
      [placed('downgrade-leaves-trace', {}, trace), placed('unnamed-constraint', { severity: 'warning' })],
      allRules,
    );
    expect(rules(out)).toEqual([['unnamed-constraint', 'error', ['downgrade-leaves-trace']]]);
  });

  it('hangs a downgrade that fails on the missing name under unnamed-constraint', () => {
    const out = groupByCause(
      [
        placed('downgrade-failed', {}, ['ValueError: Constraint must have a name']),
        placed('unnamed-constraint', { severity: 'warning' }),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([['unnamed-constraint', 'error', ['downgrade-failed']]]);
    // But not a downgrade that fails for another reason.
    const other = groupByCause(
      [
        placed('downgrade-failed', {}, ['UndefinedColumn: column "cost" does not exist']),
        placed('unnamed-constraint', { severity: 'warning' }),
      ],
      allRules,
    );
    expect(rules(other)).toEqual([
      ['downgrade-failed', 'error', []],
      ['unnamed-constraint', 'warning', []],
    ]);
  });

  it('hangs the trace and the failed re-upgrade of a pass downgrade under empty-downgrade', () => {
    const out = groupByCause(
      [
        placed('empty-downgrade', { line: 22 }),
        placed('reupgrade-failed', {}, [
          'DuplicateColumn: column "legacy" of relation "users" already exists',
        ]),
        placed('downgrade-leaves-trace', {}, ['column users.legacy remains after downgrade']),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([
      ['empty-downgrade', 'error', ['downgrade-leaves-trace', 'reupgrade-failed']],
    ]);
  });

  it('hangs a failed re-upgrade under the trace that explains it when no rule names a deeper cause', () => {
    const out = groupByCause(
      [
        placed('reupgrade-failed', {}, ['DuplicateObject: type "status" already exists']),
        placed('downgrade-leaves-trace', {}, ['enum type status remains after downgrade']),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([['downgrade-leaves-trace', 'error', ['reupgrade-failed']]]);
  });

  it('never groups across revisions, project findings or ignored findings', () => {
    const out = groupByCause(
      [
        placed('empty-downgrade'),
        placed('downgrade-leaves-trace', {}, ['column users.legacy remains after downgrade'], 'c3'),
        placed('reupgrade-failed', {}, ['x'], null),
        placed('empty-downgrade', { ignored: true, ignoreReason: 'why' }, undefined, 'd4'),
        placed('downgrade-leaves-trace', {}, ['column t.x remains after downgrade'], 'd4'),
        placed('reupgrade-failed', { ignored: true, ignoreReason: 'known' }, ['y'], 'd4'),
      ],
      allRules,
    );
    expect(rules(out)).toEqual([
      ['empty-downgrade', 'error', []],
      ['downgrade-leaves-trace', 'error', []],
      ['reupgrade-failed', 'error', []],
      ['empty-downgrade', 'error', []],
      ['downgrade-leaves-trace', 'error', []],
      ['reupgrade-failed', 'error', []],
    ]);
    expect(out.map((p) => p.finding.related)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('keeps findings of unrelated rules untouched and in order', () => {
    const input = [placed('drop-table'), placed('rename-column', { severity: 'warning' })];
    expect(groupByCause(input, allRules)).toEqual(input);
  });

  describe('a data failure of a statement a static rule already flags', () => {
    const addPlan = 'ALTER TABLE users ADD COLUMN plan TEXT NOT NULL';
    const dataFailure = (statement: string) =>
      placed('upgrade-fails-with-data', {
        message:
          'upgrade to b2 fails on tables with rows and succeeds on empty ones: NotNullViolation. Example row: users (id=1): plan = NULL.',
        line: 19,
        statement,
      });

    it.each([
      ['not-null-column-without-default', addPlan],
      [
        'column-type-change',
        'ALTER TABLE payments ALTER COLUMN legacy_ref TYPE INTEGER USING legacy_ref::integer',
      ],
      ['set-not-null', 'ALTER TABLE users ALTER COLUMN email SET NOT NULL'],
      ['check-constraint-not-valid', 'ALTER TABLE orders ADD CONSTRAINT ck_amount CHECK (amount > 0)'],
      [
        'foreign-key-not-valid',
        'ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)',
      ],
      ['unique-constraint-without-index', 'ALTER TABLE users ADD CONSTRAINT uq_email UNIQUE (email)'],
    ])('is one root: %s, with the observed failure as related evidence', (rule, statement) => {
      // The executed SQL as the driver saw it (its own whitespace, a trailing semicolon).
      const out = groupByCause(
        [placed(rule, { statement, line: 19 }), dataFailure(`${statement.replace(/ /g, '\n  ')};`)],
        allRules,
      );
      expect(rules(out)).toEqual([[rule, 'error', ['upgrade-fails-with-data']]]);
      expect(out[0]?.finding.statement).toBe(statement);
      expect(out[0]?.finding.related?.[0]?.message).toContain('Example row: users (id=1): plan = NULL.');
    });

    it('stays two roots when the failure is another statement of the revision', () => {
      const out = groupByCause(
        [
          placed('not-null-column-without-default', { statement: addPlan }),
          dataFailure('CREATE UNIQUE INDEX uq_users_email ON users (email)'),
        ],
        allRules,
      );
      expect(rules(out)).toEqual([
        ['not-null-column-without-default', 'error', []],
        ['upgrade-fails-with-data', 'error', []],
      ]);
    });

    it('stays two roots when the static finding is ignored (an ignore hides only what it names)', () => {
      const out = groupByCause(
        [
          placed('not-null-column-without-default', {
            statement: addPlan,
            ignored: true,
            ignoreReason: 'the table is empty in production',
          }),
          dataFailure(addPlan),
        ],
        allRules,
      );
      expect(rules(out)).toEqual([
        ['not-null-column-without-default', 'error', []],
        ['upgrade-fails-with-data', 'error', []],
      ]);
    });
  });
});
