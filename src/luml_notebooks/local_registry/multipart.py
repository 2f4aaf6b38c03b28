"""Multipart uploads of an artifact's file, S3-style.

Owns the ``multipart_uploads`` and ``multipart_parts`` tables: starting an
upload, recording its parts, the claim that lets one request at a time
complete it, and forgetting uploads a client abandoned. The parts' bytes are
in ``BlobStore``. Of the artifact an upload fills it reads only whether its
file is stored, to tell a completed upload from an unknown one.
"""

import sqlite3
import time
import uuid
from collections.abc import Iterable

from .blobs import BlobStore
from .db import Database
from .errors import Conflict, NotFound
from .ids import now, timestamp
from .processes import held, this_process

#: a multipart upload with no part written for this long is abandoned
ABANDONED_AFTER = 24 * 3600


class MultipartUploads:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self.db = db
        self.blobs = blobs

    def start(self, artifact_id: str, part_size: int) -> str:
        upload_id = uuid.uuid4().hex
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO multipart_uploads (id, artifact_id, part_size, created_at)"
                " VALUES (?, ?, ?, ?)",
                (upload_id, artifact_id, part_size, now()),
            )
        return upload_id

    def get(self, upload_id: str, artifact_id: str) -> sqlite3.Row:
        with self.db.reading() as conn:
            row = _upload_row(conn, upload_id, artifact_id)
        if row is None:
            raise _unknown(upload_id)
        return row

    def claim(self, upload_id: str, artifact_id: str) -> sqlite3.Row:
        """Take ``upload_id`` for completing; until ``finish`` or ``release``
        every other claim gets a 409. A claim outlives no crash: it is its
        process's, and free again once that is gone."""
        with self.db.transaction() as conn:
            row = _upload_row(conn, upload_id, artifact_id)
            if row is None:
                # Read in this transaction: a completion stores the file
                # before it forgets the upload, so a stored file means the
                # upload is gone because it was completed.
                artifact = conn.execute(
                    "SELECT blob_stored FROM artifacts WHERE id = ?", (artifact_id,)
                ).fetchone()
                if artifact and artifact["blob_stored"]:
                    raise Conflict(
                        f"Multipart upload {upload_id!r} is already completed: the "
                        "file is stored. Mark the artifact uploaded."
                    )
                raise _unknown(upload_id)
            if held(row["completing_owner"]):
                raise Conflict(
                    f"Multipart upload {upload_id!r} is already being completed by "
                    "another request: wait for that one's answer."
                )
            conn.execute(
                "UPDATE multipart_uploads SET completing_owner = ? WHERE id = ?",
                (this_process(), upload_id),
            )
            return row

    def release(self, upload_id: str) -> None:
        """Give up a claim whose completion failed, so a fixed request can retry."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE multipart_uploads SET completing_owner = NULL WHERE id = ?",
                (upload_id,),
            )

    def finish(self, upload_id: str) -> None:
        """Forget a completed upload; its parts' rows go with it."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM multipart_uploads WHERE id = ?", (upload_id,))

    @staticmethod
    def check_not_completing(upload: sqlite3.Row) -> None:
        if held(upload["completing_owner"]):
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

    @staticmethod
    def ids_for_artifact(conn: sqlite3.Connection, artifact_id: str) -> list[str]:
        return [
            row["id"]
            for row in conn.execute(
                "SELECT id FROM multipart_uploads WHERE artifact_id = ?",
                (artifact_id,),
            )
        ]

    def discard_files(self, upload_ids: Iterable[str]) -> None:
        """Delete the parts and temp files of uploads whose rows are gone."""
        for upload_id in upload_ids:
            self.blobs.discard_parts(upload_id)
            self.blobs.discard_temp_files(upload_id)

    def sweep_abandoned(self, max_age: float = ABANDONED_AFTER) -> int:
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
                if not held(row["completing_owner"])
                and max(
                    timestamp(row["created_at"]),
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


def _upload_row(
    conn: sqlite3.Connection, upload_id: str, artifact_id: str
) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM multipart_uploads WHERE id = ? AND artifact_id = ?",
        (upload_id, artifact_id),
    ).fetchone()


def _unknown(upload_id: str) -> NotFound:
    return NotFound(
        f"Multipart upload {upload_id!r} is unknown for this artifact: "
        "start one by POSTing to upload_details.url."
    )
