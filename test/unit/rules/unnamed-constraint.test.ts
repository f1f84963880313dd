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
  ['op.create_primary_key(None, …)', `    op.create_primary_key(None, "tags", ["id"])\n`, [10]],
  [
    'batch_op.create_primary_key(None, …)',
    `    with op.batch_alter_table("tags") as batch_op:\n        batch_op.create_primary_key(None, ["id"])\n`,
    [11],
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

const downgradeDropsTable = `    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("code", sa.String(20), unique=True),
    )


def downgrade():
    op.drop_table("orders")
`;

describe(RULE, () => {
  it('says what is true for a constraint created with a table the downgrade drops', async () => {
    const found = await findingsOf(RULE, [], { source: header + downgradeDropsTable });
    expect(found.map((f) => f.finding.line)).toEqual([13, 14]);
    for (const f of found) {
      expect(f.finding.message).toMatch(
        /a later revision that alters or drops this constraint must guess that name/,
      );
      expect(f.finding.message).not.toMatch(/downgrade must/);
    }
    expect(found[0]?.finding.message).toMatch(/drops it along with the table/);
  });

  it('keeps "the downgrade must drop it by that exact name" when the downgrade does not drop the table', async () => {
    const source = header + downgradeDropsTable.replace('op.drop_table("orders")', 'op.drop_table("other")');
    const found = await findingsOf(RULE, [], { source });
    expect(found.map((f) => f.finding.line)).toEqual([13, 14]);
    expect(found[0]?.finding.message).toMatch(/the downgrade must drop it by that exact name/);
    expect(found[1]?.finding.message).toMatch(/the downgrade must guess it/);
  });

  it('says what is true for a constraint added with a column the downgrade drops', async () => {
    const source =
      header +
      `    op.add_column("orders", sa.Column("coupon_id", sa.Integer(), sa.ForeignKey("coupons.id")))


def downgrade():
    op.drop_column("orders", "coupon_id")
`;
    const found = await findingsOf(RULE, [], { source });
    expect(found.map((f) => f.finding.line)).toEqual([10]);
    expect(found[0]?.finding.message).toMatch(/drops it along with the column, but a later revision/);
  });

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
