"""A record's file_name may hold folders and '..' (the platform allows it): it is
kept as given, but only its base name reaches headers and storage locations."""

from urllib.parse import quote

import httpx
import pytest

from luml_notebooks.local_registry import create_app


@pytest.mark.parametrize(
    ("file_name", "base", "ascii_base"),
    [
        ("../../outside.luml", "outside.luml", "outside.luml"),
        ("models/v1/model.luml", "model.luml", "model.luml"),
        ("..\\..\\windows.luml", "windows.luml", "windows.luml"),
        ("x/..", "artifact", "artifact"),
        ("sub/modèle final.luml", "modèle final.luml", "mod_le final.luml"),
        ("line\nbreak.luml", "line\nbreak.luml", "line_break.luml"),
    ],
)
def test_only_the_base_name_reaches_headers_and_locations(
    data_dir,
    bootstrap_key,
    live_server,
    api_for,
    luml_file,
    file_name,
    base,
    ascii_base,
):
    data = luml_file(b"weights")
    with live_server(create_app(data_dir)) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            api = api_for(client, bootstrap_key)
            artifact = api.push(data, file_name=file_name)
            assert artifact["file_name"] == file_name  # the record keeps it

            location = artifact["bucket_location"]
            prefix = f"orbit-{api.orbit}/collection-{api.collection}/"
            assert location.startswith(prefix)
            stored_name = location.removeprefix(prefix)
            assert "/" not in stored_name and "\\" not in stored_name
            assert stored_name == f"{artifact['unique_identifier']}-{base}"

            url = api.get(api.artifact_path(artifact["id"]) + "/download-url")
            download = client.get(url.json()["url"])
            assert download.status_code == 200 and download.content == data
            assert download.headers["content-disposition"] == (
                f'attachment; filename="{ascii_base}"; '
                f"filename*=UTF-8''{quote(base, safe='')}"
            )
