"""The ``luml-notebooks`` command."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from . import __version__
from .backup import add_backup_parser
from .local_registry import missing_registry_extra
from .local_registry.cli import DEFAULT_PORT as REGISTRY_PORT
from .local_registry.cli import add_registry_parser
from .site.addon import (
    CONFIG_FILE,
    LOCAL_REGISTRY_KEY_FILE,
    config_problem,
    registry_url_problem,
)
from .site.serve import make_server, server_url


def build_site(lite_dir: Path, output_dir: Path, extra_args: Sequence[str] = ()) -> int:
    """Run ``jupyter lite build`` in ``lite_dir``: the same build operators run."""
    problem = config_problem(lite_dir / CONFIG_FILE)
    if problem:
        # caught here, before jupyter lite would log a traceback and go on
        print(f"luml-notebooks: {problem}", file=sys.stderr)
        return 1
    command = [
        sys.executable,
        "-m",
        "jupyterlite_core",
        "build",
        "--lite-dir",
        str(lite_dir),
        "--output-dir",
        str(output_dir),
        *extra_args,
    ]
    return subprocess.call(command, cwd=lite_dir)


def cmd_serve(
    args: argparse.Namespace, memory_files: Mapping[str, bytes] | None = None
) -> int:
    try:
        server = make_server(
            Path(args.site_dir).resolve(),
            host=args.host,
            port=args.port,
            isolated=not args.no_isolation,
            verbose=args.verbose,
            memory_files=memory_files,
        )
    except (FileNotFoundError, OSError) as error:
        print(f"luml-notebooks serve: {error}", file=sys.stderr)
        return 1
    print(f"LUML Notebooks at {server_url(server)} (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_build(args: argparse.Namespace, extra_args: Sequence[str] = ()) -> int:
    """Build the site next to ``jupyter_lite_config.json``."""
    lite_dir = Path(args.lite_dir).resolve()
    if not (lite_dir / CONFIG_FILE).is_file():
        print(f"luml-notebooks: {lite_dir} has no {CONFIG_FILE}", file=sys.stderr)
        return 1
    output_dir = Path(args.output_dir or lite_dir / "_output").resolve()
    args.output_dir = str(output_dir)
    status = build_site(lite_dir, output_dir, extra_args)
    if status != 0:
        print("luml-notebooks: the site build failed (see above)", file=sys.stderr)
    return status


def cmd_run(args: argparse.Namespace) -> int:
    """Start the local Registry, build the site to push there, serve it.

    The site gets the Registry's key without it ever being written anywhere:
    a key made for this run is served from memory, to this machine only, next
    to the site, and deleted from the Registry when the run ends (see
    ``run_with_local_registry``).
    """
    if args.registry_url:
        problem = registry_url_problem(args.registry_url)
        if problem:
            print(f"luml-notebooks: {problem}", file=sys.stderr)
            return 2
        return _build_and_serve(args, args.registry_url, None)
    problem = missing_registry_extra()
    if problem:
        print(
            f"luml-notebooks: {problem} (or pass --registry-url to push to "
            "another Registry)",
            file=sys.stderr,
        )
        return 2
    try:
        local = start_local_registry(args.registry_port, args.registry_data_dir)
    except (OSError, RuntimeError) as error:
        print(
            f"luml-notebooks: the local Registry did not start: {error}",
            file=sys.stderr,
        )
        return 1
    registry, _, session_key = local
    key_file = json.dumps({"url": registry.url, "apiKey": session_key}).encode()
    return run_with_local_registry(
        local,
        lambda: _build_and_serve(
            args, registry.url, {"/" + LOCAL_REGISTRY_KEY_FILE: key_file}
        ),
    )


#: signals that end a run as Ctrl+C does, so its cleanup runs: SIGTERM from
#: service managers, SIGHUP when the terminal closes
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def run_with_local_registry(local, work: Callable[[], int]) -> int:
    """Run ``work`` beside the local Registry of ``start_local_registry``, then
    stop the Registry and delete the run's key, however ``work`` ends.

    SIGKILL allows no cleanup: the key is then refused as soon as the process
    is gone, and deleted when a Registry next starts on the same data.
    """
    registry, store, session_key = local

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in STOP_SIGNALS:
        signal.signal(signum, interrupt)
    try:
        return work()
    finally:
        registry.stop()
        store.revoke_api_key(session_key)


def _build_and_serve(
    args: argparse.Namespace,
    registry_url: str,
    memory_files: Mapping[str, bytes] | None,
) -> int:
    status = cmd_build(
        args,
        [
            f"--LumlNotebooksAddon.registry_url={registry_url}",
            f"--LumlNotebooksAddon.local_registry_key={bool(memory_files)}",
        ],
    )
    if status != 0:
        return status
    args.site_dir = args.output_dir
    return cmd_serve(args, memory_files)


def start_local_registry(port: int, data_dir: str | None):
    """The local Registry in a thread, its store, and a key for this run.

    Port 8765 by default; when it is taken, any free port (the site is built
    afterwards, with whatever URL it got).
    """
    from .local_registry import RegistryStore, default_data_dir
    from .local_registry.background import BackgroundRegistry

    folder = Path(data_dir).expanduser() if data_dir else default_data_dir()
    store = RegistryStore(folder)
    first_key = store.ensure_bootstrap()
    try:
        registry = BackgroundRegistry(folder, port=port)
    except OSError:
        if port == 0:
            raise
        registry = BackgroundRegistry(folder, port=0)
        print(
            f"Port {port} is taken; the local Registry uses port {registry.port}.",
            flush=True,
        )
    registry.start()
    session_key = store.create_api_key(
        name="luml-notebooks run", session_owner=os.getpid()
    )
    print(f"LUML Registry at {registry.url} (data in {folder})", flush=True)
    if first_key:
        print(
            f"New API key for other clients (shown only once, keep it): {first_key}",
            flush=True,
        )
    print("The site is set up to push models there; no key to copy.", flush=True)
    return registry, store, session_key


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--no-isolation",
        action="store_true",
        help="omit the COOP/COEP headers (the kernel then uses the service worker)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")


def add_build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lite_dir", nargs="?", default=".")
    parser.add_argument("--output-dir", help="default: _output in the lite folder")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="luml-notebooks",
        description="Build, serve and support the LUML Notebooks site.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve a built site on 127.0.0.1")
    serve.add_argument("site_dir", nargs="?", default="_output")
    add_serve_arguments(serve)
    serve.set_defaults(handler=cmd_serve)

    build = commands.add_parser(
        "build", help="build the site in a folder with jupyter_lite_config.json"
    )
    add_build_arguments(build)
    build.set_defaults(handler=cmd_build)

    run = commands.add_parser(
        "run",
        help="start a local Registry, build the site to push there, serve both",
        description="Start the local LUML Registry, build the site set up to "
        "push models to it, and serve the site; Ctrl+C stops both.",
    )
    add_build_arguments(run)
    add_serve_arguments(run)
    run.add_argument(
        "--registry-port",
        type=int,
        default=REGISTRY_PORT,
        help=f"port of the local Registry (default {REGISTRY_PORT}; 0: any free)",
    )
    run.add_argument(
        "--registry-data-dir",
        help="the local Registry's data folder (default: the user data folder)",
    )
    run.add_argument(
        "--registry-url",
        help="push to this Registry instead, e.g. https://api.luml.ai "
        "(no local Registry is started; users set their own API key)",
    )
    run.set_defaults(handler=cmd_run)

    add_registry_parser(commands)
    add_backup_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
