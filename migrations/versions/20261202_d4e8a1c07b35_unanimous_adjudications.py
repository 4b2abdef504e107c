"""unanimous adjudications

`adjudications.method` may also be `unanimous`: `annotator review --accept-unanimous` made
the labels every finished annotator gave (same items, same attributes) the gold labels, with
no lead looking at the passage. Downgrading records those decisions as `majority` (which
they also are) and so loses only the mark that nobody looked.

Revision ID: d4e8a1c07b35
Revises: c3a9d5e1f2b7
Create Date: 2026-12-02 02:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4e8a1c07b35"
down_revision: str | None = "c3a9d5e1f2b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_METHODS = "method IN ('annotator', 'majority', 'edit')"
NEW_METHODS = "method IN ('annotator', 'majority', 'edit', 'unanimous')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_adjudications_method"), type_="check")
        batch_op.create_check_constraint("method", condition)


def upgrade() -> None:
    _replace_check(NEW_METHODS)


def downgrade() -> None:
    op.execute("UPDATE adjudications SET method = 'majority' WHERE method = 'unanimous'")
    _replace_check(OLD_METHODS)
