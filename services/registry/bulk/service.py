"""Bulk import and export use cases: every row checked first, then all applied in one transaction or none."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from services.registry.bulk.importers import Importer
from services.registry.bulk.models import FileFormat, ImportReport, RowErrorPublic
from services.registry.domain.rows import UnreadableFile, check_rows, read_csv, read_json, write_csv
from services.registry.domain.versioning import apply_changes
from shared.db import UnitOfWork
from shared.errors import Unprocessable

KEY = "code"
"""Schools and staff are both identified by their code: a row with a known code updates that entity."""


async def import_rows(
    *, uow: UnitOfWork, importer: Importer, data: bytes, fmt: FileFormat, dry_run: bool
) -> ImportReport:
    """Check every row; apply them all (creating or updating by code) only if none is wrong."""
    try:
        raw = read_csv(data, columns=importer.columns) if fmt is FileFormat.CSV else read_json(data)
    except UnreadableFile as exc:
        raise Unprocessable(str(exc), field="file") from exc
    return await apply_rows(uow=uow, importer=importer, raw=raw, dry_run=dry_run)


async def apply_rows(
    *, uow: UnitOfWork, importer: Importer, raw: list[tuple[int, dict[str, Any]]], dry_run: bool
) -> ImportReport:
    """The part of an import after reading the file; generated sample data enters the same way."""
    checked = check_rows(raw, importer.row_model, key=KEY)
    await importer.preload(uow, checked.valid)
    errors = list(checked.errors)
    for line, row in checked.valid:
        errors.extend(importer.problems(line, row))
    report = ImportReport(entity=importer.entity, dry_run=dry_run, applied=False, rows=len(raw))
    if errors:
        report.errors = [
            RowErrorPublic(**vars(error)) for error in sorted(errors, key=lambda error: error.line)
        ]
        return report
    now = datetime.now(UTC)
    for _, row in checked.valid:
        current = importer.existing(str(getattr(row, KEY)))
        if current is None:
            report.created += 1
            if not dry_run:
                entity = importer.new_entity(row)
                uow.session.add(entity)
                await importer.record(uow, entity)
        elif _would_change(current, importer.changes(row)):
            report.updated += 1
            if not dry_run:
                apply_changes(current, importer.changes(row), now)
                await importer.record(uow, current)
        else:
            report.unchanged += 1
    if not dry_run:
        await uow.session.flush()
        await uow.commit()
        report.applied = True
    return report


def export_rows(records: list[dict[str, Any]], *, columns: list[str], fmt: FileFormat) -> str:
    """The columns an import reads, so an exported file can be edited and imported back."""
    if fmt is FileFormat.CSV:
        return write_csv(records, columns=columns)
    return json.dumps(
        [{name: record.get(name) for name in columns} for record in records], ensure_ascii=False, default=str
    )


def _would_change(entity: Any, changes: dict[str, Any]) -> bool:
    return any(getattr(entity, name) != value for name, value in changes.items())
