"""A real local Registry for browser tests, and driving the push UI against it."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import httpx
from playwright.sync_api import Page
from starlette.middleware import Middleware

from luml_notebooks.local_registry import RegistryStore
from luml_notebooks.local_registry.background import BackgroundRegistry


class StorageFaults:
    """ASGI middleware inside the Registry's CORS layer, so the browser can
    read what it answers: fail PUTs to storage with a 500, or hang them."""

    def __init__(self, app, control: FaultControl) -> None:
        self.app = app
        self.control = control

    async def __call__(self, scope, receive, send) -> None:
        is_put = (
            scope["type"] == "http"
            and scope["method"] == "PUT"
            and scope["path"].startswith("/storage/")
        )
        if is_put and b"partNumber" in scope["query_string"]:
            self.control.part_puts += 1
        if is_put and self.control.hang:
            await receive()  # the first bytes of the file arrived
            self.control.put_started.set()
            await asyncio.Event().wait()  # until the server is stopped
        if is_put and self.control.fail:
            more = True
            while more:  # read the body, so the browser sees the answer
                more = (await receive()).get("more_body", False)
            self.control.failed_puts += 1
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            body = b'{"detail": "Injected storage failure"}'
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


class FaultControl:
    def __init__(self) -> None:
        self.fail = False
        self.hang = False
        self.failed_puts = 0
        self.part_puts = 0
        self.put_started = threading.Event()


class LocalRegistry:
    """A real Registry (uvicorn thread, temp data dir) with an API view of it."""

    def __init__(self, data_dir: Path, **app_options) -> None:
        self.data_dir = data_dir
        self.app_options = app_options
        self.key = RegistryStore(data_dir).ensure_bootstrap()
        self.faults = FaultControl()
        self.server = self._start(port=0)
        self.url = self.server.url
        self.api = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.key}"},
            timeout=30,
        )
        self.org = self.api.get("/v1/users/me/organizations").json()[0]["id"]
        orbits = self.api.get(f"/v1/organizations/{self.org}/orbits").json()
        self.orbit = orbits[0]["id"]
        collections = self.api.get(self._orbit_path + "/collections").json()
        self.collection = collections["items"][0]["id"]

    def _start(self, port: int) -> BackgroundRegistry:
        server = BackgroundRegistry(
            self.data_dir, port=port, graceful_timeout=1, **self.app_options
        )
        # appended: inside the CORS middleware, like any answer of the app
        server.app.user_middleware.append(
            Middleware(StorageFaults, control=self.faults)
        )
        return server.start()

    @property
    def _orbit_path(self) -> str:
        return f"/v1/organizations/{self.org}/orbits/{self.orbit}"

    @property
    def artifacts_path(self) -> str:
        return f"{self._orbit_path}/collections/{self.collection}/artifacts"

    def artifacts(self) -> list[dict]:
        """The collection's artifacts, oldest first."""
        response = self.api.get(self.artifacts_path, params={"order": "asc"})
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def artifact(self, artifact_id: str) -> dict:
        return self.api.get(f"{self.artifacts_path}/{artifact_id}").json()

    def download(self, artifact_id: str) -> bytes:
        url = self.api.get(f"{self.artifacts_path}/{artifact_id}/download-url")
        response = httpx.get(url.json()["url"], timeout=60)
        assert response.status_code == 200, response.text
        return response.content

    def stop(self) -> None:
        self.server.stop()

    def restart(self) -> None:
        """Start again on the same port and data, without faults."""
        self.faults.hang = self.faults.fail = False
        self.server = self._start(port=self.server.port)

    def close(self) -> None:
        self.api.close()
        self.server.stop()


def connect(page: Page, registry: LocalRegistry) -> None:
    """Set the Registry URL and key the way a user does, and test them."""
    page.evaluate(
        "void window.jupyterapp.commands.execute('luml-notebooks:registry-connection')"
    )
    form = page.locator(".jp-Dialog .jp-LumlConnection")
    form.wait_for()
    form.locator("input[type=url]").fill(registry.url)
    form.locator("input[type=password]").fill(registry.key)
    form.locator(".jp-LumlConnection-test").click()
    result = form.locator(".jp-LumlConnection-result[data-state=ok]")
    result.wait_for(timeout=30_000)
    assert result.inner_text().startswith(f"Connected to {registry.url}.")
    assert "Local Organization" in result.inner_text()
    page.locator(".jp-Dialog .jp-Dialog-button", has_text="Save").click()
    form.wait_for(state="detached")


def open_push_dialog(page: Page, path: str):
    page.evaluate(
        "path => void window.jupyterapp.commands.execute("
        "'luml-notebooks:push-model', {path})",
        path,
    )
    dialog = page.locator(".jp-LumlPush")
    dialog.wait_for()
    # ready: the file is hashed and a collection is chosen
    page.wait_for_function(
        "() => { const b = document.querySelector('.jp-LumlPush-push');"
        " return b && !b.disabled; }",
        timeout=60_000,
    )
    return dialog


def expect_pushed(page: Page) -> str:
    """Wait for the dialog to close with a success; return the artifact id."""
    page.locator(".jp-LumlPush").wait_for(state="detached", timeout=120_000)
    toast = page.locator(".Toastify__toast", has_text="as artifact")
    toast.wait_for(timeout=10_000)
    match = re.search(r"as artifact ([0-9a-f-]{36})\.", toast.inner_text())
    assert match, toast.inner_text()
    return match.group(1)


# The push service's hashes computed ahead, through the plugin registry's map
# of services (a private field of Lumino), keyed by the token.
KNOWN_HASH = """async path => {
  const app = window.jupyterapp;
  const token = [...app.pluginRegistry._services.keys()].find(
    t => t.name === 'luml-notebooks:IModelPusher');
  const pusher = await app.resolveRequiredService(token);
  const record = await app.serviceManager.contents.defaultDrive.store.getRecord(path);
  return (record && record.chunks &&
    pusher.knownHashes.get(record.chunks.id, record.size)) || null;
}"""
