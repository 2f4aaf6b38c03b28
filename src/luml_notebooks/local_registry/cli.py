"""``registry serve`` and the API key commands (create, list, revoke).

The main CLI calls ``add_registry_parser(subparsers)``; each parsed command
carries ``handler(args) -> int``. ``python -m luml_notebooks.local_registry`` runs the
same commands on their own.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..loopback import is_loopback
from . import missing_registry_extra
from .datadir import DATABASE_FILE, default_data_dir

if TYPE_CHECKING:
    from .store import RegistryStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def serve(
    data_dir: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    allow_non_loopback: bool = False,
    public_url: str | None = None,
) -> None:
    """Run the registry with uvicorn until interrupted."""
    if not is_loopback(host) and not allow_non_loopback:
        raise ValueError(
            f"Refusing to listen on {host}: only loopback addresses are served "
            "unless the host is given explicitly."
        )
    import uvicorn

    from .app import create_app
    from .store import RegistryStore

    store = RegistryStore(data_dir)
    new_key = store.ensure_bootstrap()
    shown_host = f"[{host}]" if ":" in host else host
    url = public_url or f"http://{shown_host}:{port}"
    print(f"LUML Registry: {url}", flush=True)
    print(f"Data directory: {store.data_dir}", flush=True)
    if new_key:
        print(f"New API key (shown only once, keep it): {new_key}", flush=True)
    else:
        print(
            "Use an existing API key, or make one with 'registry create-key'.",
            flush=True,
        )
    if not is_loopback(host):
        print(
            f"Warning: listening on {host}; anyone who can reach it and holds "
            "an API key can use this registry.",
            file=sys.stderr,
            flush=True,
        )
    app = create_app(store.data_dir, public_url=public_url, listen_host=host)
    uvicorn.run(app, host=host, port=port, log_level="info")


def needs_registry_extra(handler):
    """Runs ``handler`` only when the ``registry`` extra is installed; else
    says in one line what to install."""

    @functools.wraps(handler)
    def checked(args: argparse.Namespace) -> int:
        problem = missing_registry_extra()
        if problem:
            print(f"luml-notebooks: {problem}", file=sys.stderr)
            return 2
        return handler(args)

    return checked


@needs_registry_extra
def _serve_command(args: argparse.Namespace) -> int:
    try:
        serve(
            args.data_dir or default_data_dir(),
            args.host or DEFAULT_HOST,
            args.port,
            allow_non_loopback=args.host is not None,
            public_url=args.public_url,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


@needs_registry_extra
def _create_key_command(args: argparse.Namespace) -> int:
    from .errors import RegistryError
    from .store import create_api_key

    try:
        key = create_api_key(
            args.data_dir or default_data_dir(), args.org, name=args.name
        )
    except RegistryError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 1
    print(key)
    return 0


def _existing_store(args: argparse.Namespace) -> RegistryStore | None:
    from .store import RegistryStore

    data_dir = Path(args.data_dir or default_data_dir()).expanduser()
    if not (data_dir / DATABASE_FILE).is_file():
        print(
            f"error: no local Registry in {data_dir}: pass the --data-dir it "
            "was started with.",
            file=sys.stderr,
        )
        return None
    return RegistryStore(data_dir)


@needs_registry_extra
def _list_keys_command(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    if store is None:
        return 1
    keys = store.list_api_keys()
    if not keys:
        print("No API keys: 'registry create-key' makes one.")
        return 0
    rows = [("ID", "KEY", "NAME", "KIND", "CREATED")]
    for key in keys:
        kind = f"run (pid {key.session_owner})" if key.session else "lasting"
        shown = f"{key.prefix}..." if key.prefix else "(not recorded)"
        rows.append((key.id, shown, key.name or "-", kind, key.created_at))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return 0


@needs_registry_extra
def _revoke_key_command(args: argparse.Namespace) -> int:
    store = _existing_store(args)
    if store is None:
        return 1
    if not store.revoke_api_key_by_id(args.key_id):
        print(
            f"error: no API key has the id {args.key_id!r}: "
            "'registry list-keys' shows the ids.",
            file=sys.stderr,
        )
        return 1
    print(f"Revoked API key {args.key_id}; clients using it now get 401.")
    return 0


def _add_serve_options(parser: argparse.ArgumentParser, *, inherit: bool) -> None:
    # Options repeated on "serve" must not overwrite values given before it.
    default = argparse.SUPPRESS if inherit else None
    parser.add_argument(
        "--host",
        default=default,
        help=f"address to listen on (default {DEFAULT_HOST}; anything but "
        "loopback must be given here explicitly)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=argparse.SUPPRESS if inherit else DEFAULT_PORT,
        help=f"port to listen on (default {DEFAULT_PORT})",
    )
    _add_data_dir(parser, inherit=inherit)
    parser.add_argument(
        "--public-url",
        default=default,
        help="origin to put into upload/download URLs when behind a proxy",
    )


def _add_data_dir(parser: argparse.ArgumentParser, *, inherit: bool) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS if inherit else None,
        help=f"where the registry keeps its data (default {default_data_dir()})",
    )


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the registry's options and commands; no command means serve."""
    _add_serve_options(parser, inherit=False)
    parser.add_argument("--org", default=None, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_serve_command)
    commands = parser.add_subparsers(dest="registry_command", metavar="COMMAND")
    serve_parser = commands.add_parser(
        "serve",
        help="run the local Registry (the default)",
        description="Run the local LUML Registry. On first start it creates an "
        "organization, an orbit, a model collection and prints an API key.",
    )
    _add_serve_options(serve_parser, inherit=True)
    serve_parser.set_defaults(handler=_serve_command)
    key_parser = commands.add_parser(
        "create-key",
        help="print a new API key",
        description="Create an API key for the local Registry and print it.",
    )
    _add_data_dir(key_parser, inherit=True)
    key_parser.add_argument(
        "--org",
        default=argparse.SUPPRESS,
        help="organization id the key belongs to (default: the first one)",
    )
    key_parser.add_argument(
        "--name", default="", help="what the key is for, shown by list-keys"
    )
    key_parser.set_defaults(handler=_create_key_command)
    list_parser = commands.add_parser(
        "list-keys",
        help="list the API keys (never the keys themselves)",
        description="List the local Registry's API keys: id, the key's first "
        "characters, name, kind (lasting, or made for one run) and creation time.",
    )
    _add_data_dir(list_parser, inherit=True)
    list_parser.set_defaults(handler=_list_keys_command)
    revoke_parser = commands.add_parser(
        "revoke-key",
        help="delete an API key by its id",
        description="Delete an API key; clients using it are refused at once.",
    )
    revoke_parser.add_argument("key_id", help="the key's id, from list-keys")
    _add_data_dir(revoke_parser, inherit=True)
    revoke_parser.set_defaults(handler=_revoke_key_command)
    return parser


def add_registry_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "registry",
        help="run a local LUML Registry",
        description="A local server speaking the LUML Registry API.",
    )
    return configure_parser(parser)


def main(argv: list[str] | None = None) -> int:
    parser = configure_parser(
        argparse.ArgumentParser(prog="python -m luml_notebooks.local_registry")
    )
    args = parser.parse_args(argv)
    return args.handler(args)
