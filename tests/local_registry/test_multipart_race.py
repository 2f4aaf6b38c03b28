"""Completing one multipart upload from several requests at once."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from luml_notebooks.local_registry import create_app

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
PART_SIZE = 256 * 1024


def test_concurrent_completes_give_one_200_and_clear_409s(
    data_dir, bootstrap_key, live_server, api_for, luml_file
):
    data = luml_file(os.urandom(12 * PART_SIZE))
    app = create_app(
        data_dir, multipart_threshold=PART_SIZE, multipart_part_size=PART_SIZE
    )
    with live_server(app) as server:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            api = api_for(client, bootstrap_key)
            artifact, plan = api.start_multipart(data)
            listed = ""
            for part in plan["parts"]:
                chunk = data[part["start_byte"] : part["end_byte"] + 1]
                etag = client.put(part["url"], content=chunk).headers["etag"]
                listed += (
                    f"<Part><PartNumber>{part['part_number']}</PartNumber>"
                    f"<ETag>{etag}</ETag></Part>"
                )
            body = f"<CompleteMultipartUpload>{listed}</CompleteMultipartUpload>"

            together = threading.Barrier(4)

            def complete(_: int) -> httpx.Response:
                with httpx.Client(timeout=60) as own:  # a connection each
                    together.wait()
                    return own.post(plan["complete_url"], content=body)

            with ThreadPoolExecutor(max_workers=4) as pool:
                answers = list(pool.map(complete, range(4)))

            assert sorted(a.status_code for a in answers) == [200, 409, 409, 409], [
                a.text for a in answers
            ]
            for refused in (a for a in answers if a.status_code == 409):
                assert "already" in refused.json()["detail"]
            assert api.set_status(artifact["id"], "uploaded").is_success
            assert api.download(artifact["id"]) == data
    assert not list((data_dir / "blobs" / "multipart").iterdir())
    assert not list((data_dir / "blobs" / "tmp").iterdir())
