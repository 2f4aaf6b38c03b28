"""The /v1 API through FastAPI's TestClient, over real SQLite and files."""

import hashlib
import re
import sqlite3
import time

import pytest

from luml_notebooks.local_registry import (
    RegistryStore,
    create_api_key,
    default_data_dir,
)
from luml_notebooks.local_registry.signing import UrlSigner

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_discovery_lists_the_bootstrapped_hierarchy(api):
    assert api.get("/v1/auth/api-keys/validate").status_code == 204

    orgs = api.get("/v1/users/me/organizations").json()
    assert [org["name"] for org in orgs] == ["Local Organization"]
    assert UUID_RE.match(orgs[0]["id"])

    orbits = api.get(f"/v1/organizations/{api.org}/orbits").json()
    assert len(orbits) == 1
    assert orbits[0]["organization_id"] == api.org
    assert orbits[0]["total_collections"] == 1
    assert api.get(api.orbit_path).json()["id"] == api.orbit

    page = api.get(api.orbit_path + "/collections").json()
    assert page["cursor"] is None
    [collection] = page["items"]
    assert collection["type"] == "model"
    assert collection["orbit_id"] == api.orbit
    assert isinstance(collection["description"], str)
    details = api.get(api.collection_path()).json()
    assert details["artifacts_tags"] == []


def test_bootstrap_happens_once(data_dir):
    store = RegistryStore(data_dir)
    assert store.ensure_bootstrap().startswith("dfs_")
    assert store.ensure_bootstrap() is None
    assert RegistryStore(data_dir).ensure_bootstrap() is None


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key"),
        ({"Authorization": "Bearer dfs_not-a-real-key"}, "Invalid API key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Missing API key"),
    ],
)
def test_missing_or_wrong_key_is_401(client, bootstrap_key, headers, message):
    for path in ("/v1/auth/api-keys/validate", "/v1/users/me/organizations"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert message in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"


def test_keys_are_stored_only_as_hashes(data_dir, bootstrap_key):
    second = create_api_key(data_dir)
    assert second.startswith("dfs_") and second != bootstrap_key
    raw = b"".join(path.read_bytes() for path in data_dir.glob("registry.sqlite3*"))
    assert bootstrap_key.encode() not in raw
    assert second.encode() not in raw
    with sqlite3.connect(data_dir / "registry.sqlite3") as conn:
        hashes = {row[0] for row in conn.execute("SELECT key_hash FROM api_keys")}
    assert hashlib.sha256(second.encode()).hexdigest() in hashes


def test_push_then_download_identical_bytes(api, luml_file, data_dir):
    data = luml_file(b"\x00\x01 model weights " * 500)
    created = api.create(data)
    artifact, details = created["artifact"], created["upload_details"]
    assert artifact["status"] == "pending_upload"
    assert artifact["type"] == "model"
    assert artifact["size"] == len(data)
    assert artifact["bucket_location"] == (
        f"orbit-{api.orbit}/collection-{api.collection}/"
        f"{artifact['unique_identifier']}-model.luml"
    )
    assert re.fullmatch(r"[0-9a-f]{32}", artifact["unique_identifier"])
    assert details["type"] == "s3"
    assert details["multipart"] is False
    assert details["url"].startswith("http://127.0.0.1/")
    assert details["bucket_location"] == artifact["bucket_location"]
    assert (
        details["bucket_secret_id"]
        == api.get(api.orbit_path).json()["bucket_secret_id"]
    )

    put = api.client.put(details["url"], content=data)
    assert put.status_code == 200
    assert put.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'

    updated = api.set_status(artifact["id"], "uploaded").json()
    assert updated["status"] == "uploaded"
    fetched = api.get(api.artifact_path(artifact["id"])).json()
    assert fetched["status"] == "uploaded"
    assert fetched["collection"]["id"] == api.collection
    assert fetched["file_index"]["manifest.json"][1] > 0
    assert api.download(artifact["id"]) == data

    listed = api.get(api.collection_path() + "/artifacts").json()
    assert [item["id"] for item in listed["items"]] == [artifact["id"]]
    assert listed["items"][0]["collection_name"] == "Models"
    # The orbit-level listing is what luml-api's artifacts.list() calls.
    orbit_listed = api.get(
        api.orbit_path + "/artifacts", params={"collection_ids": [api.collection]}
    ).json()
    assert [item["id"] for item in orbit_listed["items"]] == [artifact["id"]]
    assert api.get(api.collection_path()).json()["total_artifacts"] == 1

    blob = data_dir / "blobs" / "objects"
    [stored] = [path for path in blob.rglob("*") if path.is_file()]
    assert stored.read_bytes() == data


@pytest.mark.parametrize(
    "file_name",
    ["bad:name.luml", "no-extension", "model.lu ml", "a#b.luml", "quote'.luml", "x."],
)
def test_bad_file_name_is_rejected(api, luml_file, file_name, body_for):
    data = luml_file()
    response = api.post(
        api.collection_path() + "/artifacts",
        json={**body_for(data), "file_name": file_name},
    )
    assert response.status_code == 422
    assert "file_name" in response.json()["detail"]
    assert "<name>.<extension>" in response.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("size", 0, "greater than 0"),
        ("size", -5, "greater than 0"),
        ("file_hash", "abc123", "64 hexadecimal"),
        ("file_hash", "z" * 64, "64 hexadecimal"),
    ],
)
def test_size_and_hash_are_validated(api, luml_file, field, value, message, body_for):
    data = luml_file()
    response = api.post(
        api.collection_path() + "/artifacts", json={**body_for(data), field: value}
    )
    assert response.status_code == 422
    assert field in response.json()["detail"] and message in response.json()["detail"]


def test_model_type_needs_the_six_root_files(api, luml_file, body_for):
    data = luml_file(root_files=("manifest.json", "dtypes.json", "env.json"))
    path = api.collection_path() + "/artifacts"

    claimed = api.post(path, json={**body_for(data), "type": "model"})
    assert claimed.status_code == 400
    detail = claimed.json()["detail"]
    assert "lacks the model root files meta.json, ops.json, variant_config.json" in (
        detail
    )

    unclaimed = api.post(path, json=body_for(data))
    assert unclaimed.status_code == 400
    assert "Could not determine the artifact type" in unclaimed.json()["detail"]

    # A model collection cannot hold a dataset, a mixed one can.
    dataset = api.post(path, json={**body_for(data), "type": "dataset"})
    assert dataset.status_code == 400
    assert "cannot hold dataset" in dataset.json()["detail"]
    mixed = api.post(
        api.orbit_path + "/collections", json={"name": "Mixed", "type": "mixed"}
    ).json()
    accepted = api.create(data, collection=mixed["id"], type="dataset")
    assert accepted["artifact"]["type"] == "dataset"


def test_file_index_must_lie_inside_the_file(api, luml_file, body_for):
    data = luml_file()
    body = body_for(data)
    body["file_index"]["manifest.json"] = [len(data) - 1, 10]
    response = api.post(api.collection_path() + "/artifacts", json=body)
    assert response.status_code == 422
    assert "outside the file" in response.json()["detail"]


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda data: data[:-512], "Upload incomplete"),
        (lambda data: data + b"extra", "more bytes than the declared size"),
        (lambda data: data[:-1] + b"!", "Upload corrupted"),
    ],
)
def test_put_with_wrong_bytes_stores_nothing(api, luml_file, data_dir, mangle, message):
    data = luml_file(b"payload" * 100)
    created = api.create(data)
    url = created["upload_details"]["url"]

    bad = mangle(data)
    # Without Content-Length the stream itself is checked, not just the header.
    response = api.client.put(url, content=iter([bad[:1000], bad[1000:]]))
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]

    refused = api.set_status(created["artifact"]["id"], "uploaded")
    assert refused.status_code == 409
    assert "no verified file" in refused.json()["detail"]


@pytest.mark.parametrize("extra", [b"", b"extra" * 200_000])
def test_a_body_of_many_batches_is_stored_whole_or_not_at_all(
    api, luml_file, data_dir, extra
):
    # megabytes in 64 KiB pieces: one batch is hashed and written while the
    # next arrives, and a body over the declared size is cut off mid-stream
    data = luml_file(bytes(range(256)) * 14_000)
    created = api.create(data)
    body = data + extra
    pieces = (body[at : at + 65536] for at in range(0, len(body), 65536))
    response = api.client.put(created["upload_details"]["url"], content=pieces)
    if extra:
        assert response.status_code == 400
        assert "more bytes than the declared size" in response.json()["detail"]
        assert not [p for p in (data_dir / "blobs").rglob("*") if p.is_file()]
        return
    assert response.status_code == 200
    assert response.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'
    api.set_status(created["artifact"]["id"], "uploaded")
    assert api.download(created["artifact"]["id"]) == data


def test_put_content_length_mismatch_is_refused_early(api, luml_file):
    data = luml_file()
    created = api.create(data)
    response = api.client.put(created["upload_details"]["url"], content=data[:100])
    assert response.status_code == 400
    assert "Content-Length is 100" in response.json()["detail"]


def test_status_transitions(api, luml_file):
    data = luml_file()
    created = api.create(data)
    artifact_id, url = created["artifact"]["id"], created["upload_details"]["url"]

    assert api.set_status(artifact_id, "upload_failed").json()["status"] == (
        "upload_failed"
    )
    # Retrying after a failure: PUT again, then uploaded is allowed.
    assert api.client.put(url, content=data).status_code == 200
    assert api.set_status(artifact_id, "uploaded").json()["status"] == "uploaded"

    back = api.set_status(artifact_id, "upload_failed")
    assert back.status_code == 400
    assert (
        "Invalid status transition from uploaded to upload_failed"
        in (back.json()["detail"])
    )
    again = api.set_status(artifact_id, "pending_upload")
    assert again.status_code == 400
    assert api.set_status(artifact_id, "nonsense").status_code == 422

    replaced = api.client.put(url, content=data)
    assert replaced.status_code == 409
    assert "cannot be replaced" in replaced.json()["detail"]

    renamed = api.patch(api.artifact_path(artifact_id), json={"name": "Renamed"})
    assert renamed.json()["name"] == "Renamed"
    assert renamed.json()["status"] == "uploaded"


def test_storage_urls_are_signed(api, luml_file):
    data = luml_file()
    created = api.create(data)
    url = created["upload_details"]["url"]

    tampered = re.sub(r"X-Signature=[0-9a-f]{4}", "X-Signature=0000", url)
    assert api.client.put(tampered, content=data).status_code == 403
    other = created["artifact"]["unique_identifier"]
    moved = url.replace(other, "0" * 32)
    assert api.client.put(moved, content=data).status_code == 403

    api.client.put(url, content=data)
    download = api.get(
        api.artifact_path(created["artifact"]["id"]) + "/download-url"
    ).json()["url"]
    # A download URL does not allow an upload.
    assert api.client.put(download, content=data).status_code == 403
    assert api.client.get(download).content == data

    signer = UrlSigner(b"k" * 32, ttl=-10)
    query = dict(pair.split("=") for pair in signer.query("GET", "/x", {}).split("&"))
    with pytest.raises(Exception, match="expired"):
        signer.verify("GET", "/x", query)


def test_organizations_are_isolated(
    api, client, data_dir, luml_file, api_for, body_for
):
    pushed = api.push(luml_file(b"org A's model"))

    org_b = RegistryStore(data_dir).catalog.create_organization("Other Org")
    b = api_for(client, create_api_key(data_dir, org_b))
    assert b.org == org_b != api.org
    assert [o["id"] for o in b.get("/v1/users/me/organizations").json()] == [org_b]

    # A's key cannot reach anything of B's, and B's key nothing of A's.
    for path in (
        f"/v1/organizations/{org_b}/orbits",
        b.orbit_path,
        b.orbit_path + "/collections",
        b.collection_path(),
        b.collection_path() + "/artifacts",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert "not found" in response.json()["detail"]
    assert (
        api.post(
            b.collection_path() + "/artifacts", json=body_for(luml_file())
        ).status_code
        == 404
    )
    assert b.get(api.artifact_path(pushed["id"])).status_code == 404
    assert b.get(api.artifact_path(pushed["id"]) + "/download-url").status_code == 404
    # Even with B's own org in the path, A's orbit is not B's.
    sneaky = f"/v1/organizations/{org_b}/orbits/{api.orbit}/collections"
    assert b.get(sneaky).status_code == 404
    multipart = b.post(
        "/v1/bucket-secrets/upload/multipart",
        json={
            "bucket_id": api.get(api.orbit_path).json()["bucket_secret_id"],
            "bucket_location": pushed["bucket_location"],
            "size": pushed["size"],
            "upload_id": "x",
        },
    )
    assert multipart.status_code == 404


def test_collections_cursor_paging(api):
    names = [f"Collection {i}" for i in range(7)]
    for name in names:
        response = api.post(
            api.orbit_path + "/collections",
            json={"name": name, "type": "model", "tags": ["paged"]},
        )
        assert response.status_code == 200

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get(api.orbit_path + "/collections", params=params).json()
        seen += [item["name"] for item in page["items"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [*reversed(names), "Models"]  # newest first

    ascending = api.get(
        api.orbit_path + "/collections", params={"limit": 100, "order": "asc"}
    ).json()
    assert [item["name"] for item in ascending["items"]] == ["Models", *names]

    found = api.get(api.orbit_path + "/collections", params={"search": "tion 3"})
    assert [item["name"] for item in found.json()["items"]] == ["Collection 3"]
    tagged = api.get(api.orbit_path + "/collections", params={"tags": ["paged"]})
    assert len(tagged.json()["items"]) == 7

    bad = api.get(api.orbit_path + "/collections", params={"cursor": "garbage!"})
    assert bad.status_code == 400 and "Invalid cursor" in bad.json()["detail"]
    assert (
        api.get(api.orbit_path + "/collections", params={"limit": 0}).status_code == 422
    )


def test_artifacts_cursor_paging(api, luml_file):
    ids = [api.create(luml_file(bytes([i]) * 10))["artifact"]["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(api.collection_path() + "/artifacts", params=params).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_state_survives_a_restart(
    make_client, data_dir, bootstrap_key, luml_file, api_for
):
    first = api_for(make_client(data_dir), bootstrap_key)
    data = luml_file(b"persist me" * 1000)
    pushed = first.push(data)
    pending = first.create(luml_file(b"pending"))["artifact"]
    first.client.close()

    second = api_for(make_client(data_dir), bootstrap_key)
    assert RegistryStore(data_dir).ensure_bootstrap() is None
    fetched = second.get(second.artifact_path(pushed["id"])).json()
    assert fetched["status"] == "uploaded"
    assert fetched["file_hash"] == hashlib.sha256(data).hexdigest()
    assert second.download(pushed["id"]) == data
    assert second.get(second.artifact_path(pending["id"])).json()["status"] == (
        "pending_upload"
    )


def test_upload_url_survives_a_restart(
    make_client, data_dir, bootstrap_key, luml_file, api_for
):
    first = api_for(make_client(data_dir), bootstrap_key)
    data = luml_file()
    created = first.create(data)
    first.client.close()
    second = api_for(make_client(data_dir), bootstrap_key)
    assert second.client.put(created["upload_details"]["url"], content=data).is_success
    assert second.set_status(created["artifact"]["id"], "uploaded").is_success


def test_delete_flow(api, luml_file, data_dir):
    pushed = api.push(luml_file())
    path = api.artifact_path(pushed["id"])
    delete_url = api.get(path + "/delete-url").json()["url"]
    assert api.get(path).json()["status"] == "pending_deletion"
    assert api.client.delete(delete_url).status_code == 204
    assert api.client.delete(path, headers=api.headers).status_code == 204
    assert api.get(path).status_code == 404
    assert not [p for p in (data_dir / "blobs" / "objects").rglob("*") if p.is_file()]


def test_cors_allows_local_sites_and_exposes_etag(
    make_client, data_dir, bootstrap_key, luml_file, api_for
):
    client = make_client(data_dir, allowed_origins=["https://notebooks.example.org"])
    api = api_for(client, bootstrap_key)
    preflight = {
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    for origin in (
        "http://127.0.0.1:8000",
        "http://localhost:5173",
        "https://notebooks.example.org",
    ):
        response = client.options(
            "/v1/users/me/organizations", headers={"Origin": origin, **preflight}
        )
        assert response.status_code == 200, origin
        assert response.headers["access-control-allow-origin"] == origin
        assert (
            "authorization" in response.headers["access-control-allow-headers"].lower()
        )
    refused = client.options(
        "/v1/users/me/organizations",
        headers={"Origin": "https://evil.example.com", **preflight},
    )
    assert "access-control-allow-origin" not in refused.headers

    data = luml_file()
    created = api.create(data)
    put = client.put(
        created["upload_details"]["url"],
        content=data,
        headers={"Origin": "http://localhost:5173"},
    )
    assert put.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "etag" in put.headers["access-control-expose-headers"].lower()


def test_timestamps_and_ids_look_like_the_platform(api, luml_file):
    artifact = api.create(luml_file())["artifact"]
    assert UUID_RE.match(artifact["id"])
    assert artifact["created_at"].endswith("Z")
    time.strptime(artifact["created_at"][:19], "%Y-%m-%dT%H:%M:%S")


def test_default_data_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_data_dir() == tmp_path / "xdg" / "luml-notebooks" / "registry"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == (
        tmp_path / "home" / ".local" / "share" / "luml-notebooks" / "registry"
    )
