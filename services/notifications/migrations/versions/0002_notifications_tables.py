"""The notifications service's tables: rules, templates, preferences, deliveries and attempts, the
inbox, webhook subscriptions, and the registry replica.

Revision ID: 0002
Revises: 0001
Created: 2026-12-01
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
        "deliveries",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("source_event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recipient_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "channel", sa.Enum("EMAIL", "SMS", "WEBHOOK", "IN_APP", name="deliverychannel"), nullable=False
        ),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sa.Enum("VI", "EN", name="language"), nullable=False),
        sa.Column("priority", sa.Enum("CRITICAL", "NORMAL", "LOW", name="priority"), nullable=False),
        sa.Column(
            "state",
            sa.Enum("PENDING", "RETRYING", "DELIVERED", "FAILED", name="deliverystate"),
            nullable=False,
        ),
        sa.Column("hold_reason", sa.Enum("QUIET_HOURS", "DIGEST", name="holdreason"), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("leased_until", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("used_fallback_text", sa.Boolean(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_event_id", "recipient_key", "channel", name="uq_delivery_once"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_recipient_key"), ["recipient_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_source_event_id"), ["source_event_id"], unique=False)

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempts_delivery_id"), ["delivery_id"], unique=False)

    op.create_table(
        "inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("recipient_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("source_event_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id"),
    )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_items_recipient_key"), ["recipient_key"], unique=False)

    op.create_table(
        "preferences",
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("language", sa.Enum("VI", "EN", name="language"), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("daily_digest", sa.Boolean(), nullable=False),
        sa.Column("digest_at", sa.Time(), nullable=False),
        sa.Column("recipient_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.PrimaryKeyConstraint("recipient_key"),
    )
    op.create_table(
        "replica_clusters",
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("office_host_unit", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("leader_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("cluster_no"),
    )
    op.create_table(
        "replica_communes",
        sa.Column("gso_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("people_committee_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("culture_office_head", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("culture_office_email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("culture_office_phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_communes_cluster_no"), ["cluster_no"], unique=False)

    op.create_table(
        "replica_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("replica_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_memberships_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_memberships_staff_code"), ["staff_code"], unique=False)

    op.create_table(
        "replica_schools",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("principal_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("principal_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_schools_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_schools_commune_code"), ["commune_code"], unique=False)

    op.create_table(
        "replica_staff",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_staff_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_replica_staff_school_code"), ["school_code"], unique=False)

    op.create_table(
        "rules",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("min_severity", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("restricted", sa.Boolean(), nullable=True),
        sa.Column("cluster_nos", sa.JSON(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Enum("CRITICAL", "NORMAL", "LOW", name="priority"), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_table(
        "source_events",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("occurred_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("priority", sa.Enum("CRITICAL", "NORMAL", "LOW", name="priority"), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("source_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_events_event_type"), ["event_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_events_subject"), ["subject"], unique=False)

    op.create_table(
        "templates",
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "channel", sa.Enum("EMAIL", "SMS", "WEBHOOK", "IN_APP", name="deliverychannel"), nullable=False
        ),
        sa.Column("language", sa.Enum("VI", "EN", name="language"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_type", "channel", "language"),
    )
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_templates_event_type"), ["event_type"], unique=False)

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_nos", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_subscriptions_owner"), ["owner"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_subscriptions_owner"))

    op.drop_table("webhook_subscriptions")
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_templates_event_type"))

    op.drop_table("templates")
    with op.batch_alter_table("source_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_events_subject"))
        batch_op.drop_index(batch_op.f("ix_source_events_event_type"))

    op.drop_table("source_events")
    op.drop_table("rules")
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_staff_school_code"))
        batch_op.drop_index(batch_op.f("ix_replica_staff_email"))

    op.drop_table("replica_staff")
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
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
    op.drop_table("preferences")
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_items_recipient_key"))

    op.drop_table("inbox_items")
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempts_delivery_id"))

    op.drop_table("delivery_attempts")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_source_event_id"))
        batch_op.drop_index(batch_op.f("ix_deliveries_recipient_key"))
        batch_op.drop_index("ix_deliveries_due")

    op.drop_table("deliveries")
    drop_enum_types("deliverychannel", "deliverystate", "holdreason", "language", "priority")
