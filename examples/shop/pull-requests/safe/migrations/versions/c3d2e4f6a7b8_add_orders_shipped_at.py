"""add_orders_shipped_at

Adds a nullable column and indexes it without blocking writes.

Revision ID: c3d2e4f6a7b8
Revises: b2e1d3c5f6a7
Create Date: 2026-11-20 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "c3d2e4f6a7b8"
down_revision = "b2e1d3c5f6a7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_shipped_at", "orders", ["shipped_at"], postgresql_concurrently=True
        )


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_orders_shipped_at", table_name="orders", postgresql_concurrently=True)
    op.drop_column("orders", "shipped_at")
