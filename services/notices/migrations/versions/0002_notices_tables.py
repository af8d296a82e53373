"""The notices service's tables: return forms, notices, attachments, receipts, return submissions, and
the registry replica.

Revision ID: 0002
Revises: 0001
Created: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import shared.db.types
from shared.db.migration_steps import drop_enum_types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replica_clusters",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("leader_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("cluster_no"),
    )
    op.create_table(
        "replica_communes",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("gso_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("people_committee_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("culture_office_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_communes_cluster_no"), ["cluster_no"], unique=False)

    op.create_table(
        "replica_memberships",
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("replica_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_memberships_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_memberships_staff_code"), ["staff_code"], unique=False)

    op.create_table(
        "replica_schools",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("principal_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_schools_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_schools_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_schools_level"), ["level"], unique=False)

    op.create_table(
        "replica_staff",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_staff_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_staff_school_code"), ["school_code"], unique=False)

    op.create_table(
        "return_forms",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "notices",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=False),
        sa.Column("issuing_unit", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("reply_by", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("corrects_notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("return_form_code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("return_school_year", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
        sa.Column("return_due_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("return_overdue_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sender_cluster_no", sa.Integer(), nullable=True),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("published_event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("links_expire_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["corrects_notice_id"],
            ["notices.id"],
        ),
        sa.ForeignKeyConstraint(
            ["return_form_code"],
            ["return_forms.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notices_number"), ["number"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_published_at"), ["published_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_notices_published_event_id"), ["published_event_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notices_return_due_at"), ["return_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_notices_status"), ["status"], unique=False)

    op.create_table(
        "notice_attachments",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("notice_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_attachments_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_attachments_sha256"), ["sha256"], unique=False)

    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("addressee_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("SCHOOL_PRINCIPAL", "PEOPLE_COMMITTEE", "CULTURE_OFFICE", name="addresseekind"),
            nullable=False,
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("principal_staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("expected_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("delivered_channels", sa.JSON(), nullable=False),
        sa.Column("opened_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("acknowledged_via", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reminder_sent_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "addressee_key", name="uq_receipt_once"),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_receipts_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_receipts_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_receipts_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_receipts_principal_staff_code"), ["principal_staff_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_receipts_school_code"), ["school_code"], unique=False)

    op.create_table(
        "return_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("submitted_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_id", "school_code", "idempotency_key", name="uq_return_idempotency"),
        sa.UniqueConstraint("notice_id", "school_code", "version", name="uq_return_version"),
    )
    with op.batch_alter_table("return_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_submissions_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_submissions_school_code"), ["school_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("return_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_submissions_school_code"))
        batch_op.drop_index(batch_op.f("ix_return_submissions_notice_id"))

    op.drop_table("return_submissions")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipts_school_code"))
        batch_op.drop_index(batch_op.f("ix_receipts_principal_staff_code"))
        batch_op.drop_index(batch_op.f("ix_receipts_notice_id"))
        batch_op.drop_index(batch_op.f("ix_receipts_commune_code"))
        batch_op.drop_index(batch_op.f("ix_receipts_cluster_no"))

    op.drop_table("receipts")
    with op.batch_alter_table("notice_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notice_attachments_sha256"))
        batch_op.drop_index(batch_op.f("ix_notice_attachments_notice_id"))

    op.drop_table("notice_attachments")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_status"))
        batch_op.drop_index(batch_op.f("ix_notices_return_due_at"))
        batch_op.drop_index(batch_op.f("ix_notices_published_event_id"))
        batch_op.drop_index(batch_op.f("ix_notices_published_at"))
        batch_op.drop_index(batch_op.f("ix_notices_number"))

    op.drop_table("notices")
    op.drop_table("return_forms")
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_staff_school_code"))
        batch_op.drop_index(batch_op.f("ix_replica_staff_email"))

    op.drop_table("replica_staff")
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_schools_level"))
        batch_op.drop_index(batch_op.f("ix_replica_schools_commune_code"))
        batch_op.drop_index(batch_op.f("ix_replica_schools_cluster_no"))

    op.drop_table("replica_schools")
    with op.batch_alter_table("replica_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_memberships_staff_code"))
        batch_op.drop_index(batch_op.f("ix_replica_memberships_cluster_no"))

    op.drop_table("replica_memberships")
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_communes_cluster_no"))

    op.drop_table("replica_communes")
    op.drop_table("replica_clusters")
    drop_enum_types("addresseekind")
