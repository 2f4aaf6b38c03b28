"""What the routes share: the store, URL signing and upload settings."""

import math
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from .signing import UrlSigner
from .store import RegistryStore

MULTIPART_THRESHOLD = 524_288_000  # the platform's: files over 500 MB


def optimal_part_size(size: int) -> int:
    """The platform's part sizes (backend BaseStorageClient)."""
    mib = 1024 * 1024
    for limit, part in (
        (1 << 30, 32 * mib),
        (5 << 30, 64 * mib),
        (10 << 30, 128 * mib),
        (100 << 30, 512 * mib),
    ):
        if size <= limit:
            return part
    return 1024 * mib


def plan_parts(size: int, part_size: int) -> list[dict[str, int]]:
    """Byte ranges of parts 1..n, ``end_byte`` inclusive as in the platform."""
    parts = []
    for index in range(math.ceil(size / part_size)):
        start = index * part_size
        length = min(part_size, size - start)
        parts.append(
            {
                "part_number": index + 1,
                "start_byte": start,
                "end_byte": start + length - 1,
                "part_size": length,
            }
        )
    return parts


def storage_path(uid: str) -> str:
    return f"/storage/{uid}"


@dataclass
class Registry:
    store: RegistryStore
    signer: UrlSigner
    public_url: str | None
    multipart_threshold: int
    multipart_part_size: int | None

    def base_url(self, request: Request) -> str:
        return (self.public_url or str(request.base_url)).rstrip("/")

    def storage_url(
        self,
        request: Request,
        method: str,
        uid: str,
        params: dict[str, str] | None = None,
    ) -> str:
        path = storage_path(uid)
        query = self.signer.query(method, path, params or {})
        return f"{self.base_url(request)}{path}?{query}"

    def part_size_for(self, size: int) -> int:
        return self.multipart_part_size or optimal_part_size(size)

    def upload_details(self, request: Request, row: Any) -> dict[str, Any]:
        uid = row["unique_identifier"]
        multipart = row["size"] > self.multipart_threshold
        url = (
            self.storage_url(request, "POST", uid, {"uploads": ""})
            if multipart
            else self.storage_url(request, "PUT", uid)
        )
        return {
            "type": "s3",
            "url": url,
            "multipart": multipart,
            "bucket_location": row["bucket_location"],
            "bucket_secret_id": row["bucket_secret_id"],
        }


def get_registry(request: Request) -> Registry:
    return request.app.state.registry
