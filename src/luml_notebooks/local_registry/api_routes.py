"""The /v1 API: the subset of the LUML platform that luml-api and the site use."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .context import Registry, get_registry, plan_parts
from .errors import RegistryError, Unauthorized
from .records import artifact_dict
from .schemas import ArtifactIn, ArtifactUpdateIn, CollectionIn, MultipartUrlsIn
from .store import Principal

_bearer = HTTPBearer(auto_error=False, description="An API key: dfs_...")

RegistryDep = Annotated[Registry, Depends(get_registry)]


def principal(
    registry: RegistryDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized(
            "Missing API key: send the header 'Authorization: Bearer dfs_...'. "
            "The registry prints a key on its first start; "
            "'registry create-key' makes another."
        )
    return registry.store.authenticate(credentials.credentials)


Caller = Annotated[Principal, Depends(principal)]
Limit = Annotated[int, Query(ge=1, le=100)]
StrList = Annotated[list[str] | None, Query()]

ORG = "/organizations/{organization_id}"
ORBIT = ORG + "/orbits/{orbit_id}"
COLLECTION = ORBIT + "/collections/{collection_id}"
ARTIFACT = COLLECTION + "/artifacts/{artifact_id}"

router = APIRouter(prefix="/v1")


@router.get("/auth/api-keys/validate", status_code=204)
def validate_api_key(caller: Caller) -> Response:
    return Response(status_code=204)


@router.get("/users/me/organizations")
def my_organizations(registry: RegistryDep, caller: Caller) -> list[dict[str, Any]]:
    return registry.store.list_organizations(caller)


@router.get(ORG + "/orbits")
def list_orbits(
    registry: RegistryDep, caller: Caller, organization_id: str
) -> list[dict[str, Any]]:
    return registry.store.list_orbits(caller, organization_id)


@router.get(ORBIT)
def get_orbit(
    registry: RegistryDep, caller: Caller, organization_id: str, orbit_id: str
) -> dict[str, Any]:
    return registry.store.get_orbit(caller, organization_id, orbit_id)


@router.get(ORBIT + "/collections")
def list_collections(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    cursor: str | None = None,
    limit: Limit = 100,
    order: str = "desc",
    sort_by: str | None = None,
    search: str | None = None,
    types: StrList = None,
    tags: StrList = None,
) -> dict[str, Any]:
    return registry.store.list_collections(
        caller,
        organization_id,
        orbit_id,
        cursor=cursor,
        limit=limit,
        order=order,
        sort_by=sort_by,
        search=search,
        types=types,
        tags=tags,
    ).as_dict()


@router.post(ORBIT + "/collections")
def create_collection(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    body: CollectionIn,
) -> dict[str, Any]:
    return registry.store.create_collection(caller, organization_id, orbit_id, body)


@router.get(COLLECTION)
def get_collection(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
) -> dict[str, Any]:
    return registry.store.get_collection(
        caller, organization_id, orbit_id, collection_id
    )


@router.post(COLLECTION + "/artifacts")
def create_artifact(
    request: Request,
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    body: ArtifactIn,
) -> dict[str, Any]:
    row = registry.store.create_artifact(
        caller, organization_id, orbit_id, collection_id, body
    )
    return {
        "artifact": artifact_dict(row),
        "upload_details": registry.upload_details(request, row),
    }


def _list_artifacts(
    registry: Registry,
    caller: Principal,
    organization_id: str,
    orbit_id: str,
    collection_ids: list[str] | None,
    **filters: Any,
) -> dict[str, Any]:
    return registry.store.list_artifacts(
        caller, organization_id, orbit_id, collection_ids=collection_ids, **filters
    ).as_dict()


@router.get(COLLECTION + "/artifacts")
def list_collection_artifacts(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    cursor: str | None = None,
    limit: Limit = 50,
    order: str = "desc",
    sort_by: str | None = None,
    types: StrList = None,
    search: str | None = None,
) -> dict[str, Any]:
    return _list_artifacts(
        registry,
        caller,
        organization_id,
        orbit_id,
        [collection_id],
        cursor=cursor,
        limit=limit,
        order=order,
        sort_by=sort_by,
        types=types,
        search=search,
    )


@router.get(ORBIT + "/artifacts")
def list_orbit_artifacts(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_ids: StrList = None,
    cursor: str | None = None,
    limit: Limit = 50,
    order: str = "desc",
    sort_by: str | None = None,
    types: StrList = None,
    search: str | None = None,
) -> dict[str, Any]:
    """What luml-api's ``artifacts.list`` calls, with ``collection_ids``."""
    return _list_artifacts(
        registry,
        caller,
        organization_id,
        orbit_id,
        collection_ids,
        cursor=cursor,
        limit=limit,
        order=order,
        sort_by=sort_by,
        types=types,
        search=search,
    )


@router.get(ARTIFACT)
def get_artifact(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    artifact_id: str,
) -> dict[str, Any]:
    return registry.store.get_artifact(
        caller, organization_id, orbit_id, collection_id, artifact_id
    )


@router.patch(ARTIFACT)
def update_artifact(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    artifact_id: str,
    body: ArtifactUpdateIn,
) -> dict[str, Any]:
    return registry.store.update_artifact(
        caller, organization_id, orbit_id, collection_id, artifact_id, body
    )


@router.get(ARTIFACT + "/download-url")
def artifact_download_url(
    request: Request,
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    artifact_id: str,
) -> dict[str, str]:
    row = registry.store.artifact_row(
        caller, organization_id, orbit_id, collection_id, artifact_id
    )
    return {"url": registry.storage_url(request, "GET", row["unique_identifier"])}


@router.get(ARTIFACT + "/delete-url")
def artifact_delete_url(
    request: Request,
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    artifact_id: str,
) -> dict[str, str]:
    """Marks the artifact pending_deletion, as the platform does."""
    row = registry.store.request_deletion(
        caller, organization_id, orbit_id, collection_id, artifact_id
    )
    return {"url": registry.storage_url(request, "DELETE", row["unique_identifier"])}


@router.delete(ARTIFACT, status_code=204)
def confirm_artifact_deletion(
    registry: RegistryDep,
    caller: Caller,
    organization_id: str,
    orbit_id: str,
    collection_id: str,
    artifact_id: str,
) -> Response:
    registry.store.confirm_deletion(
        caller, organization_id, orbit_id, collection_id, artifact_id
    )
    return Response(status_code=204)


# luml-api 0.4.0 posts this one without the /v1 prefix; serve both spellings.
multipart_router = APIRouter()


@multipart_router.post("/v1/bucket-secrets/upload/multipart")
@multipart_router.post("/bucket-secrets/upload/multipart", include_in_schema=False)
def multipart_upload_urls(
    request: Request, registry: RegistryDep, caller: Caller, body: MultipartUrlsIn
) -> dict[str, Any]:
    row = registry.store.artifact_by_location(
        caller, body.bucket_id, body.bucket_location
    )
    if body.size != row["size"]:
        raise RegistryError(
            f"size is {body.size} but the artifact declares {row['size']} bytes."
        )
    if not body.upload_id:
        raise RegistryError(
            "upload_id is required: POST to upload_details.url to start a multipart "
            "upload and pass the UploadId it returns."
        )
    upload = registry.store.multipart_upload(body.upload_id, row["id"])
    uid = row["unique_identifier"]
    parts = [
        {
            **part,
            "url": registry.storage_url(
                request,
                "PUT",
                uid,
                {"partNumber": str(part["part_number"]), "uploadId": upload["id"]},
            ),
        }
        for part in plan_parts(row["size"], upload["part_size"])
    ]
    return {
        "type": "s3",
        "upload_id": upload["id"],
        "parts": parts,
        "complete_url": registry.storage_url(
            request, "POST", uid, {"uploadId": upload["id"]}
        ),
    }
