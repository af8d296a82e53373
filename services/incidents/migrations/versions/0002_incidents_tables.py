"""The incidents service's tables: the catalog, incidents with their deadlines, escalation steps and
timeline, idempotency keys, and the registry replica.

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
        "categories",
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("default_severity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("restricted_by_default", sa.Boolean(), nullable=False),
        sa.Column("report_within", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column(
            "route",
            sa.Enum("CLUSTER", "DEPARTMENT", "DEPARTMENT_DUTY_DESK", name="routekind"),
            nullable=False,
        ),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("REPORTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED", name="incidentstatus"),
            nullable=False,
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=False),
        sa.Column("dead", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("out_of_school", sa.Integer(), nullable=False),
        sa.Column("occurred_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reported_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reporter_subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reporter_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("acknowledge_due_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolve_due_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalation_rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index("ix_incidents_open", ["status", "cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_school_code"), ["school_code"], unique=False)
        batch_op.create_index("ix_incidents_unrouted_school", ["route", "school_code"], unique=False)

    op.create_table(
        "replica_clusters",
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    op.create_table(
        "replica_schools",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_schools_commune_code"), ["commune_code"], unique=False)

    op.create_table(
        "severities",
        sa.Column("name_vi", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("acknowledge_minutes", sa.Integer(), nullable=False),
        sa.Column("resolve_minutes", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("escalation_chain", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "severity_rules",
        sa.Column("category_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column(
            "measure", sa.Enum("INJURED", "DEAD", "MISSING", "OUT_OF_SCHOOL", name="measure"), nullable=False
        ),
        sa.Column("at_least", sa.Integer(), nullable=False),
        sa.Column("raises_to", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "escalation_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("deadline", sa.Enum("ACKNOWLEDGEMENT", "RESOLUTION", name="deadlinekind"), nullable=False),
        sa.Column("deadline_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "CLUSTER_LEADER",
                "DEPARTMENT_OFFICE",
                "DEPARTMENT_LEADERSHIP",
                "PROVINCE",
                name="escalationlevel",
            ),
            nullable=False,
        ),
        sa.Column("notify_role", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("due_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Enum("PENDING", "FIRED", "CANCELLED", name="jobstate"), nullable=False),
        sa.Column("fired_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fired_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("escalation_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_escalation_jobs_due", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_escalation_jobs_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("reporter_subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("reporter_subject", "key"),
    )
    op.create_table(
        "incident_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("author_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_notes_incident_id"), ["incident_id"], unique=False)

    op.create_table(
        "incident_timeline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "REPORTED",
                "ROUTED",
                "REROUTED",
                "STATUS_CHANGED",
                "ESCALATED",
                "NOTE_ADDED",
                name="timelinekind",
            ),
            nullable=False,
        ),
        sa.Column("actor_subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("actor_role", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum("REPORTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED", name="incidentstatus"),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum("REPORTED", "ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED", "CLOSED", name="incidentstatus"),
            nullable=True,
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_timeline_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_timeline_incident_id"))

    op.drop_table("incident_timeline")
    with op.batch_alter_table("incident_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_notes_incident_id"))

    op.drop_table("incident_notes")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("escalation_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_escalation_jobs_incident_id"))
        batch_op.drop_index("ix_escalation_jobs_due")

    op.drop_table("escalation_jobs")
    op.drop_table("severity_rules")
    op.drop_table("severities")
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_schools_commune_code"))

    op.drop_table("replica_schools")
    op.drop_table("replica_communes")
    op.drop_table("replica_clusters")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_unrouted_school")
        batch_op.drop_index(batch_op.f("ix_incidents_school_code"))
        batch_op.drop_index(batch_op.f("ix_incidents_reported_at"))
        batch_op.drop_index("ix_incidents_open")
        batch_op.drop_index(batch_op.f("ix_incidents_commune_code"))
        batch_op.drop_index(batch_op.f("ix_incidents_cluster_no"))
        batch_op.drop_index(batch_op.f("ix_incidents_category"))

    op.drop_table("incidents")
    op.drop_table("categories")
    drop_enum_types(
        "deadlinekind",
        "escalationlevel",
        "incidentstatus",
        "jobstate",
        "measure",
        "routekind",
        "timelinekind",
    )
