"""Multipart uploads, S3 style, with a threshold small enough for tests."""

import hashlib
import os
import re
from xml.etree import ElementTree

import pytest

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
THRESHOLD = 50_000
PART_SIZE = 16_384


@pytest.fixture
def mp_api(make_client, data_dir, bootstrap_key, api_for):
    client = make_client(
        data_dir, multipart_threshold=THRESHOLD, multipart_part_size=PART_SIZE
    )
    return api_for(client, bootstrap_key)


def _put_parts(api, data, parts):
    etags = {}
    for part in reversed(parts):  # any order works, as on S3
        chunk = data[part["start_byte"] : part["end_byte"] + 1]
        response = api.client.put(part["url"], content=chunk)
        assert response.status_code == 200, response.text
        etags[part["part_number"]] = response.headers["etag"].strip('"')
    return etags


def _complete_xml(etags):
    parts = "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{etags[n]}</ETag></Part>"
        for n in sorted(etags)
    )
    return f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>"


@pytest.mark.parametrize(
    "path", ["/v1/bucket-secrets/upload/multipart", "/bucket-secrets/upload/multipart"]
)
def test_multipart_upload_round_trip(mp_api, luml_file, data_dir, path):
    data = luml_file(os.urandom(100_000))
    artifact, plan = mp_api.start_multipart(data, path)
    parts = plan["parts"]
    assert plan["type"] == "s3"
    assert len(parts) == -(-len(data) // PART_SIZE)
    assert parts[0] == {**parts[0], "part_number": 1, "start_byte": 0}
    assert parts[-1]["end_byte"] == len(data) - 1
    assert sum(part["part_size"] for part in parts) == len(data)

    etags = _put_parts(mp_api, data, parts)
    refused = mp_api.set_status(artifact["id"], "uploaded")
    assert refused.status_code == 409  # parts alone are not a file yet

    done = mp_api.client.post(
        plan["complete_url"],
        content=_complete_xml(etags),
        headers={"Content-Type": "application/xml"},
    )
    assert done.status_code == 200, done.text
    etag = ElementTree.fromstring(done.content).find(f"{S3_NS}ETag").text
    assert re.fullmatch(rf'"[0-9a-f]{{32}}-{len(parts)}"', etag)

    assert mp_api.set_status(artifact["id"], "uploaded").json()["status"] == (
        "uploaded"
    )
    assert mp_api.download(artifact["id"]) == data
    assert not list((data_dir / "blobs" / "multipart").iterdir())


def test_small_files_still_use_a_single_put(mp_api, luml_file):
    created = mp_api.create(luml_file(b"small"))
    assert created["upload_details"]["multipart"] is False


def test_multipart_rejects_bad_parts_and_lists(mp_api, luml_file):
    data = luml_file(os.urandom(60_000))
    artifact, plan = mp_api.start_multipart(data)
    parts = plan["parts"]

    short = mp_api.client.put(parts[0]["url"], content=data[:100])
    assert short.status_code == 400 and "Content-Length" in short.json()["detail"]
    outside = parts[0]["url"].replace("partNumber=1", f"partNumber={len(parts) + 1}")
    assert mp_api.client.put(outside, content=data[:PART_SIZE]).status_code == 403

    etags = _put_parts(mp_api, data, parts[1:])
    missing = mp_api.client.post(plan["complete_url"], content=_complete_xml(etags))
    assert missing.status_code == 400
    assert "parts 1 to" in missing.json()["detail"]

    etags |= _put_parts(mp_api, data, parts[:1])
    wrong = {**etags, 2: "0" * 32}
    mismatch = mp_api.client.post(plan["complete_url"], content=_complete_xml(wrong))
    assert mismatch.status_code == 400
    assert "ETag of part 2" in mismatch.json()["detail"]
    garbage = mp_api.client.post(plan["complete_url"], content=b"<not xml")
    assert garbage.status_code == 400

    # A part holding the wrong bytes passes its own checks but not the file's hash.
    tampered = bytearray(data[:PART_SIZE])
    tampered[0] ^= 0xFF
    replaced = mp_api.client.put(parts[0]["url"], content=bytes(tampered))
    etags[1] = replaced.headers["etag"].strip('"')
    corrupt = mp_api.client.post(plan["complete_url"], content=_complete_xml(etags))
    assert corrupt.status_code == 400
    assert "Upload corrupted" in corrupt.json()["detail"]
    assert mp_api.set_status(artifact["id"], "uploaded").status_code == 409

    etags |= _put_parts(mp_api, data, parts[:1])
    ok = mp_api.client.post(plan["complete_url"], content=_complete_xml(etags))
    assert ok.status_code == 200
    assert mp_api.download(artifact["id"]) == data
    assert (
        hashlib.sha256(mp_api.download(artifact["id"])).hexdigest()
        == (artifact["file_hash"])
    )


def test_multipart_urls_check_the_request(mp_api, luml_file):
    data = luml_file(os.urandom(60_000))
    created = mp_api.create(data)
    details = created["upload_details"]
    body = {
        "bucket_id": details["bucket_secret_id"],
        "bucket_location": details["bucket_location"],
        "size": len(data),
    }
    path = "/v1/bucket-secrets/upload/multipart"
    no_id = mp_api.post(path, json=body)
    assert no_id.status_code == 400 and "upload_id" in no_id.json()["detail"]
    unknown = mp_api.post(path, json={**body, "upload_id": "nope"})
    assert unknown.status_code == 404
    wrong_size = mp_api.post(path, json={**body, "size": 5, "upload_id": "x"})
    assert wrong_size.status_code == 400
    assert mp_api.client.post(path, json=body).status_code == 401
