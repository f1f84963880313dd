revision = "e5f4a6b8c9d0"
down_revision = "d4c3b5a7e8f9"
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade() -> None:
    op.execute("UPDATE users SET email = lower(email)")
    op.alter_column("users", "email", type_=sa.String(120))


def downgrade() -> None:
    pass
