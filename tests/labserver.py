"""A real Jupyter server with JupyterLab, in a subprocess, for tests and benchmarks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` on 127.0.0.1 with a random token and a temp root.

    The user's own Jupyter config and data stay out (temp JUPYTER_CONFIG_DIR,
    JUPYTER_DATA_DIR); what the environment installed (the labextension, the
    server extension's config, ipykernel's kernel spec) stays visible.
    ``server_config`` is the text of a ``jupyter_server_config.py`` for this run.
    """

    def __init__(
        self,
        root: Path,
        home: Path,
        *,
        timeout: float = 90,
        server_config: str = "",
    ) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}/"
        for sub in ("config", "data", "runtime"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        if server_config:
            (home / "config" / "jupyter_server_config.py").write_text(server_config)
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(home / "ipython"),
        }
        self.log_path = home / "server.log"
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0",
                f"--ServerApp.root_dir={root}",
                f"--IdentityProvider.token={self.token}",
                "--LabApp.expose_app_in_browser=True",
                # no announcements fetched from the internet by the server
                "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
                # containers often run as root; the server refuses it by default
                *(["--allow-root"] if os.geteuid() == 0 else []),
            ],
            cwd=root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.api = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"token {self.token}"},
            timeout=30,
        )
        self._wait(timeout)

    def _wait(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log()}")
            try:
                if self.api.get("api/status").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"jupyter lab did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def lab_url(self) -> str:
        """The page that logs the browser in with the token."""
        return f"{self.url}lab?token={self.token}"

    def stop(self) -> None:
        self.api.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
