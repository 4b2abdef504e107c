"""release licence and text rights

`releases.license`: the licence id the release is published under (`annotator release create
--license`, default the codebook's `license`), which the dataset card states. `releases.text_rights`:
who holds the rights in the texts and on what terms they are shared (`--text-rights`). Releases made
before this revision have neither: their cards fall back to the codebook's licence, as before.

Revision ID: e5b2c8f41a96
Revises: d4e8a1c07b35
Create Date: 2026-12-02 02:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5b2c8f41a96"
down_revision: str | None = "d4e8a1c07b35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("releases", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("license", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("text_rights", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("releases", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("text_rights")
        batch_op.drop_column("license")
