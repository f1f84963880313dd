import { describe, expect, it } from 'vitest';
import { findingsOf } from '../sql/lint-helper.js';

const RULE = 'unnamed-constraint';

const header = `"""add things\n\nRevision ID: abc123\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n`;

/** [name, upgrade body (starts on line 10), expected finding lines] */
const invalid: [string, string, number[]][] = [
  [
    'op.create_foreign_key(None, …)',
    `    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])\n`,
    [10],
  ],
  [
    'sa.ForeignKey without name inside op.add_column (multi-line)',
    `    op.add_column(\n        "orders",\n        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),\n    )\n`,
    [12],
  ],
  [
    'UniqueConstraint and CheckConstraint without name in op.create_table',
    `    op.create_table(\n        "t",\n        sa.Column("a", sa.Integer()),\n        sa.UniqueConstraint("a"),\n        sa.CheckConstraint("a > 0"),\n    )\n`,
    [13, 14],
  ],
  [
    'batch_op.create_unique_constraint(None, …)',
    `    with op.batch_alter_table("t") as batch_op:\n        batch_op.create_unique_constraint(None, ["a"])\n`,
    [11],
  ],
  [
    'Column(unique=True) in create_table',
    `    op.create_table("t", sa.Column("email", sa.String(), unique=True))\n`,
    [10],
  ],
  [
    'create_check_constraint with constraint_name=None',
    `    op.create_check_constraint(constraint_name=None, table_name="t", condition="a > 0")\n`,
    [10],
  ],
];

const valid: [string, string, { namingConvention?: boolean }][] = [
  [
    'named op.create_foreign_key',
    `    op.create_foreign_key("fk_orders_user_id_users", "orders", "users", ["user_id"], ["id"])\n`,
    {},
  ],
  [
    'named constraints in create_table',
    `    op.create_table(\n        "t",\n        sa.Column("a", sa.Integer(), sa.ForeignKey("u.id", name="fk_t_a")),\n        sa.UniqueConstraint("a", name="uq_t_a"),\n    )\n`,
    {},
  ],
  [
    'project naming_convention given by the caller',
    `    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])\n`,
    { namingConvention: true },
  ],
  [
    'naming_convention in the revision itself',
    `    meta = sa.MetaData(naming_convention={"fk": "fk_%(table_name)s_%(column_0_name)s"})\n    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])\n`,
    {},
  ],
  [
    'inside a docstring or comment only',
    `    """op.create_foreign_key(None, "a", "b", ["x"], ["y"])"""\n    # op.create_unique_constraint(None, "t", ["a"])\n    pass\n`,
    {},
  ],
  ['ForeignKey outside an op call (model code)', `    fk = sa.ForeignKey("users.id")\n`, {}],
];

describe(RULE, () => {
  it.each(invalid)('flags: %s', async (_name, body, lines) => {
    const found = await findingsOf(RULE, [], { source: header + body });
    expect(found.map((f) => f.finding.line)).toEqual(lines);
    for (const f of found) {
      expect(f.finding.message).toMatch(/name/);
      expect(f.finding.file).toBe('migrations/versions/abc123_change.py');
    }
  });

  it.each(valid)('accepts: %s', async (_name, body, options) => {
    expect(await findingsOf(RULE, [], { source: header + body, ...options })).toEqual([]);
  });

  it('does nothing without the revision source', async () => {
    expect(await findingsOf(RULE, ['ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id) NOT VALID'])).toEqual(
      [],
    );
  });
});
