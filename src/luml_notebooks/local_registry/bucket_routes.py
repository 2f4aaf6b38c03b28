"""The local "bucket": presigned storage URLs that behave like S3's.

``PUT`` stores a whole file; ``POST ?uploads`` starts a multipart upload,
``PUT ?partNumber&uploadId`` stores a part and ``POST ?uploadId`` completes
it; ``GET`` downloads and ``DELETE`` removes. Requests are authorized by the
URL's signature, not by an API key, exactly as with a presigned S3 URL.
"""

import hashlib
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from .context import Registry, get_registry, plan_parts, storage_path
from .errors import NotFound, RegistryError
from .filenames import content_disposition

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
MAX_COMPLETE_BODY = 1024 * 1024

router = APIRouter(include_in_schema=False)


def _xml(body: str) -> Response:
    return Response(
        f'<?xml version="1.0" encoding="UTF-8"?>\n{body}',
        media_type="application/xml",
    )


async def _authorized_row(request: Request, method: str, uid: str) -> Any:
    registry = get_registry(request)
    registry.signer.verify(method, storage_path(uid), request.query_params)
    return await run_in_threadpool(registry.store.artifact_by_uid, uid)


def _check_content_length(request: Request, expected: int, what: str) -> None:
    # Refuse early when the client already says the size is wrong.
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) != expected:
        raise RegistryError(
            f"Content-Length is {declared} but {what} is {expected} bytes. "
            "Nothing was stored."
        )


@router.put("/storage/{uid}")
async def put_object(request: Request, uid: str) -> Response:
    row = await _authorized_row(request, "PUT", uid)
    registry = get_registry(request)
    registry.store.check_uploadable(row)
    if "partNumber" in request.query_params:
        return await _put_part(request, registry, row)
    _check_content_length(request, row["size"], "the artifact's declared size")
    md5 = await registry.store.blobs.store(
        uid, request.stream(), size=row["size"], sha256=row["file_hash"]
    )
    await run_in_threadpool(registry.store.mark_blob_stored, uid)
    return Response(status_code=200, headers={"ETag": f'"{md5}"'})


async def _put_part(request: Request, registry: Registry, row: Any) -> Response:
    params = request.query_params
    upload = await run_in_threadpool(
        registry.store.multipart_upload, params.get("uploadId", ""), row["id"]
    )
    registry.store.check_not_completing(upload)
    parts = plan_parts(row["size"], upload["part_size"])
    number = int(params["partNumber"]) if params["partNumber"].isdigit() else 0
    if not 1 <= number <= len(parts):
        raise RegistryError(
            f"partNumber must be between 1 and {len(parts)} for this upload."
        )
    size = parts[number - 1]["part_size"]
    _check_content_length(request, size, f"part {number}")
    etag = await registry.store.blobs.store_part(
        upload["id"], number, request.stream(), size=size
    )
    await run_in_threadpool(
        registry.store.record_part, upload["id"], number, size, etag
    )
    return Response(status_code=200, headers={"ETag": f'"{etag}"'})


@router.post("/storage/{uid}")
async def post_object(request: Request, uid: str) -> Response:
    row = await _authorized_row(request, "POST", uid)
    registry = get_registry(request)
    registry.store.check_uploadable(row)
    if "uploads" in request.query_params:
        upload_id = await run_in_threadpool(
            registry.store.start_multipart,
            row["id"],
            registry.part_size_for(row["size"]),
        )
        return _xml(
            f'<InitiateMultipartUploadResult xmlns="{S3_NS}">'
            f"<Bucket>local</Bucket><Key>{escape(row['bucket_location'])}</Key>"
            f"<UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>"
        )
    if "uploadId" in request.query_params:
        return await _complete(request, registry, row)
    raise RegistryError("Use ?uploads to start a multipart upload.")


def _parse_parts(body: bytes) -> list[tuple[int, str]]:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        raise RegistryError(
            f"The CompleteMultipartUpload body is not valid XML: {error}"
        ) from error
    parts = []
    for element in root.iter():
        if element.tag.rpartition("}")[2] != "Part":
            continue
        fields = {child.tag.rpartition("}")[2]: (child.text or "") for child in element}
        number = fields.get("PartNumber", "").strip()
        if not number.isdigit():
            raise RegistryError("Every <Part> needs a numeric <PartNumber>.")
        parts.append((int(number), fields.get("ETag", "").strip().strip('"')))
    return parts


async def _complete(request: Request, registry: Registry, row: Any) -> Response:
    # claimed first, atomically: concurrent completes get a 409, not a race
    upload = await run_in_threadpool(
        registry.store.claim_multipart, request.query_params["uploadId"], row["id"]
    )
    try:
        listed, expected = await _assemble(request, registry, row, upload)
    except BaseException:
        await run_in_threadpool(registry.store.release_multipart, upload["id"])
        raise
    # S3's multipart ETag: MD5 of the parts' binary MD5s, then "-<count>".
    digest = hashlib.md5(
        b"".join(bytes.fromhex(etag) for _, etag in listed), usedforsecurity=False
    )
    return _xml(
        f'<CompleteMultipartUploadResult xmlns="{S3_NS}">'
        f"<Bucket>local</Bucket><Key>{escape(row['bucket_location'])}</Key>"
        f'<ETag>"{digest.hexdigest()}-{expected}"</ETag>'
        "</CompleteMultipartUploadResult>"
    )


async def _assemble(
    request: Request, registry: Registry, row: Any, upload: Any
) -> tuple[list[tuple[int, str]], int]:
    """Check the listed parts and join them into the artifact's file."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_COMPLETE_BODY:
            raise RegistryError("The CompleteMultipartUpload body is too large.")
    listed = _parse_parts(bytes(body))
    expected = len(plan_parts(row["size"], upload["part_size"]))
    if [number for number, _ in listed] != list(range(1, expected + 1)):
        raise RegistryError(
            f"List parts 1 to {expected} once each, in ascending order, "
            "to complete this upload."
        )
    stored = await run_in_threadpool(registry.store.part_etags, upload["id"])
    for number, etag in listed:
        if number not in stored:
            raise RegistryError(f"Part {number} was never uploaded: PUT it first.")
        if etag != stored[number]:
            raise RegistryError(
                f"ETag of part {number} does not match the uploaded part: "
                "send the ETag the part upload returned."
            )
    await run_in_threadpool(
        lambda: registry.store.blobs.assemble(
            upload["id"],
            row["unique_identifier"],
            expected,
            size=row["size"],
            sha256=row["file_hash"],
        )
    )
    await run_in_threadpool(registry.store.mark_blob_stored, row["unique_identifier"])
    await run_in_threadpool(registry.store.finish_multipart, upload["id"])
    return listed, expected


@router.api_route("/storage/{uid}", methods=["GET", "HEAD"])
async def get_object(request: Request, uid: str) -> Response:
    registry = get_registry(request)
    # A HEAD is allowed with a URL signed for GET, as on S3.
    registry.signer.verify("GET", storage_path(uid), request.query_params)
    row = await run_in_threadpool(registry.store.artifact_by_uid, uid)
    path = registry.store.blobs.path_for(uid)
    if not row["blob_stored"] or not path.is_file():
        raise NotFound("This artifact has no uploaded file yet.")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={
            "ETag": f'"{row["file_hash"]}"',
            "Content-Disposition": content_disposition(row["file_name"]),
        },
    )


@router.delete("/storage/{uid}", status_code=204)
async def delete_object(request: Request, uid: str) -> Response:
    await _authorized_row(request, "DELETE", uid)
    registry = get_registry(request)
    registry.store.blobs.delete(uid)
    await run_in_threadpool(registry.store.mark_blob_stored, uid, False)
    return Response(status_code=204)
