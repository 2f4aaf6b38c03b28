"""Response bodies of the /v1 API, so the OpenAPI schema describes them.

``records.py`` builds these shapes as dicts from rows; these models declare
them, field for field and in the same order. They forbid extra fields, so a
field added to one side only fails every call that returns it instead of
being dropped from the answer without a word.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .schemas import ArtifactStatus, ArtifactType, CollectionType

NEXT_PAGE = "Pass it back to get the next page; null on the last page."


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OrganizationOut(_Response):
    id: str
    name: str
    logo: str | None
    created_at: str
    updated_at: str | None


class OrbitOut(_Response):
    id: str
    name: str
    organization_id: str
    bucket_secret_id: str = Field(
        description="The orbit's bucket: the multipart call's bucket_id."
    )
    total_members: int
    total_collections: int
    created_at: str
    updated_at: str | None


class CollectionOut(_Response):
    id: str
    orbit_id: str
    name: str
    description: str
    type: CollectionType
    tags: list[str] | None
    total_artifacts: int
    created_at: str
    updated_at: str | None


class CollectionDetailOut(CollectionOut):
    """A collection with the tags and metric names its artifacts use."""

    artifacts_tags: list[str]
    artifacts_extra_values: list[str]


class CollectionPage(_Response):
    items: list[CollectionOut]
    cursor: str | None = Field(description=NEXT_PAGE)


class ArtifactOut(_Response):
    id: str
    collection_id: str
    file_name: str
    name: str
    description: str | None
    extra_values: dict[str, Any]
    manifest: dict[str, Any]
    file_hash: str
    file_index: dict[str, tuple[int, int]] = Field(
        description="Member path to [offset of its data, size] in the file."
    )
    bucket_location: str
    size: int
    unique_identifier: str
    tags: list[str] | None
    status: ArtifactStatus
    type: ArtifactType
    created_by_user: str | None
    created_at: str
    updated_at: str | None


class ListedArtifactOut(ArtifactOut):
    collection_name: str
    deployments: list[dict[str, Any]] = Field(
        description="The platform's deployments; a local registry has none."
    )


class ArtifactDetailOut(ListedArtifactOut):
    collection: CollectionOut
    tracks: list[dict[str, Any]] = Field(
        description="The platform's experiment tracks; a local registry has none."
    )


class ArtifactPage(_Response):
    items: list[ListedArtifactOut]
    cursor: str | None = Field(description=NEXT_PAGE)


class UploadDetailsOut(_Response):
    type: Literal["s3"]
    url: str = Field(
        description="PUT the file here; when multipart, POST here to start the upload."
    )
    multipart: bool
    bucket_location: str
    bucket_secret_id: str


class CreatedArtifactOut(_Response):
    artifact: ArtifactOut
    upload_details: UploadDetailsOut


class UrlOut(_Response):
    """A presigned storage URL."""

    url: str


class PartOut(_Response):
    part_number: int
    start_byte: int
    end_byte: int = Field(description="Inclusive, as on the platform.")
    part_size: int
    url: str


class MultipartUrlsOut(_Response):
    type: Literal["s3"]
    upload_id: str
    parts: list[PartOut]
    complete_url: str


class ErrorOut(_Response):
    """Every error's body: one sentence saying what to do."""

    detail: str


#: what any /v1 call may answer with (``app.py``'s handlers write these bodies)
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The request cannot be served as is"},
    401: {"model": ErrorOut, "description": "No API key, or one this registry refuses"},
    404: {"model": ErrorOut, "description": "Not found in the key's organization"},
    422: {"model": ErrorOut, "description": "A parameter or the body is invalid"},
}

#: what a status change may also answer
CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "The artifact's state does not allow it"},
}
