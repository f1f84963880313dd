"""create_orders_table

Revision ID: b2e1d3c5f6a7
Revises: a1f0c2d4e5b6
Create Date: 2026-10-08 09:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "b2e1d3c5f6a7"
down_revision = "a1f0c2d4e5b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", name="fk_orders_user_id"), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
    )
    op.create_index("ix_orders_user_id", "orders", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_user_id", table_name="orders")
    op.drop_table("orders")
