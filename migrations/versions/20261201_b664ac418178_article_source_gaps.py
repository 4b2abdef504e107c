"""article source gaps

`articles.source_gaps`: the offsets in the original source text (code points, BOM included)
of the characters the stored text dropped (a leading BOM, the \\r of each \\r\\n), so label
offsets into the source file can be mapped onto the stored text and back. Articles imported
before this revision get an empty list: their stored text is taken as their source.

Revision ID: b664ac418178
Revises: 1f79b923c7d1
Create Date: 2026-12-01 21:31:19.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b664ac418178"
down_revision: str | None = "1f79b923c7d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Passages refer to articles: add and drop the column in place rather than copy the table.
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("source_gaps", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("source_gaps")
