"""The registry's records: organizations, orbits, collections, artifacts, keys.

Every read and write that a caller makes goes through a ``Principal`` (the
API key's user and organization), so one organization's key never sees
another's data. Bytes live in ``BlobStore``; this class only records them.
"""

import hashlib
import logging
import os
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .blobs import BlobStore
from .datadir import DATABASE_FILE
from .db import Database
from .errors import Conflict, NotFound, RegistryError, Unauthorized
from .filenames import storage_location
from .paging import check_sort_by
from .private import make_private, make_private_dir
from .records import (
    ARTIFACT_SELECT,
    COLLECTION_SELECT,
    ORBIT_SELECT,
    Page,
    artifact_dict,
    collection_dict,
    from_json,
    listed_artifact_dict,
    orbit_dict,
    organization_dict,
    page,
    to_json,
)
from .schemas import (
    ArtifactIn,
    ArtifactUpdateIn,
    CollectionIn,
    resolve_artifact_type,
)

logger = logging.getLogger(__name__)

API_KEY_PREFIX = "dfs_"
#: characters of a key kept in the clear so people can tell keys apart
#: (6 random characters of 43: nothing useful to a guesser)
SHOWN_KEY_CHARS = len(API_KEY_PREFIX) + 6
BOOTSTRAP_KEY_NAME = "first key"
LOCAL_USER_EMAIL = "local@luml-notebooks"

# The platform's transitions, plus a retry path: after a failed upload the
# same artifact may be PUT again and then marked uploaded.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_upload": frozenset({"uploaded", "upload_failed"}),
    "upload_failed": frozenset({"uploaded", "upload_failed"}),
    "pending_deletion": frozenset({"deletion_failed"}),
}
UPLOADABLE_STATUSES = frozenset({"pending_upload", "upload_failed"})
#: a multipart upload with no part written for this long is abandoned
ABANDONED_AFTER = 24 * 3600


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random tokens, so a fast unsalted hash is enough.
    return hashlib.sha256(key.encode()).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _timestamp(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _new_id() -> str:
    return str(uuid.uuid4())


def _process_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # signal 0 means CTRL_C_EVENT there; a stop revokes the key
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process, alive
    return True


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown about a key: never the key itself."""

    id: str
    prefix: str | None
    name: str
    organization_id: str
    session_owner: int | None
    created_at: str

    @property
    def session(self) -> bool:
        """Made for one ``luml-notebooks run``; gone when that run ends."""
        return self.session_owner is not None


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key of one user in one organization."""

    key_id: str
    user_id: str
    organization_id: str


class RegistryStore:
    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir).expanduser()
        make_private_dir(self.data_dir)
        _make_existing_data_private(self.data_dir)
        self.db = Database(self.data_dir / DATABASE_FILE)
        self.blobs = BlobStore(self.data_dir / "blobs")

    # -- setup and keys -------------------------------------------------------

    def signing_key(self) -> bytes:
        """The secret behind presigned URLs; kept so URLs survive restarts."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT value FROM settings WHERE key = 'url_signing_key'"
            ).fetchone()
            if row:
                return bytes.fromhex(row["value"])
            key = secrets.token_bytes(32)
            conn.execute(
                "INSERT INTO settings (key, value) VALUES ('url_signing_key', ?)",
                (key.hex(),),
            )
            return key

    def ensure_bootstrap(self) -> str | None:
        """On an empty registry create an organization, an orbit, a model
        collection and an API key; return the key. Later calls return None."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM organizations").fetchone():
                return None
            org_id = self._create_defaults(conn, "Local Organization")
            return self._insert_api_key(
                conn, self._local_user(conn), org_id, BOOTSTRAP_KEY_NAME
            )

    def create_organization(self, name: str) -> str:
        """A new organization with a default orbit and model collection."""
        with self.db.transaction() as conn:
            return self._create_defaults(conn, name)

    def create_api_key(
        self,
        org_id: str | None = None,
        *,
        name: str = "",
        session_owner: int | None = None,
    ) -> str:
        """A new key for the local user in ``org_id`` (default: the first one).

        With ``session_owner`` (a process id) it is a session key: valid only
        while that process runs, and deleted once it is found gone."""
        with self.db.transaction() as conn:
            if org_id is None:
                row = conn.execute(
                    "SELECT id FROM organizations ORDER BY seq LIMIT 1"
                ).fetchone()
                org_id = (
                    row["id"]
                    if row
                    else self._create_defaults(conn, "Local Organization")
                )
            elif not conn.execute(
                "SELECT 1 FROM organizations WHERE id = ?", (org_id,)
            ).fetchone():
                raise NotFound(f"Organization {org_id} does not exist.")
            return self._insert_api_key(
                conn, self._local_user(conn), org_id, name, session_owner
            )

    def list_api_keys(self) -> list[ApiKeyInfo]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT id, key_prefix, name, organization_id, session_owner, "
                "created_at FROM api_keys ORDER BY created_at, rowid"
            ).fetchall()
        return [ApiKeyInfo(*row) for row in rows]

    def revoke_api_key_by_id(self, key_id: str) -> bool:
        """Delete the key with this id; True if it existed."""
        with self.db.transaction() as conn:
            cursor = conn.execute("DELETE FROM api_keys WHERE id = ?", (key_id,))
            return cursor.rowcount > 0

    def purge_ended_sessions(self) -> int:
        """Delete the session keys whose run is gone (killed, crashed, or
        stopped by a signal that allowed no cleanup); how many there were."""
        with self.db.transaction() as conn:
            ended = [
                (row["id"],)
                for row in conn.execute(
                    "SELECT id, session_owner FROM api_keys "
                    "WHERE session_owner IS NOT NULL"
                )
                if not _process_alive(row["session_owner"])
            ]
            conn.executemany("DELETE FROM api_keys WHERE id = ?", ended)
        return len(ended)

    def revoke_api_key(self, key: str) -> bool:
        """Delete ``key``; True if it existed."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM api_keys WHERE key_hash = ?", (hash_api_key(key),)
            )
            return cursor.rowcount > 0

    def authenticate(self, key: str) -> Principal:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT id, user_id, organization_id, session_owner FROM api_keys "
                "WHERE key_hash = ?",
                (hash_api_key(key),),
            ).fetchone()
        if row is not None and row["session_owner"] is not None:
            if not _process_alive(row["session_owner"]):
                self.purge_ended_sessions()
                raise Unauthorized(
                    "This API key belonged to a 'luml-notebooks run' that has "
                    "ended: reload the page of the running site, or use a lasting "
                    "key from 'registry create-key'."
                )
        if row is None:
            raise Unauthorized(
                "Invalid API key: this registry does not know it. Use the key printed "
                "when the registry first started, or create one with "
                "'registry create-key'."
            )
        return Principal(row["id"], row["user_id"], row["organization_id"])

    def _local_user(self, conn: sqlite3.Connection) -> str:
        row = conn.execute(
            "SELECT id FROM users WHERE email = ?", (LOCAL_USER_EMAIL,)
        ).fetchone()
        if row:
            return row["id"]
        user_id = _new_id()
        conn.execute(
            "INSERT INTO users (id, email, full_name, created_at) VALUES (?, ?, ?, ?)",
            (user_id, LOCAL_USER_EMAIL, "Local User", _now()),
        )
        return user_id

    def _insert_api_key(
        self,
        conn: sqlite3.Connection,
        user: str,
        org: str,
        name: str,
        session_owner: int | None = None,
    ) -> str:
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        conn.execute(
            "INSERT INTO api_keys (id, key_hash, user_id, organization_id, "
            "created_at, name, key_prefix, session_owner) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _new_id(),
                hash_api_key(key),
                user,
                org,
                _now(),
                name,
                key[:SHOWN_KEY_CHARS],
                session_owner,
            ),
        )
        return key

    def _create_defaults(self, conn: sqlite3.Connection, name: str) -> str:
        org_id = _new_id()
        conn.execute(
            "INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)",
            (org_id, name, _now()),
        )
        orbit_id = self._insert_orbit(conn, org_id, "Default Orbit")
        self._insert_collection(
            conn,
            orbit_id,
            CollectionIn(
                name="Models",
                type="model",
                description="Models pushed from LUML Notebooks",
            ),
        )
        return org_id

    def _insert_orbit(self, conn: sqlite3.Connection, org_id: str, name: str) -> str:
        orbit_id = _new_id()
        conn.execute(
            "INSERT INTO orbits (id, organization_id, name, bucket_secret_id, "
            "created_at) VALUES (?, ?, ?, ?, ?)",
            (orbit_id, org_id, name, _new_id(), _now()),
        )
        return orbit_id

    def _insert_collection(
        self, conn: sqlite3.Connection, orbit_id: str, data: CollectionIn
    ) -> str:
        coll_id = _new_id()
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
                _now(),
            ),
        )
        return coll_id

    # -- scope checks -----------------------------------------------------------

    @staticmethod
    def _check_org(p: Principal, org_id: str) -> None:
        if org_id != p.organization_id:
            raise NotFound(
                f"Organization {org_id} not found: this API key belongs to "
                f"organization {p.organization_id}."
            )

    def _orbit_row(
        self, conn: sqlite3.Connection, p: Principal, org_id: str, orbit_id: str
    ) -> sqlite3.Row:
        self._check_org(p, org_id)
        row = conn.execute(
            f"{ORBIT_SELECT} WHERE o.id = ? AND o.organization_id = ?",
            (orbit_id, org_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Orbit {orbit_id} not found in organization {org_id}.")
        return row

    def _collection_row(
        self,
        conn: sqlite3.Connection,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
    ) -> sqlite3.Row:
        self._orbit_row(conn, p, org_id, orbit_id)
        row = conn.execute(
            f"{COLLECTION_SELECT} WHERE c.id = ? AND c.orbit_id = ?",
            (coll_id, orbit_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Collection {coll_id} not found in orbit {orbit_id}.")
        return row

    def _artifact_row(
        self,
        conn: sqlite3.Connection,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
        artifact_id: str,
    ) -> sqlite3.Row:
        self._collection_row(conn, p, org_id, orbit_id, coll_id)
        row = conn.execute(
            f"{ARTIFACT_SELECT} WHERE a.id = ? AND a.collection_id = ?",
            (artifact_id, coll_id),
        ).fetchone()
        if row is None:
            raise NotFound(f"Artifact {artifact_id} not found in collection {coll_id}.")
        return row

    # -- organizations, orbits, collections -------------------------------------

    def list_organizations(self, p: Principal) -> list[dict[str, Any]]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM organizations WHERE id = ?", (p.organization_id,)
            ).fetchall()
        return [organization_dict(row) for row in rows]

    def list_orbits(self, p: Principal, org_id: str) -> list[dict[str, Any]]:
        self._check_org(p, org_id)
        with self.db.reading() as conn:
            rows = conn.execute(
                f"{ORBIT_SELECT} WHERE o.organization_id = ? ORDER BY o.seq", (org_id,)
            ).fetchall()
        return [orbit_dict(row) for row in rows]

    def get_orbit(self, p: Principal, org_id: str, orbit_id: str) -> dict[str, Any]:
        with self.db.reading() as conn:
            return orbit_dict(self._orbit_row(conn, p, org_id, orbit_id))

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
            self._orbit_row(conn, p, org_id, orbit_id)
            return page(
                conn, COLLECTION_SELECT, "c", where, params, cursor, limit, order,
                collection_dict,
            )  # fmt: skip

    def get_collection(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str
    ) -> dict[str, Any]:
        with self.db.reading() as conn:
            row = self._collection_row(conn, p, org_id, orbit_id, coll_id)
            tags: set[str] = set()
            metric_keys: set[str] = set()
            for art in conn.execute(
                "SELECT tags, extra_values FROM artifacts WHERE collection_id = ?",
                (coll_id,),
            ):
                tags.update(from_json(art["tags"]) or [])
                metric_keys.update(from_json(art["extra_values"]) or {})
        return {
            **collection_dict(row),
            "artifacts_tags": sorted(tags),
            "artifacts_extra_values": sorted(metric_keys),
        }

    def create_collection(
        self, p: Principal, org_id: str, orbit_id: str, data: CollectionIn
    ) -> dict[str, Any]:
        with self.db.transaction() as conn:
            self._orbit_row(conn, p, org_id, orbit_id)
            coll_id = self._insert_collection(conn, orbit_id, data)
            row = conn.execute(
                f"{COLLECTION_SELECT} WHERE c.id = ?", (coll_id,)
            ).fetchone()
            return collection_dict(row)

    # -- artifacts ----------------------------------------------------------------

    def create_artifact(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, data: ArtifactIn
    ) -> sqlite3.Row:
        """Record a pending artifact; the row also carries its bucket details."""
        with self.db.transaction() as conn:
            coll = self._collection_row(conn, p, org_id, orbit_id, coll_id)
            artifact_type = resolve_artifact_type(data, coll["type"])
            uid = uuid.uuid4().hex
            artifact_id = _new_id()
            user = conn.execute(
                "SELECT full_name FROM users WHERE id = ?", (p.user_id,)
            ).fetchone()
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
                    user["full_name"] if user else None,
                    _now(),
                ),
            )
            return conn.execute(
                f"{ARTIFACT_SELECT} WHERE a.id = ?", (artifact_id,)
            ).fetchone()

    def get_artifact(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> dict[str, Any]:
        with self.db.reading() as conn:
            row = self._artifact_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            coll = self._collection_row(conn, p, org_id, orbit_id, coll_id)
        return {
            **listed_artifact_dict(row),
            "collection": collection_dict(coll),
            "tracks": [],
        }

    def list_artifacts(
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
        check_sort_by(sort_by)
        where, params = ["c.orbit_id = ?"], [orbit_id]
        with self.db.reading() as conn:
            self._orbit_row(conn, p, org_id, orbit_id)
            if collection_ids:
                known = {
                    row["id"]
                    for row in conn.execute(
                        "SELECT id FROM collections WHERE orbit_id = ?", (orbit_id,)
                    )
                }
                missing = [cid for cid in collection_ids if cid not in known]
                if missing:
                    raise NotFound(
                        f"Collections not found in orbit {orbit_id}: "
                        + ", ".join(missing)
                    )
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

    def update_artifact(
        self,
        p: Principal,
        org_id: str,
        orbit_id: str,
        coll_id: str,
        artifact_id: str,
        data: ArtifactUpdateIn,
    ) -> dict[str, Any]:
        with self.db.transaction() as conn:
            row = self._artifact_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
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
                changes["updated_at"] = _now()
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(
                    f"UPDATE artifacts SET {assignments} WHERE id = ?",
                    (*changes.values(), artifact_id),
                )
            row = conn.execute(
                f"{ARTIFACT_SELECT} WHERE a.id = ?", (artifact_id,)
            ).fetchone()
            return artifact_dict(row)

    def artifact_row(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> sqlite3.Row:
        with self.db.reading() as conn:
            return self._artifact_row(conn, p, org_id, orbit_id, coll_id, artifact_id)

    def request_deletion(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> sqlite3.Row:
        with self.db.transaction() as conn:
            row = self._artifact_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            conn.execute(
                "UPDATE artifacts SET status = 'pending_deletion', updated_at = ? "
                "WHERE id = ?",
                (_now(), artifact_id),
            )
            return row

    def confirm_deletion(
        self, p: Principal, org_id: str, orbit_id: str, coll_id: str, artifact_id: str
    ) -> None:
        with self.db.transaction() as conn:
            row = self._artifact_row(conn, p, org_id, orbit_id, coll_id, artifact_id)
            if row["status"] != "pending_deletion":
                raise RegistryError(
                    f"Unable to confirm deletion with status '{row['status']}': "
                    "request the delete URL first."
                )
            uploads = [
                upload["id"]
                for upload in conn.execute(
                    "SELECT id FROM multipart_uploads WHERE artifact_id = ?",
                    (artifact_id,),
                )
            ]
            # its uploads' rows and parts' rows go with it (ON DELETE CASCADE)
            conn.execute("DELETE FROM artifacts WHERE id = ?", (artifact_id,))
        self.blobs.delete(row["unique_identifier"])
        self.blobs.discard_temp_files(row["unique_identifier"])
        for upload_id in uploads:
            self.blobs.discard_parts(upload_id)
            self.blobs.discard_temp_files(upload_id)

    # -- storage side (reached through presigned URLs, no API key) -------------

    def artifact_by_uid(self, uid: str) -> sqlite3.Row:
        with self.db.reading() as conn:
            row = conn.execute(
                f"{ARTIFACT_SELECT} WHERE a.unique_identifier = ?", (uid,)
            ).fetchone()
        if row is None:
            raise NotFound("No artifact exists for this storage URL.")
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
                (int(stored), _now(), uid),
            )

    def artifact_by_location(
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

    def start_multipart(self, artifact_id: str, part_size: int) -> str:
        upload_id = uuid.uuid4().hex
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO multipart_uploads (id, artifact_id, part_size, created_at)"
                " VALUES (?, ?, ?, ?)",
                (upload_id, artifact_id, part_size, _now()),
            )
        return upload_id

    def multipart_upload(self, upload_id: str, artifact_id: str) -> sqlite3.Row:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM multipart_uploads WHERE id = ? AND artifact_id = ?",
                (upload_id, artifact_id),
            ).fetchone()
        if row is None:
            raise NotFound(
                f"Multipart upload {upload_id!r} is unknown for this artifact: "
                "start one by POSTing to upload_details.url."
            )
        return row

    def claim_multipart(self, upload_id: str, artifact_id: str) -> sqlite3.Row:
        """Take ``upload_id`` for completing; until ``finish_multipart`` or
        ``release_multipart`` every other claim gets a 409. A claim outlives
        no crash: it is its process's, and free again once that is gone."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM multipart_uploads WHERE id = ? AND artifact_id = ?",
                (upload_id, artifact_id),
            ).fetchone()
            if row is None:
                stored = conn.execute(
                    "SELECT blob_stored FROM artifacts WHERE id = ?", (artifact_id,)
                ).fetchone()
                if stored and stored["blob_stored"]:
                    raise Conflict(
                        f"Multipart upload {upload_id!r} is already completed: the "
                        "file is stored. Mark the artifact uploaded."
                    )
                self.multipart_upload(upload_id, artifact_id)  # raises NotFound
            owner = row["completing_owner"]
            if owner is not None and _process_alive(owner):
                raise Conflict(
                    f"Multipart upload {upload_id!r} is already being completed by "
                    "another request: wait for that one's answer."
                )
            conn.execute(
                "UPDATE multipart_uploads SET completing_owner = ? WHERE id = ?",
                (os.getpid(), upload_id),
            )
            return row

    def release_multipart(self, upload_id: str) -> None:
        """Give up a claim whose completion failed, so a fixed request can retry."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE multipart_uploads SET completing_owner = NULL WHERE id = ?",
                (upload_id,),
            )

    @staticmethod
    def check_not_completing(upload: sqlite3.Row) -> None:
        owner = upload["completing_owner"]
        if owner is not None and _process_alive(owner):
            raise Conflict(
                "This multipart upload is being completed; its parts can no "
                "longer change. Start a new upload to send other bytes."
            )

    def record_part(self, upload_id: str, number: int, size: int, etag: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO multipart_parts "
                "(upload_id, part_number, size, etag) VALUES (?, ?, ?, ?)",
                (upload_id, number, size, etag),
            )

    def part_etags(self, upload_id: str) -> dict[int, str]:
        with self.db.reading() as conn:
            return {
                row["part_number"]: row["etag"]
                for row in conn.execute(
                    "SELECT part_number, etag FROM multipart_parts WHERE upload_id = ?",
                    (upload_id,),
                )
            }

    def sweep_abandoned_uploads(self, max_age: float = ABANDONED_AFTER) -> int:
        """Forget multipart uploads idle for ``max_age`` seconds and delete
        their parts, and temp files as old (a crash's leftovers); how many
        files and folders went."""
        cutoff = time.time() - max_age
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, created_at, completing_owner FROM multipart_uploads"
            ).fetchall()
            abandoned = [
                row["id"]
                for row in rows
                if not (
                    row["completing_owner"] is not None
                    and _process_alive(row["completing_owner"])
                )
                and max(
                    _timestamp(row["created_at"]),
                    self.blobs.parts_written_at(row["id"]),
                )
                <= cutoff
            ]
            conn.executemany(
                "DELETE FROM multipart_uploads WHERE id = ?",
                [(upload_id,) for upload_id in abandoned],
            )
        open_uploads = {row["id"] for row in rows} - set(abandoned)
        return self.blobs.sweep(cutoff, open_uploads)

    def finish_multipart(self, upload_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM multipart_uploads WHERE id = ?", (upload_id,))


def create_api_key(
    data_dir: Path | str, org_id: str | None = None, *, name: str = ""
) -> str:
    """Create an API key in ``data_dir``'s registry (see RegistryStore)."""
    return RegistryStore(data_dir).create_api_key(org_id, name=name)


def _make_existing_data_private(data_dir: Path) -> None:
    """Fix, with a warning, what earlier releases left readable to everyone:
    nobody meant to share a secret and the models, and fixing it at once
    beats a warning that is easy to miss while the data stays exposed."""
    changed, failed = make_private(data_dir)
    if changed:
        logger.warning(
            "%d files and folders in %s were open to other users of this machine; "
            "they are now private to you (it holds the URL-signing secret and "
            "the stored models).",
            len(changed),
            data_dir,
        )
    if failed:
        logger.warning(
            "%d files and folders in %s are open to other users and could not be "
            "made private (e.g. %s): run 'chmod -R go-rwx %s' as their owner.",
            len(failed),
            data_dir,
            failed[0],
            data_dir,
        )


def _transition_hint(current: str) -> str:
    allowed = STATUS_TRANSITIONS.get(current)
    if not allowed:
        return f" An artifact that is {current} cannot change status."
    return f" From {current} it can only become: {', '.join(sorted(allowed))}."
