"""DNS rebinding: the Registry answers only Host names that cannot be rebound."""

import json

import pytest
from rawhttp import raw_request

from luml_notebooks.local_registry import create_app

VALIDATE = "/v1/auth/api-keys/validate"


@pytest.fixture
def registry_port(data_dir, bootstrap_key, live_server):
    with live_server(create_app(data_dir)) as server:
        yield server.port


@pytest.mark.parametrize(
    "host",
    ["attacker.example", "attacker.example:{port}", "localhost.attacker.example"],
)
def test_a_foreign_host_is_refused_before_the_api(registry_port, bootstrap_key, host):
    auth = {"Authorization": f"Bearer {bootstrap_key}"}
    header = host.format(port=registry_port)
    status, body = raw_request(registry_port, VALIDATE, header, headers=auth)
    assert status == 400
    detail = json.loads(body)["detail"]
    assert header in detail and "localhost" in detail
    orgs = raw_request(
        registry_port, "/v1/users/me/organizations", header, headers=auth
    )
    assert orgs[0] == 400


@pytest.mark.parametrize(
    "host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "localhost"]
)
def test_loopback_names_reach_the_api(registry_port, bootstrap_key, host):
    auth = {"Authorization": f"Bearer {bootstrap_key}"}
    header = host.format(port=registry_port)
    assert raw_request(registry_port, VALIDATE, header, headers=auth)[0] == 204


def test_the_public_url_names_a_trusted_host(data_dir, bootstrap_key, live_server):
    auth = {"Authorization": f"Bearer {bootstrap_key}"}
    app = create_app(data_dir, public_url="https://registry.example")
    with live_server(app) as server:
        for host, status in [
            ("registry.example", 204),
            ("127.0.0.1", 204),
            ("attacker.example", 400),
        ]:
            assert raw_request(server.port, VALIDATE, host, headers=auth)[0] == status
