"""The activities service's tables: divisions, activities, registrations, results, delegations, the
support program, proposals, and the registry replica.

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
        "divisions",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "personnel_proposals",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("proposed_role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("justification", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reasons", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("proposed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("personnel_proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personnel_proposals_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_personnel_proposals_status"), ["status"], unique=False)

    op.create_table(
        "replica_clusters",
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("leader_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cluster_no"),
    )
    op.create_table(
        "replica_communes",
        sa.Column("gso_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_communes_cluster_no"), ["cluster_no"], unique=False)

    op.create_table(
        "replica_schools",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("principal_staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_schools_cluster_no"), ["cluster_no"], unique=False)

    op.create_table(
        "replica_staff",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("teaching_subject", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replica_staff_school_code"), ["school_code"], unique=False)

    op.create_table(
        "support_awards",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("school_year", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("recipient_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_awards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_awards_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_awards_school_year"), ["school_year"], unique=False)

    op.create_table(
        "support_pairings",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("helper_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helper_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helper_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helper_cluster_no", sa.Integer(), nullable=True),
        sa.Column("helped_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helped_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helped_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("helped_cluster_no", sa.Integer(), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_pairings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_pairings_helped_cluster_no"), ["helped_cluster_no"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_pairings_helped_code"), ["helped_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_support_pairings_helper_cluster_no"), ["helper_cluster_no"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_support_pairings_helper_code"), ["helper_code"], unique=False)

    op.create_table(
        "activities",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("division_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("whole_province", sa.Boolean(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("starts_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("venue_school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("venue_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("waitlist_enabled", sa.Boolean(), nullable=False),
        sa.Column("registration_opens_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("registration_closes_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("seats_taken", sa.Integer(), nullable=False),
        sa.Column("registration_seq", sa.Integer(), nullable=False),
        sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["division_code"],
            ["divisions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activities_venue_school_code"), ["venue_school_code"], unique=False
        )

    op.create_table(
        "support_contributions",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("pairing_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("value_vnd", sa.BigInteger(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contributed_on", sa.Date(), nullable=False),
        sa.Column("school_year", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recorded_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pairing_id"],
            ["support_pairings.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("support_contributions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_contributions_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_contributions_pairing_id"), ["pairing_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_support_contributions_school_year"), ["school_year"], unique=False
        )

    op.create_table(
        "activity_clusters",
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
        ),
        sa.PrimaryKeyConstraint("activity_id", "cluster_no"),
    )
    with op.batch_alter_table("activity_clusters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_clusters_cluster_no"), ["cluster_no"], unique=False)

    op.create_table(
        "delegations",
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("report_filed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("report_filed_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
        ),
        sa.PrimaryKeyConstraint("activity_id"),
    )
    op.create_table(
        "registrations",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("participant_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("participant_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("queue_no", sa.Integer(), nullable=False),
        sa.Column("registered_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "participant_key", name="uq_registration_person"),
    )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registrations_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(
            "ix_registrations_activity_status_queue", ["activity_id", "status", "queue_no"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registrations_participant_key"), ["participant_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_registrations_school_code"), ["school_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_registrations_status"), ["status"], unique=False)

    op.create_table(
        "result_sheets",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_version", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decision_number", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("published_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "version", name="uq_result_version"),
    )
    with op.batch_alter_table("result_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_sheets_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "delegation_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["delegations.activity_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delegation_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_members_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "delegation_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("addressee_school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("addressee_commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("follow_up_due", sa.Date(), nullable=True),
        sa.Column("done_at", shared.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["delegations.activity_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delegation_recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_recommendations_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delegation_recommendations_follow_up_due"), ["follow_up_due"], unique=False
        )

    op.create_table(
        "delegation_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["delegations.activity_id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delegation_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delegation_visits_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "result_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("registration_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("award", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["result_sheets.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("result_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_entries_sheet_id"), ["sheet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("result_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_entries_sheet_id"))

    op.drop_table("result_entries")
    with op.batch_alter_table("delegation_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_visits_activity_id"))

    op.drop_table("delegation_visits")
    with op.batch_alter_table("delegation_recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_recommendations_follow_up_due"))
        batch_op.drop_index(batch_op.f("ix_delegation_recommendations_activity_id"))

    op.drop_table("delegation_recommendations")
    with op.batch_alter_table("delegation_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_members_activity_id"))

    op.drop_table("delegation_members")
    with op.batch_alter_table("result_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_sheets_activity_id"))

    op.drop_table("result_sheets")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registrations_status"))
        batch_op.drop_index(batch_op.f("ix_registrations_school_code"))
        batch_op.drop_index(batch_op.f("ix_registrations_participant_key"))
        batch_op.drop_index("ix_registrations_activity_status_queue")
        batch_op.drop_index(batch_op.f("ix_registrations_activity_id"))

    op.drop_table("registrations")
    op.drop_table("delegations")
    with op.batch_alter_table("activity_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_clusters_cluster_no"))

    op.drop_table("activity_clusters")
    with op.batch_alter_table("support_contributions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_contributions_school_year"))
        batch_op.drop_index(batch_op.f("ix_support_contributions_pairing_id"))
        batch_op.drop_index(batch_op.f("ix_support_contributions_kind"))

    op.drop_table("support_contributions")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_venue_school_code"))
        batch_op.drop_index(batch_op.f("ix_activities_status"))
        batch_op.drop_index(batch_op.f("ix_activities_starts_at"))
        batch_op.drop_index(batch_op.f("ix_activities_kind"))
        batch_op.drop_index(batch_op.f("ix_activities_ends_at"))

    op.drop_table("activities")
    with op.batch_alter_table("support_pairings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_pairings_helper_code"))
        batch_op.drop_index(batch_op.f("ix_support_pairings_helper_cluster_no"))
        batch_op.drop_index(batch_op.f("ix_support_pairings_helped_code"))
        batch_op.drop_index(batch_op.f("ix_support_pairings_helped_cluster_no"))

    op.drop_table("support_pairings")
    with op.batch_alter_table("support_awards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_awards_school_year"))
        batch_op.drop_index(batch_op.f("ix_support_awards_cluster_no"))

    op.drop_table("support_awards")
    with op.batch_alter_table("replica_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_staff_school_code"))

    op.drop_table("replica_staff")
    with op.batch_alter_table("replica_schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_schools_cluster_no"))

    op.drop_table("replica_schools")
    with op.batch_alter_table("replica_communes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replica_communes_cluster_no"))

    op.drop_table("replica_communes")
    op.drop_table("replica_clusters")
    with op.batch_alter_table("personnel_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personnel_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_personnel_proposals_cluster_no"))

    op.drop_table("personnel_proposals")
    op.drop_table("divisions")
    drop_enum_types()
