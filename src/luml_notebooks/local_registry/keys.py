"""API keys and the local user they belong to.

Owns the ``users`` and ``api_keys`` tables: making keys (lasting ones, and
session keys that live as long as one ``luml-notebooks run``), listing and
revoking them, and turning a key into the ``Principal`` it stands for. Only
a key's hash is stored; the key itself is shown once, when it is made.
"""

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass

from .catalog import Catalog
from .db import Database
from .errors import NotFound, Unauthorized
from .ids import new_id, now
from .principal import Principal
from .processes import process_alive

API_KEY_PREFIX = "dfs_"
#: characters of a key kept in the clear so people can tell keys apart
#: (6 random characters of 43: nothing useful to a guesser)
SHOWN_KEY_CHARS = len(API_KEY_PREFIX) + 6
LOCAL_USER_EMAIL = "local@luml-notebooks"


def hash_api_key(key: str) -> str:
    # Keys are 256-bit random tokens, so a fast unsalted hash is enough.
    return hashlib.sha256(key.encode()).hexdigest()


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


class ApiKeys:
    def __init__(self, db: Database, catalog: Catalog) -> None:
        self.db = db
        self.catalog = catalog

    def create(
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
                org_id = self.catalog.first_organization(conn)
            elif not self.catalog.organization_exists(conn, org_id):
                raise NotFound(f"Organization {org_id} does not exist.")
            return self.insert(conn, org_id, name, session_owner)

    def insert(
        self,
        conn: sqlite3.Connection,
        org_id: str,
        name: str,
        session_owner: int | None = None,
    ) -> str:
        """Record a new key inside the caller's transaction; return the key."""
        key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        conn.execute(
            "INSERT INTO api_keys (id, key_hash, user_id, organization_id, "
            "created_at, name, key_prefix, session_owner) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                new_id(),
                hash_api_key(key),
                _local_user(conn),
                org_id,
                now(),
                name,
                key[:SHOWN_KEY_CHARS],
                session_owner,
            ),
        )
        return key

    def list_all(self) -> list[ApiKeyInfo]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT id, key_prefix, name, organization_id, session_owner, "
                "created_at FROM api_keys ORDER BY created_at, rowid"
            ).fetchall()
        return [ApiKeyInfo(*row) for row in rows]

    def revoke(self, key: str) -> bool:
        """Delete ``key``; True if it existed."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM api_keys WHERE key_hash = ?", (hash_api_key(key),)
            )
            return cursor.rowcount > 0

    def revoke_by_id(self, key_id: str) -> bool:
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
                if not process_alive(row["session_owner"])
            ]
            conn.executemany("DELETE FROM api_keys WHERE id = ?", ended)
        return len(ended)

    def authenticate(self, key: str) -> Principal:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT k.id, k.user_id, k.organization_id, k.session_owner, "
                "u.full_name FROM api_keys k LEFT JOIN users u ON u.id = k.user_id "
                "WHERE k.key_hash = ?",
                (hash_api_key(key),),
            ).fetchone()
        if row is not None and row["session_owner"] is not None:
            if not process_alive(row["session_owner"]):
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
        return Principal(
            row["id"], row["user_id"], row["organization_id"], row["full_name"]
        )


def _local_user(conn: sqlite3.Connection) -> str:
    """The one user of a local registry, made on first use."""
    row = conn.execute(
        "SELECT id FROM users WHERE email = ?", (LOCAL_USER_EMAIL,)
    ).fetchone()
    if row:
        return row["id"]
    user_id = new_id()
    conn.execute(
        "INSERT INTO users (id, email, full_name, created_at) VALUES (?, ?, ?, ?)",
        (user_id, LOCAL_USER_EMAIL, "Local User", now()),
    )
    return user_id
