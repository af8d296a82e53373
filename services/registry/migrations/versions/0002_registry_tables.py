"""The registry's tables: clusters and memberships, old districts, communes and assignments, schools,
core regions and staff.

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
        "clusters",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("office_host_unit", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("leader_staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.PrimaryKeyConstraint("cluster_no"),
    )
    op.create_table(
        "core_regions",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("core_principal_staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_no"],
            ["clusters.cluster_no"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "old_districts",
        sa.Column("gso_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sa.Enum("CITY", "TOWN", "DISTRICT", name="districtkind"), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_no"],
            ["clusters.cluster_no"],
        ),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    op.create_table(
        "communes",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("people_committee_seat", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("people_committee_email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("culture_office_head", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("culture_office_email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("culture_office_phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sa.Enum("COMMUNE", "WARD", name="communekind"), nullable=False),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column("gso_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("old_district_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_no"],
            ["clusters.cluster_no"],
        ),
        sa.ForeignKeyConstraint(
            ["old_district_code"],
            ["old_districts.gso_code"],
        ),
        sa.PrimaryKeyConstraint("gso_code"),
    )
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communes_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_communes_old_district_code"), ["old_district_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_communes_search_name"), ["search_name"], unique=False)

    op.create_table(
        "commune_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_no"],
            ["clusters.cluster_no"],
        ),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.gso_code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commune_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_commune_assignments_commune_code"), ["commune_code"], unique=False
        )

    op.create_table(
        "schools",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("principal_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "level",
            sa.Enum("PRESCHOOL", "PRIMARY", "LOWER_SECONDARY", "INTER_LEVEL", name="schoollevel"),
            nullable=False,
        ),
        sa.Column(
            "ownership", sa.Enum("PUBLIC", "PRIVATE", "PEOPLE_FOUNDED", name="ownership"), nullable=False
        ),
        sa.Column(
            "boarding",
            sa.Enum("NONE", "ETHNIC_BOARDING", "ETHNIC_SEMI_BOARDING", name="boarding"),
            nullable=False,
        ),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sa.Enum("ACTIVE", "MERGED", "CLOSED", name="schoolstatus"), nullable=False),
        sa.Column("merged_into", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("principal_staff_code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("pupils", sa.Integer(), nullable=True),
        sa.Column("classes", sa.Integer(), nullable=True),
        sa.Column("teachers", sa.Integer(), nullable=True),
        sa.Column("locomotive", sa.Boolean(), nullable=False),
        sa.Column("core_region_id", sa.Integer(), nullable=True),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.gso_code"],
        ),
        sa.ForeignKeyConstraint(
            ["core_region_id"],
            ["core_regions.id"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schools_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_schools_core_region_id"), ["core_region_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schools_search_name"), ["search_name"], unique=False)

    op.create_table(
        "staff",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", shared.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("school_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("commune_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("unit_name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("teaching_subject", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_code"],
            ["communes.gso_code"],
        ),
        sa.ForeignKeyConstraint(
            ["school_code"],
            ["schools.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_commune_code"), ["commune_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_school_code"), ["school_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_search_name"), ["search_name"], unique=False)

    op.create_table(
        "cluster_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_no", sa.Integer(), nullable=False),
        sa.Column("staff_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "role", sa.Enum("LEADER", "MEMBER", "UNIT_REPRESENTATIVE", name="membershiprole"), nullable=False
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_no"],
            ["clusters.cluster_no"],
        ),
        sa.ForeignKeyConstraint(
            ["staff_code"],
            ["staff.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cluster_memberships_cluster_no"), ["cluster_no"], unique=False)
        batch_op.create_index(batch_op.f("ix_cluster_memberships_staff_code"), ["staff_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cluster_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_memberships_staff_code"))
        batch_op.drop_index(batch_op.f("ix_cluster_memberships_cluster_no"))

    op.drop_table("cluster_memberships")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_search_name"))
        batch_op.drop_index(batch_op.f("ix_staff_school_code"))
        batch_op.drop_index(batch_op.f("ix_staff_commune_code"))

    op.drop_table("staff")
    with op.batch_alter_table("schools", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schools_search_name"))
        batch_op.drop_index(batch_op.f("ix_schools_core_region_id"))
        batch_op.drop_index(batch_op.f("ix_schools_commune_code"))

    op.drop_table("schools")
    with op.batch_alter_table("commune_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commune_assignments_commune_code"))

    op.drop_table("commune_assignments")
    with op.batch_alter_table("communes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communes_search_name"))
        batch_op.drop_index(batch_op.f("ix_communes_old_district_code"))
        batch_op.drop_index(batch_op.f("ix_communes_cluster_no"))

    op.drop_table("communes")
    op.drop_table("old_districts")
    op.drop_table("core_regions")
    op.drop_table("clusters")
    drop_enum_types(
        "boarding",
        "communekind",
        "districtkind",
        "membershiprole",
        "ownership",
        "schoollevel",
        "schoolstatus",
    )
