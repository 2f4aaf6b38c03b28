"""The registry's SQLite file: schema and connections."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .private import touch_private

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    created_at TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    key_prefix TEXT,
    session_owner INTEGER
);
CREATE TABLE IF NOT EXISTS orbits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    bucket_secret_id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS collections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    orbit_id TEXT NOT NULL REFERENCES orbits(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    tags TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE TABLE IF NOT EXISTS artifacts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    collection_id TEXT NOT NULL REFERENCES collections(id),
    file_name TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    extra_values TEXT NOT NULL,
    manifest TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    file_index TEXT NOT NULL,
    bucket_location TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    unique_identifier TEXT NOT NULL UNIQUE,
    tags TEXT,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    created_by_user TEXT,
    blob_stored INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT
);
CREATE INDEX IF NOT EXISTS artifacts_collection ON artifacts(collection_id, seq);
CREATE TABLE IF NOT EXISTS multipart_uploads (
    id TEXT PRIMARY KEY,
    artifact_id TEXT NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
    part_size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    completing_owner INTEGER
);
CREATE TABLE IF NOT EXISTS multipart_parts (
    upload_id TEXT NOT NULL REFERENCES multipart_uploads(id) ON DELETE CASCADE,
    part_number INTEGER NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
"""

#: what brings a database written at version ``n - 1`` to version ``n``
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # keys get a name, a recognisable prefix, and the process of the run they
    # belong to (NULL: a lasting key)
    2: (
        "ALTER TABLE api_keys ADD COLUMN name TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE api_keys ADD COLUMN key_prefix TEXT",
        "ALTER TABLE api_keys ADD COLUMN session_owner INTEGER",
        # the process completing a multipart upload: one request at a time
        "ALTER TABLE multipart_uploads ADD COLUMN completing_owner INTEGER",
    ),
}


class Database:
    """One SQLite file; a short-lived connection per unit of work.

    Connections are not shared between threads: uvicorn runs handlers in a
    thread pool, and WAL mode lets readers proceed while one thread writes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        touch_private(path)
        with self.reading() as conn:
            # WAL is a property of the file; it cannot change inside a transaction.
            conn.execute("PRAGMA journal_mode=WAL")
        with self.transaction() as conn:
            # read inside the transaction: two processes opening an old file
            # at once must not both upgrade it
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{path} was written by a newer luml-notebooks "
                    f"(schema {version}); upgrade luml-notebooks to open it."
                )
            if version:  # 0 is a new file: SCHEMA creates it whole
                for step in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in MIGRATIONS[step]:
                        conn.execute(statement)
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken up front so concurrent writers queue
        instead of failing with 'database is locked' on upgrade."""
        conn = self.connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        try:
            yield conn
        finally:
            conn.close()
