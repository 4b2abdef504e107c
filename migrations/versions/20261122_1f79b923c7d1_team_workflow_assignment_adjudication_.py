"""team workflow: assignment, adjudication, db roles

Assignment and claim times, project settings, adjudication provenance, each person's
PostgreSQL role; the `passage_workload` view (how many people hold each passage, without
saying who); on PostgreSQL, row-level security: an annotator reads and writes only their own
labels and work rows, a lead reads all and alone writes gold labels and decisions, and
passages can be row-locked but not changed.

Revision ID: 1f79b923c7d1
Revises: f0262f383a45
Create Date: 2026-11-22 03:45:15.032295
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


def _own(column: str) -> str:
    """SQL: the row's `column` is the annotator this connection's role belongs to."""
    return f"{column} IN (SELECT id FROM annotators WHERE db_role = current_user AND active)"


OWN = _own("annotator_id")
LEAD = "EXISTS (SELECT 1 FROM annotators WHERE db_role = current_user AND role = 'lead' AND active)"
POLICIES = {
    "annotations": [
        ("annotations_read", f"FOR SELECT USING ({OWN} OR {LEAD})"),
        ("annotations_insert", f"FOR INSERT WITH CHECK ({OWN} AND (origin <> 'adjudication' OR {LEAD}))"),
    ],
    "assignments": [
        ("assignments_read", f"FOR SELECT USING ({OWN} OR {LEAD})"),
        ("assignments_insert", f"FOR INSERT WITH CHECK ({OWN} OR {LEAD})"),
        ("assignments_update", f"FOR UPDATE USING ({OWN} OR {LEAD}) WITH CHECK ({OWN} OR {LEAD})"),
    ],
    "adjudications": [
        ("adjudications_read", f"FOR SELECT USING ({LEAD})"),
        ("adjudications_insert", f"FOR INSERT WITH CHECK ({LEAD} AND {_own('lead_id')})"),
    ],
    "passages": [
        ("passages_read", "FOR SELECT USING (true)"),
        ("passages_lock", "FOR UPDATE USING (true) WITH CHECK (false)"),
    ],
}
WORKLOAD_VIEW = "CREATE VIEW passage_workload AS SELECT passage_id, status, claimed_at, updated_at FROM assignments"


revision: str = "1f79b923c7d1"
down_revision: str | None = "f0262f383a45"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "adjudications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("passage_id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.String(length=64), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("chosen_annotator_id", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("dispute_key", sa.Text(), nullable=False),
        sa.Column("source_revision_ids", sa.JSON(), nullable=False),
        sa.Column("gold_revision_ids", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("method IN ('annotator', 'majority', 'edit')", name=op.f("ck_adjudications_method")),
        sa.ForeignKeyConstraint(
            ["chosen_annotator_id"],
            ["annotators.id"],
            name=op.f("fk_adjudications_chosen_annotator_id_annotators"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["annotators.id"], name=op.f("fk_adjudications_lead_id_annotators"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["passage_id"], ["passages.id"], name=op.f("fk_adjudications_passage_id_passages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjudications")),
    )
    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.create_index("ix_adjudications_layer_dispute", ["layer", "dispute_key"], unique=False)
        batch_op.create_index("ix_adjudications_passage_layer", ["passage_id", "layer"], unique=False)

    with op.batch_alter_table("annotators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_role", sa.String(length=63), nullable=True))
        batch_op.create_index(batch_op.f("ix_annotators_db_role"), ["db_role"], unique=True)

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))

    op.execute(WORKLOAD_VIEW)
    if op.get_bind().dialect.name == "postgresql":
        for table, policies in POLICIES.items():
            for name, body in policies:
                op.execute(f"CREATE POLICY {name} ON {table} {body}")
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, policies in POLICIES.items():
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
            for name, _ in policies:
                op.execute(f"DROP POLICY {name} ON {table}")
    op.execute("DROP VIEW passage_workload")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("assigned_at")

    # Other tables refer to annotators: drop the column in place rather than copy the table.
    with op.batch_alter_table("annotators", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotators_db_role"))
        batch_op.drop_column("db_role")

    with op.batch_alter_table("adjudications", schema=None) as batch_op:
        batch_op.drop_index("ix_adjudications_passage_layer")
        batch_op.drop_index("ix_adjudications_layer_dispute")

    op.drop_table("adjudications")
    op.drop_table("settings")
