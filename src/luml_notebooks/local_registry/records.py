"""Rows of the registry's tables in the API's JSON shapes, and paging."""

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .paging import check_order, decode_cursor, encode_cursor

ORBIT_SELECT = (
    "SELECT o.*, (SELECT count(*) FROM collections c WHERE c.orbit_id = o.id) "
    "AS total_collections FROM orbits o"
)
COLLECTION_SELECT = (
    "SELECT c.*, (SELECT count(*) FROM artifacts a WHERE a.collection_id = c.id) "
    "AS total_artifacts FROM collections c"
)
ARTIFACT_SELECT = (
    "SELECT a.*, c.name AS collection_name, c.orbit_id, o.organization_id, "
    "o.bucket_secret_id FROM artifacts a "
    "JOIN collections c ON c.id = a.collection_id JOIN orbits o ON o.id = c.orbit_id"
)


def to_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def from_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "cursor": self.cursor}


def page(
    conn: sqlite3.Connection,
    select: str,
    alias: str,
    where: list[str],
    params: list[Any],
    cursor: str | None,
    limit: int,
    order: str,
    to_dict: Callable[[sqlite3.Row], dict[str, Any]],
) -> Page:
    order = check_order(order)
    if cursor:
        seq = decode_cursor(cursor, order)
        where = [*where, f"{alias}.seq {'<' if order == 'desc' else '>'} ?"]
        params = [*params, seq]
    rows = conn.execute(
        f"{select} WHERE {' AND '.join(where)} "
        f"ORDER BY {alias}.seq {order.upper()} LIMIT ?",
        (*params, limit + 1),
    ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(rows[-1]["seq"], order) if more else None
    return Page([to_dict(row) for row in rows], next_cursor)


def organization_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "logo": None,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def orbit_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "organization_id": row["organization_id"],
        "bucket_secret_id": row["bucket_secret_id"],
        "total_members": 1,
        "total_collections": row["total_collections"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def collection_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "orbit_id": row["orbit_id"],
        "name": row["name"],
        "description": row["description"],
        "type": row["type"],
        "tags": from_json(row["tags"]),
        "total_artifacts": row["total_artifacts"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def artifact_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "collection_id": row["collection_id"],
        "file_name": row["file_name"],
        "name": row["name"],
        "description": row["description"],
        "extra_values": from_json(row["extra_values"]),
        "manifest": from_json(row["manifest"]),
        "file_hash": row["file_hash"],
        "file_index": from_json(row["file_index"]),
        "bucket_location": row["bucket_location"],
        "size": row["size"],
        "unique_identifier": row["unique_identifier"],
        "tags": from_json(row["tags"]),
        "status": row["status"],
        "type": row["type"],
        "created_by_user": row["created_by_user"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def listed_artifact_dict(row: sqlite3.Row) -> dict[str, Any]:
    return {
        **artifact_dict(row),
        "collection_name": row["collection_name"],
        "deployments": [],
    }
