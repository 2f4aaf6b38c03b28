"""Artifact bytes on disk: verified streaming writes and multipart assembly.

Nothing becomes visible under ``objects/`` until its size and SHA-256 match
what the artifact declared: bytes go to a temporary file in the same file
system first and are renamed into place atomically.
"""

import asyncio
import contextlib
import hashlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Collection
from pathlib import Path

import anyio

from .errors import RegistryError
from .private import make_private_dir, open_private

COPY_CHUNK = 8 * 1024 * 1024
#: bytes of a request body gathered before a thread hashes and writes them
BATCH_BYTES = 1024 * 1024


def _too_many_bytes(limit: int) -> RegistryError:
    return RegistryError(
        f"Received more bytes than the declared size of {limit} bytes: "
        "create the artifact again with the file's real size."
    )


class _VerifyingWriter:
    """Writes chunks to a file while counting them and computing the digests
    asked for (``sha256``, ``md5``); the others stay None."""

    def __init__(
        self, path: Path, limit: int, *, sha256: bool = False, md5: bool = False
    ) -> None:
        self.path = path
        self.limit = limit
        self.count = 0
        self.sha256 = hashlib.sha256() if sha256 else None
        self.md5 = hashlib.md5(usedforsecurity=False) if md5 else None
        self._file = open_private(path)  # closed in close()

    def write(self, chunk: bytes) -> None:
        self.count += len(chunk)
        if self.count > self.limit:
            raise _too_many_bytes(self.limit)
        if self.sha256 is not None:
            self.sha256.update(chunk)
        if self.md5 is not None:
            self.md5.update(chunk)
        self._file.write(chunk)

    def write_all(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def close(self, *, sync: bool) -> None:
        if sync:
            self._file.flush()
            os.fsync(self._file.fileno())
        self._file.close()


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self.multipart = root / "multipart"
        for folder in (self.root, self.objects, self.tmp, self.multipart):
            make_private_dir(folder)

    def parts_written_at(self, upload_id: str) -> float:
        """When a part of the upload was last written (0: none was)."""
        folder = self.multipart / upload_id
        times = [0.0]
        with contextlib.suppress(OSError):
            times.append(folder.stat().st_mtime)
            times.extend(part.stat().st_mtime for part in folder.iterdir())
        return max(times)

    def sweep(self, cutoff: float, open_uploads: Collection[str]) -> int:
        """Delete temp files and part folders last written before ``cutoff``
        (a time.time()), except parts of ``open_uploads``; how many.

        Only old temp files: another process (a running server) may be
        writing fresh ones right now; a write keeps its file's time fresh."""
        removed = 0
        for leftover in self.tmp.iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime <= cutoff:
                    leftover.unlink()
                    removed += 1
        for folder in self.multipart.iterdir():
            # an upload opened since open_uploads was read has fresh parts
            if (
                folder.name not in open_uploads
                and self.parts_written_at(folder.name) <= cutoff
            ):
                self.discard_parts(folder.name)
                removed += 1
        return removed

    def discard_temp_files(self, stem: str) -> None:
        """Temp files of one artifact or upload, left by interrupted writes."""
        for leftover in self.tmp.glob(f"{stem}-*.tmp"):
            leftover.unlink(missing_ok=True)

    def path_for(self, uid: str) -> Path:
        # The uuid hex, never the user-supplied file name, names the file on disk.
        return self.objects / uid[:2] / uid

    def exists(self, uid: str) -> bool:
        return self.path_for(uid).is_file()

    def delete(self, uid: str) -> None:
        self.path_for(uid).unlink(missing_ok=True)

    def _temp_path(self, stem: str) -> Path:
        return self.tmp / f"{stem}-{secrets.token_hex(8)}.tmp"

    async def _receive(
        self, chunks: AsyncIterator[bytes], writer: _VerifyingWriter
    ) -> _VerifyingWriter:
        """Stream a request body into ``writer``.

        Hashing and disk writes run in a thread, a batch at a time, while the
        event loop receives the next batch: one thread hop per chunk left the
        socket unread during every hash and write, and the sender (a browser
        above all) then spent its time waiting to send."""
        received = 0
        batch: list[bytes] = []
        batched = 0
        writing: asyncio.Future[None] | None = None
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                received += len(chunk)
                if received > writer.limit:
                    raise _too_many_bytes(writer.limit)
                batch.append(chunk)
                batched += len(chunk)
                if batched >= BATCH_BYTES:
                    if writing is not None:
                        await writing
                    writing = asyncio.ensure_future(
                        anyio.to_thread.run_sync(writer.write_all, batch)
                    )
                    batch, batched = [], 0
            if writing is not None:
                await writing
            await anyio.to_thread.run_sync(writer.write_all, batch)
        finally:
            if writing is not None and not writing.done():
                # the file is closed under it: its error is expected, not news
                writing.add_done_callback(_ignore_result)
            await anyio.to_thread.run_sync(lambda: writer.close(sync=True))
        return writer

    async def store(
        self, uid: str, chunks: AsyncIterator[bytes], *, size: int, sha256: str
    ) -> str:
        """Stream a whole file in; keep it only if size and hash match.

        Returns the MD5 hex, which S3 sends back as the ETag."""
        temp = self._temp_path(uid)
        try:
            writer = _VerifyingWriter(temp, size, sha256=True, md5=True)
            await self._receive(chunks, writer)
            assert writer.sha256 is not None and writer.md5 is not None
            _check_whole_file(writer.count, writer.sha256.hexdigest(), size, sha256)
            final = self.path_for(uid)
            make_private_dir(final.parent)
            os.replace(temp, final)
            return writer.md5.hexdigest()
        finally:
            temp.unlink(missing_ok=True)

    async def store_part(
        self,
        upload_id: str,
        part_number: int,
        chunks: AsyncIterator[bytes],
        *,
        size: int,
    ) -> str:
        """Stream one multipart part in; return its ETag (MD5 hex, like S3)."""
        temp = self._temp_path(f"{upload_id}-{part_number}")
        try:
            # the part's ETag; the whole file's SHA-256 is checked on assembly
            writer = _VerifyingWriter(temp, size, md5=True)
            await self._receive(chunks, writer)
            assert writer.md5 is not None
            if writer.count != size:
                raise RegistryError(
                    f"Part {part_number} must be {size} bytes, received "
                    f"{writer.count}: send the byte range listed for this part."
                )
            folder = self.multipart / upload_id
            make_private_dir(folder)
            os.replace(temp, folder / f"{part_number:05d}")
            return writer.md5.hexdigest()
        finally:
            temp.unlink(missing_ok=True)

    def assemble(
        self, upload_id: str, uid: str, parts: int, *, size: int, sha256: str
    ) -> None:
        """Join parts 1..parts into the final file, verified like a single PUT."""
        folder = self.multipart / upload_id
        temp = self._temp_path(uid)
        try:
            writer = _VerifyingWriter(temp, size, sha256=True)
            try:
                for number in range(1, parts + 1):
                    with open(folder / f"{number:05d}", "rb") as part:
                        while chunk := part.read(COPY_CHUNK):
                            writer.write(chunk)
            finally:
                writer.close(sync=True)
            assert writer.sha256 is not None
            _check_whole_file(writer.count, writer.sha256.hexdigest(), size, sha256)
            final = self.path_for(uid)
            make_private_dir(final.parent)
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)
        self.discard_parts(upload_id)

    def discard_parts(self, upload_id: str) -> None:
        shutil.rmtree(self.multipart / upload_id, ignore_errors=True)


def _ignore_result(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()


def _check_whole_file(count: int, digest: str, size: int, sha256: str) -> None:
    if count != size:
        raise RegistryError(
            f"Upload incomplete: received {count} bytes but the artifact declares "
            f"{size}. Nothing was stored; upload the whole file again."
        )
    if digest != sha256:
        raise RegistryError(
            f"Upload corrupted: the SHA-256 of the received bytes is {digest} but the "
            f"artifact declares {sha256}. Nothing was stored; upload the file again."
        )
