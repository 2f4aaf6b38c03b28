"""The local Registry in a background thread of the current process.

``luml-notebooks run`` serves it beside the site this way; tests and
benchmarks use it too. The socket is bound before the thread starts, so the
URL is known (and the port taken) as soon as the object exists.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from .app import create_app

START_TIMEOUT = 30.0


class BackgroundRegistry:
    """uvicorn serving the Registry app over ``data_dir`` on ``host:port``.

    ``port=0`` picks a free port. Extra keyword arguments go to
    ``create_app`` (multipart sizes, allowed origins, ...).
    """

    def __init__(
        self,
        data_dir: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        graceful_timeout: float = 5.0,
        log_level: str = "warning",
        **app_options: Any,
    ) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # a restart on the same port must not wait for TIME_WAIT to end
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._socket.bind((host, port))
        except OSError:
            self._socket.close()
            raise
        self.host = host
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.app = create_app(Path(data_dir), listen_host=host, **app_options)
        self.server = uvicorn.Server(
            uvicorn.Config(
                self.app,
                log_level=log_level,
                timeout_graceful_shutdown=graceful_timeout,
            )
        )
        self._thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self._socket]},
            name="luml-registry",
            daemon=True,
        )

    def start(self) -> BackgroundRegistry:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._socket.close()
                raise RuntimeError(f"the local Registry did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        """Stop serving; open connections are closed after the grace period."""
        self.server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)
        self._socket.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> BackgroundRegistry:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
