"""HTTP handlers of the server extension: authenticated and authorized, under
/luml-notebooks/api."""

from __future__ import annotations

import json

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop

from .files import OutsideRoot, list_models, read_range, resolve_inside

API_PATH = "luml-notebooks/api"

# Both endpoints read the files of the contents root, as /files/ does: the
# server's Authorizer answers for them as for reading files ("read" on "contents").
AUTH_RESOURCE = "contents"


def _root_and_rules(handler: APIHandler) -> tuple[str, bool, object]:
    manager = handler.contents_manager
    root = getattr(manager, "root_dir", None)
    if not root:
        raise web.HTTPError(
            501, "Model files can only be listed when the contents live on disk."
        )
    allow_hidden = bool(getattr(manager, "allow_hidden", False))
    should_list = getattr(manager, "should_list", None)
    return root, allow_hidden, should_list


class ModelsHandler(APIHandler):
    """GET: every model file under the root: path, size, last_modified."""

    auth_resource = AUTH_RESOURCE

    @web.authenticated
    @authorized
    async def get(self) -> None:
        root, allow_hidden, should_list = _root_and_rules(self)
        models, truncated = await self._run(root, allow_hidden, should_list)
        self.set_header("Cache-Control", "no-store")
        self.finish(
            json.dumps(
                {"models": [m.as_json() for m in models], "truncated": truncated}
            )
        )

    async def _run(self, root, allow_hidden, should_list):
        # a large tree takes a while to walk: keep the server answering meanwhile
        return await IOLoop.current().run_in_executor(
            None,
            lambda: list_models(
                root, allow_hidden=allow_hidden, should_list=should_list
            ),
        )


class BytesHandler(APIHandler):
    """GET ?path=&offset=&length=: raw bytes of a range; the file size in a header."""

    auth_resource = AUTH_RESOURCE

    def compute_etag(self) -> None:
        # Tornado would hash each answer (up to 16 MiB) on the event loop
        # for a cache that Cache-Control: no-store turns off anyway.
        return None

    @web.authenticated
    @authorized
    async def get(self) -> None:
        root, allow_hidden, _ = _root_and_rules(self)
        path = self.get_query_argument("path", "")
        try:
            offset = int(self.get_query_argument("offset", "0"))
            length = int(self.get_query_argument("length", "0"))
            file = resolve_inside(root, path, allow_hidden=allow_hidden)
        except ValueError as error:  # OutsideRoot is a ValueError
            status = 403 if isinstance(error, OutsideRoot) else 400
            raise web.HTTPError(status, str(error)) from None
        if not file.is_file():
            raise web.HTTPError(404, f"No file {path!r}")
        try:
            # a large range from a slow disk must not stall the server
            data, size = await IOLoop.current().run_in_executor(
                None, read_range, file, offset, length
            )
        except ValueError as error:
            raise web.HTTPError(400, str(error)) from None
        except OSError as error:
            raise web.HTTPError(500, f"Could not read {path!r}: {error}") from None
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Luml-File-Size", str(size))
        # APIHandler.finish would otherwise label the bytes application/json
        self.finish(data, set_content_type="application/octet-stream")


def setup_handlers(web_app) -> None:
    base = web_app.settings["base_url"]
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, API_PATH, "models"), ModelsHandler),
            (url_path_join(base, API_PATH, "bytes"), BytesHandler),
        ],
    )
