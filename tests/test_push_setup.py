"""What makes pushing work out of the box: the site's Registry settings, the
run command's local Registry, and the key it serves from memory only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from luml_notebooks.cli import make_parser
from luml_notebooks.local_registry import RegistryStore
from luml_notebooks.local_registry.background import BackgroundRegistry
from luml_notebooks.site.addon import registry_url_problem
from luml_notebooks.site.serve import make_server, serve_in_thread, server_url
from sitebuild import SITE_CONFIG, build_site


def site_settings(site: Path) -> dict:
    config = json.loads((site / "jupyter-lite.json").read_text())
    return config["jupyter-config-data"]["litePluginSettings"]


def test_registry_url_is_one_build_setting(tmp_path):
    config = {
        **SITE_CONFIG,
        "LumlNotebooksAddon": {
            "pyodide_source": "cdn",
            "registry_url": "https://registry.example/",
        },
    }
    result = build_site(tmp_path, config=config)
    assert result.returncode == 0, result.stdout[-2000:]
    registry = site_settings(tmp_path / "_output")["luml-notebooks:registry"]
    # no localKey: only `luml-notebooks run` serves a key
    assert registry == {"url": "https://registry.example"}


def test_a_bad_registry_url_fails_the_build_with_a_clear_message(tmp_path):
    config = {
        **SITE_CONFIG,
        "LumlNotebooksAddon": {"registry_url": "https://me:dfs_key@r.example"},
    }
    result = build_site(tmp_path, config=config)
    assert result.returncode != 0
    assert "registry_url must be a plain address" in result.stdout


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.luml.ai", None),
        ("http://127.0.0.1:8765", None),
        ("api.luml.ai", "use the Registry's address"),
        ("ftp://x.example", "use the Registry's address"),
        ("https://x.example/?key=dfs_1", "plain address"),
    ],
)
def test_registry_url_problem(url, problem):
    found = registry_url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_memory_files_are_served_to_this_machine_and_never_written(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "jupyter-lite.json").write_text("{}")
    body = b'{"url": "http://127.0.0.1:1", "apiKey": "dfs_secret"}'
    server = make_server(site, port=0, memory_files={"/key.json": body})
    serve_in_thread(server)
    try:
        url = server_url(server)
        response = httpx.get(url + "key.json")
        assert response.status_code == 200
        assert response.content == body
        assert response.headers["cache-control"].startswith("no-store")
        assert response.headers["cross-origin-resource-policy"] == "same-origin"
        assert httpx.head(url + "key.json").status_code == 200
        assert httpx.get(url + "other.json").status_code == 404
    finally:
        server.shutdown()
        server.server_close()
    assert not any(b"dfs_secret" in p.read_bytes() for p in site.rglob("*.*"))


def test_a_revoked_key_stops_working_and_a_restart_keeps_the_port(tmp_path):
    store = RegistryStore(tmp_path)
    key = store.ensure_bootstrap()
    extra = store.create_api_key()
    with BackgroundRegistry(tmp_path) as registry:
        port = registry.port
        headers = {"Authorization": f"Bearer {extra}"}
        check = registry.url + "/v1/auth/api-keys/validate"
        assert httpx.get(check, headers=headers).status_code == 204
        assert store.revoke_api_key(extra) is True
        assert store.revoke_api_key(extra) is False
        assert httpx.get(check, headers=headers).status_code == 401
    with pytest.raises(httpx.TransportError):
        httpx.get(check, headers=headers)  # stopped: nothing listens
    # the same port again at once (tests stop and restart a Registry)
    with BackgroundRegistry(tmp_path, port=port) as again:
        response = httpx.get(
            again.url + "/v1/auth/api-keys/validate",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert response.status_code == 204


def test_run_options():
    args = make_parser().parse_args(["run"])
    assert (args.registry_port, args.registry_data_dir, args.registry_url) == (
        8765,
        None,
        None,
    )
    args = make_parser().parse_args(
        ["run", "--registry-port", "0", "--registry-url", "https://r.example"]
    )
    assert args.registry_port == 0 and args.registry_url == "https://r.example"


def test_run_refuses_a_bad_registry_url_before_building(tmp_path):
    (tmp_path / "jupyter_lite_config.json").write_text("{}")
    result = subprocess.run(
        [
            *(sys.executable, "-m", "luml_notebooks.cli", "run", str(tmp_path)),
            *("--registry-url", "registry.example"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "use the Registry's address" in result.stderr
    assert not (tmp_path / "_output").exists()


def test_the_key_file_is_refused_to_other_machines():
    from luml_notebooks.loopback import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1")
    assert not is_loopback("192.168.1.5") and not is_loopback("10.0.0.1")
