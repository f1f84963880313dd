"""add_orders_status

Revision ID: d4c3b5a7e8f9
Revises: b2e1d3c5f6a7
Create Date: 2026-11-21 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "d4c3b5a7e8f9"
down_revision = "b2e1d3c5f6a7"
branch_labels = None
depends_on = None

order_status = postgresql.ENUM("pending", "paid", "shipped", name="order_status")


def upgrade() -> None:
    order_status.create(op.get_bind())
    op.add_column("orders", sa.Column("status", order_status, nullable=False, server_default="pending"))
    op.create_index("ix_orders_status", "orders", ["status"])
    op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"])


def downgrade() -> None:
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_column("orders", "status")
