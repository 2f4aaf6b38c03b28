"""The FastAPI application of the local LUML Registry."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ..loopback import TrustedHosts
from . import api_routes, bucket_routes
from .context import MULTIPART_THRESHOLD, Registry
from .errors import RegistryError
from .signing import UrlSigner
from .store import ABANDONED_AFTER, RegistryStore

#: how often a running Registry sweeps abandoned uploads and ended runs' keys
SWEEP_EVERY = 3600.0

# Sites served from this machine, on any port.
LOOPBACK_ORIGIN_REGEX = r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$"


def create_app(
    data_dir: Path,
    *,
    public_url: str | None = None,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    multipart_part_size: int | None = None,
    allowed_origins: Sequence[str] = (),
    allow_origin_regex: str | None = LOOPBACK_ORIGIN_REGEX,
    listen_host: str = "127.0.0.1",
    abandoned_after: float = ABANDONED_AFTER,
    sweep_every: float = SWEEP_EVERY,
) -> FastAPI:
    """Build the registry app over ``data_dir`` (SQLite file plus blobs).

    ``public_url`` is the origin put into upload and download URLs; by default
    the one each request came in on. Files over ``multipart_threshold`` bytes
    get a multipart upload, in parts of ``multipart_part_size`` bytes (default:
    the platform's sizes). Browsers may call from ``allowed_origins`` and from
    origins matching ``allow_origin_regex`` (default: loopback, any port).
    Requests must name a loopback host, ``listen_host`` or ``public_url``'s
    host (see ``TrustedHosts``); the URLs the Registry signs are built on it.
    On start and every ``sweep_every`` seconds it deletes multipart uploads
    and temp files idle for ``abandoned_after`` seconds.
    """
    if multipart_threshold < 1:
        raise ValueError("multipart_threshold must be at least 1 byte")
    if multipart_part_size is not None and multipart_part_size < 1:
        raise ValueError("multipart_part_size must be at least 1 byte")
    store = RegistryStore(data_dir)

    def sweep() -> None:
        # keys of runs killed before they could revoke them; uploads that a
        # client gave up on or a crash cut off
        store.purge_ended_sessions()
        store.sweep_abandoned_uploads(abandoned_after)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sweep()  # before the first request: what the last run left
        task = asyncio.create_task(_every(sweep_every, sweep))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = FastAPI(
        title="LUML Notebooks local Registry",
        description="A local server speaking the LUML Registry API subset.",
        lifespan=lifespan,
    )
    app.state.registry = Registry(
        store=store,
        signer=UrlSigner(store.signing_key()),
        public_url=public_url.rstrip("/") if public_url else None,
        multipart_threshold=multipart_threshold,
        multipart_part_size=multipart_part_size,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(allowed_origins),
        allow_origin_regex=allow_origin_regex,
        allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept", "x-ms-blob-type"],
        # The browser must read part ETags to complete a multipart upload.
        expose_headers=["ETag"],
        max_age=600,
    )
    # added last, so it runs first: a refused Host reaches nothing else
    app.add_middleware(
        HostCheck, trusted=TrustedHosts.for_server(listen_host, public_url)
    )
    app.add_exception_handler(RegistryError, _registry_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(api_routes.router)
    app.include_router(api_routes.multipart_router)
    app.include_router(bucket_routes.router)

    @app.get("/", include_in_schema=False)
    def about() -> dict[str, Any]:
        return {"service": "luml-notebooks-registry", "api": "/v1", "docs": "/docs"}

    return app


async def _every(seconds: float, work: Any) -> None:
    while True:
        await asyncio.sleep(seconds)
        await anyio.to_thread.run_sync(work)


class HostCheck:
    """Refuses requests whose Host header is not trusted, as the API's errors do.

    Not Starlette's TrustedHostMiddleware: its answer says only "Invalid host
    header", and Starlette releases our FastAPI range allows cut IPv6 Host
    headers such as ``[::1]:8765`` at the first colon.
    """

    def __init__(self, app: ASGIApp, trusted: TrustedHosts) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            problem = self.trusted.problem(Headers(scope=scope).get("host"))
            if problem:
                response = JSONResponse({"detail": problem}, status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _registry_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RegistryError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(
        {"detail": exc.detail}, status_code=exc.status_code, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    # One readable sentence instead of FastAPI's list, so a UI can show it as is.
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = [str(part) for part in error["loc"] if part not in ("body", "query")]
        field = ".".join(where) or "request body"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{field}: {message}")
    return JSONResponse(
        {"detail": "Invalid request: " + "; ".join(problems)}, status_code=422
    )
