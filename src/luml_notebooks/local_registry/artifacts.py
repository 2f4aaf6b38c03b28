"""Artifacts: the records of the files pushed into collections.

Owns the ``artifacts`` table and its rules: an artifact's type, its status
transitions, when its file may be (re)uploaded, and its deletion, which
takes its file and its multipart uploads with it. API calls reach an
artifact through the catalog's scope checks; the storage URLs reach it by
its unique identifier, their signature standing in for an API key.
"""

import sqlite3
import uuid
from typing import Any

from .blobs import BlobStore
from .catalog import Catalog
from .db import Database
from .errors import Conflict, NotFound, RegistryError
from .filenames import storage_location
from .ids import new_id, now
from .multipart import MultipartUploads
from .paging import check_sort_by
from .principal import Principal
from .records import (
    ARTIFACT_SELECT,
    Page,
    artifact_detail_dict,
    artifact_dict,
    listed_artifact_dict,
    page,
    to_json,
)
from .schemas import ArtifactIn, ArtifactUpdateIn, resolve_artifact_type

# The platform's transitions, plus a retry path: after a failed upload the
# same artifact may be PUT again and then marked uploaded.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_upload": frozenset({"uploaded", "upload_failed"}),
    "upload_failed": frozenset({"uploaded", "upload_failed"}),
    "pending_deletion": frozenset({"deletion_failed"}),
}
UPLOADABLE_STATUSES = frozenset({"pending_upload", "upload_failed"})


class Artifacts:
    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        catalog: Catalog,
        multipart: MultipartUploads,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.catalog = catalog
        self.multipart = multipart

    # -- through the API, scoped to the caller ----------------------------------

    def create(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, data: ArtifactIn
    ) -> sqlite3.Row:
        """Record a pending artifact; the row also carries its bucket details."""
        with self.db.transaction() as conn:
            coll = self.catalog.collection_row(conn, p, org_id, orbit_id, coll_id)
            artifact_type = resolve_artifact_type(data, coll["type"])
            uid = uuid.uuid4().hex
            artifact_id = new_id()
            conn.execute(
                "INSERT INTO artifacts (id, collection_id, file_name, name, "
                "description, extra_values, manifest, file_hash, file_index, "
                "bucket_location, size, unique_identifier, tags, status, type, "
                "created_by_user, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    artifact_id,
                    coll_id,
                    data.file_name,
                    data.name or data.file_name,
                    data.description,
                    to_json(data.extra_values),
                    to_json(data.manifest),
                    data.file_hash,
                    to_json({k: list(v) for k, v in data.file_index.items()}),
                    storage_location(orbit_id, coll_id, uid, data.file_name),
                    data.size,
                    uid,
                    to_json(data.tags),
                    "pending_upload",
                    artifact_type,
                    p.user_name,
                    now(),
                ),
            )
            return _by_id(conn, artifact_id)

    def get(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> dict[str, Any]:
        with self.db.reading() as conn:
            row = self._scoped_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            coll = self.catalog.collection_row(conn, p, org_id, orbit_id, coll_id)
        return artifact_detail_dict(row, coll)

    def row(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> sqlite3.Row:
        with self.db.reading() as conn:
            return self._scoped_row(conn, p, org_id, orbit_id, coll_id, artifact_id)

    def list_in_orbit(
        self,
        p: Principal,
        org_id: str,
        orbit_id: str,
        *,
        collection_ids: list[str] | None = None,
        cursor: str | None = None,
        limit: int = 50,
        order: str = "desc",
        sort_by: str | None = None,
        types: list[str] | None = None,
        search: str | None = None,
    ) -> Page:
        """The orbit's artifacts, or those of ``collection_ids`` in it."""
        check_sort_by(sort_by)
        where, params = ["c.orbit_id = ?"], [orbit_id]
        with self.db.reading() as conn:
            self.catalog.orbit_row(conn, p, org_id, orbit_id)
            if collection_ids:
                self.catalog.check_collections_in_orbit(conn, orbit_id, collection_ids)
                where.append(
                    f"a.collection_id IN ({', '.join('?' * len(collection_ids))})"
                )
                params.extend(collection_ids)
            if types:
                where.append(f"a.type IN ({', '.join('?' * len(types))})")
                params.extend(types)
            if search:
                where.append("instr(lower(a.name), lower(?)) > 0")
                params.append(search)
            return page(
                conn, ARTIFACT_SELECT, "a", where, params, cursor, limit, order,
                listed_artifact_dict,
            )  # fmt: skip

    def update(
        self,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
        artifact_id: str,
        data: ArtifactUpdateIn,
    ) -> dict[str, Any]:
        with self.db.transaction() as conn:
            row = self._scoped_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            changes: dict[str, Any] = {}
            if data.status is not None:
                current = row["status"]
                if data.status not in STATUS_TRANSITIONS.get(current, frozenset()):
                    raise RegistryError(
                        f"Invalid status transition from {current} to {data.status}."
                        + _transition_hint(current)
                    )
                if data.status == "uploaded" and not row["blob_stored"]:
                    raise Conflict(
                        "Cannot mark the artifact uploaded: no verified file has been "
                        "received for it. PUT the file's bytes to upload_details.url "
                        "(or complete the multipart upload) first."
                    )
                changes["status"] = data.status
            for field in ("name", "description"):
                if getattr(data, field) is not None:
                    changes[field] = getattr(data, field)
            if data.tags is not None:
                changes["tags"] = to_json(data.tags)
            if changes:
                changes["updated_at"] = now()
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE artifacts SET {assignments} WHERE id = ?",
                    (*changes.values(), artifact_id),
                )
            return artifact_dict(_by_id(conn, artifact_id))

    def request_deletion(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> sqlite3.Row:
        with self.db.transaction() as conn:
            row = self._scoped_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            conn.execute(
                "UPDATE artifacts SET status = 'pending_deletion', updated_at = ? "
                "WHERE id = ?",
                (now(), artifact_id),
            )
            return row

    def confirm_deletion(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> None:
        with self.db.transaction() as conn:
            row = self._scoped_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            if row["status"] != "pending_deletion":
                raise RegistryError(
                    f"Unable to confirm deletion with status '{row['status']}': "
                    "request the delete URL first."
                )
            uploads = self.multipart.ids_for_artifact(conn, artifact_id)
            # its uploads' rows and parts' rows go with it (ON DELETE CASCADE)
            conn.execute("DELETE FROM artifacts WHERE id = ?", (artifact_id,))
        self.blobs.delete(row["unique_identifier"])
        self.blobs.discard_temp_files(row["unique_identifier"])
        self.multipart.discard_files(uploads)

    def _scoped_row(
        self,
        conn: sqlite3.Connection,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
        artifact_id: str,
    ) -> sqlite3.Row:
        self.catalog.collection_row(conn, p, org_id, orbit_id, coll_id)
        row = conn.execute(
            f"{ARTIFACT_SELECT} WHERE a.id = ? AND a.collection_id = ?",
            (artifact_id, coll_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Artifact {artifact_id} not found in collection {coll_id}.")
        return row

    # -- through the storage URLs and the bucket calls ----------------------------

    def by_uid(self, uid: str) -> sqlite3.Row:
        with self.db.reading() as conn:
            row = conn.execute(
                f"{ARTIFACT_SELECT} WHERE a.unique_identifier = ?", (uid,)
            ).fetchone()
        if row is None:
            raise NotFound("No artifact exists for this storage URL.")
        return row

    def by_location(
        self, p: Principal, bucket_id: str, bucket_location: str
    ) -> sqlite3.Row:
        with self.db.reading() as conn:
            row = conn.execute(
                f"{ARTIFACT_SELECT} "
                "WHERE a.bucket_location = ? AND o.organization_id = ? "
                "AND o.bucket_secret_id = ?",
                (bucket_location, p.organization_id, bucket_id),
            ).fetchone()
        if row is None:
            raise NotFound(
                f"No artifact at {bucket_location!r} in bucket {bucket_id}: pass the "
                "bucket_location and bucket_secret_id from upload_details."
            )
        return row

    @staticmethod
    def check_uploadable(row: sqlite3.Row) -> None:
        if row["status"] not in UPLOADABLE_STATUSES:
            raise Conflict(
                f"The artifact is {row['status']}; its file cannot be replaced. "
                "Create a new artifact to upload another file."
            )

    def mark_blob_stored(self, uid: str, stored: bool = True) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE artifacts SET blob_stored = ?, updated_at = ? "
                "WHERE unique_identifier = ?",
                (int(stored), now(), uid),
            )


def _by_id(conn: sqlite3.Connection, artifact_id: str) -> sqlite3.Row:
    return conn.execute(f"{ARTIFACT_SELECT} WHERE a.id = ?", (artifact_id,)).fetchone()


def _transition_hint(current: str) -> str:
    allowed = STATUS_TRANSITIONS.get(current)
    if not allowed:
        return f" An artifact that is {current} cannot change status."
    return f" From {current} it can only become: {', '.join(sorted(allowed))}."
