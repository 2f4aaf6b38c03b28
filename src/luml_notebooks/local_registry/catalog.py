"""The catalog: organizations, their orbits and the orbits' collections.

Owns those tables' writes and the scope checks every artifact call starts
with: a caller reaches an orbit only through its own organization, and a
collection only through its orbit.
"""

import sqlite3
from typing import Any

from .db import Database
from .errors import NotFound
from .ids import new_id, now
from .paging import check_sort_by
from .principal import Principal
from .records import (
    COLLECTION_ARTIFACTS_SELECT,
    COLLECTION_SELECT,
    ORBIT_SELECT,
    Page,
    collection_detail_dict,
    collection_dict,
    orbit_dict,
    organization_dict,
    page,
    to_json,
)
from .schemas import CollectionIn

#: the organization an empty registry starts with
DEFAULT_ORGANIZATION_NAME = "Local Organization"


class Catalog:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- organizations ----------------------------------------------------------

    def create_organization(self, name: str) -> str:
        """A new organization with a default orbit and model collection."""
        with self.db.transaction() as conn:
            return self.create_defaults(conn, name)

    def list_organizations(self, p: Principal) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM organizations WHERE id = ?", (p.organization_id,)
            ).fetchall()
        return [organization_dict(row) for row in rows]

    @staticmethod
    def has_organizations(conn: sqlite3.Connection) -> bool:
        return conn.execute("SELECT 1 FROM organizations").fetchone() is not None

    @staticmethod
    def organization_exists(conn: sqlite3.Connection, org_id: str) -> bool:
        row = conn.execute("SELECT 1 FROM organizations WHERE id = ?", (org_id,))
        return row.fetchone() is not None

    def first_organization(self, conn: sqlite3.Connection) -> str:
        """The oldest organization's id; on an empty registry, a new one's."""
        row = conn.execute(
            "SELECT id FROM organizations ORDER BY seq LIMIT 1"
        ).fetchone()
        return row["id"] if row else self.create_defaults(conn)

    def create_defaults(
        self, conn: sqlite3.Connection, name: str = DEFAULT_ORGANIZATION_NAME
    ) -> str:
        """An organization, its orbit and a model collection to push into."""
        org_id = new_id()
        conn.execute(
            "INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)",
            (org_id, name, now()),
        )
        orbit_id = _insert_orbit(conn, org_id, "Default Orbit")
        _insert_collection(
            conn,
            orbit_id,
            CollectionIn(
                name="Models",
                type="model",
                description="Models pushed from LUML Notebooks",
            ),
        )
        return org_id

    # -- orbits -------------------------------------------------------------------

    def list_orbits(self, p: Principal, org_id: str) -> list[dict[str, Any]]:
        check_organization(p, org_id)
        with self.db.reading() as conn:
            rows = conn.execute(
                f"{ORBIT_SELECT} WHERE o.organization_id = ? ORDER BY o.seq", (org_id,)
            ).fetchall()
        return [orbit_dict(row) for row in rows]

    def get_orbit(self, p: Principal, org_id: str, orbit_id: str) -> dict[str, Any]:
        with self.db.reading() as conn:
            return orbit_dict(self.orbit_row(conn, p, org_id, orbit_id))

    @staticmethod
    def orbit_row(
        conn: sqlite3.Connection, p: Principal, org_id: str, orbit_id: str
    ) -> sqlite3.Row:
        check_organization(p, org_id)
        row = conn.execute(
            f"{ORBIT_SELECT} WHERE o.id = ? AND o.organization_id = ?",
            (orbit_id, org_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Orbit {orbit_id} not found in organization {org_id}.")
        return row

    # -- collections --------------------------------------------------------------

    def list_collections(
        self,
        p: Principal,
        org_id: str,
        orbit_id: str,
        *,
        cursor: str | None = None,
        limit: int = 100,
        order: str = "desc",
        sort_by: str | None = None,
        search: str | None = None,
        types: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> Page:
        check_sort_by(sort_by)
        where, params = ["c.orbit_id = ?"], [orbit_id]
        if search:
            where.append("instr(lower(c.name), lower(?)) > 0")
            params.append(search)
        if types:
            where.append(f"c.type IN ({', '.join('?' * len(types))})")
            params.extend(types)
        for tag in tags or ():
            where.append("EXISTS (SELECT 1 FROM json_each(c.tags) WHERE value = ?)")
            params.append(tag)
        with self.db.reading() as conn:
            self.orbit_row(conn, p, org_id, orbit_id)
            return page(
                conn, COLLECTION_SELECT, "c", where, params, cursor, limit, order,
                collection_dict,
            )  # fmt: skip

    def get_collection(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str
    ) -> dict[str, Any]:
        with self.db.reading() as conn:
            row = self.collection_row(conn, p, org_id, orbit_id, coll_id)
            artifacts = conn.execute(COLLECTION_ARTIFACTS_SELECT, (coll_id,))
            return collection_detail_dict(row, artifacts)

    def create_collection(
        self, p: Principal, org_id: str, orbit_id: str, data: CollectionIn
    ) -> dict[str, Any]:
        with self.db.transaction() as conn:
            self.orbit_row(conn, p, org_id, orbit_id)
            coll_id = _insert_collection(conn, orbit_id, data)
            row = conn.execute(
                f"{COLLECTION_SELECT} WHERE c.id = ?", (coll_id,)
            ).fetchone()
            return collection_dict(row)

    @classmethod
    def collection_row(
        cls,
        conn: sqlite3.Connection,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
    ) -> sqlite3.Row:
        cls.orbit_row(conn, p, org_id, orbit_id)
        row = conn.execute(
            f"{COLLECTION_SELECT} WHERE c.id = ? AND c.orbit_id = ?",
            (coll_id, orbit_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Collection {coll_id} not found in orbit {orbit_id}.")
        return row

    @staticmethod
    def check_collections_in_orbit(
        conn: sqlite3.Connection, orbit_id: str, collection_ids: list[str]
    ) -> None:
        known = {
            row["id"]
            for row in conn.execute(
                "SELECT id FROM collections WHERE orbit_id = ?", (orbit_id,)
            )
        }
        missing = [cid for cid in collection_ids if cid not in known]
        if missing:
            raise NotFound(
                f"Collections not found in orbit {orbit_id}: " + ", ".join(missing)
            )


def check_organization(p: Principal, org_id: str) -> None:
    if org_id != p.organization_id:
        raise NotFound(
            f"Organization {org_id} not found: this API key belongs to "
            f"organization {p.organization_id}."
        )


def _insert_orbit(conn: sqlite3.Connection, org_id: str, name: str) -> str:
    orbit_id = new_id()
    conn.execute(
        "INSERT INTO orbits (id, organization_id, name, bucket_secret_id, "
        "created_at) VALUES (?, ?, ?, ?, ?)",
        (orbit_id, org_id, name, new_id(), now()),
    )
    return orbit_id


def _insert_collection(
    conn: sqlite3.Connection, orbit_id: str, data: CollectionIn
) -> str:
    coll_id = new_id()
    conn.execute(
        "INSERT INTO collections (id, orbit_id, name, description, type, tags, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            coll_id,
            orbit_id,
            data.name,
            data.description,
            data.type,
            to_json(data.tags),
            now(),
        ),
    )
    return coll_id
