"""The ``luml-notebooks`` command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import __version__
from .backup import add_backup_parser
from .registry.cli import add_registry_parser
from .serve import make_server, server_url
from .site.addon import CONFIG_FILE, config_problem


def build_site(lite_dir: Path, output_dir: Path) -> int:
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
    ]
    return subprocess.call(command, cwd=lite_dir)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        server = make_server(
            Path(args.site_dir).resolve(),
            host=args.host,
            port=args.port,
            isolated=not args.no_isolation,
            verbose=args.verbose,
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


def cmd_build(args: argparse.Namespace) -> int:
    """Build the site next to ``jupyter_lite_config.json``."""
    lite_dir = Path(args.lite_dir).resolve()
    if not (lite_dir / CONFIG_FILE).is_file():
        print(f"luml-notebooks: {lite_dir} has no {CONFIG_FILE}", file=sys.stderr)
        return 1
    output_dir = Path(args.output_dir or lite_dir / "_output").resolve()
    args.output_dir = str(output_dir)
    status = build_site(lite_dir, output_dir)
    if status != 0:
        print("luml-notebooks: the site build failed (see above)", file=sys.stderr)
    return status


def cmd_run(args: argparse.Namespace) -> int:
    """Build the site, then serve it."""
    status = cmd_build(args)
    if status != 0:
        return status
    args.site_dir = args.output_dir
    return cmd_serve(args)


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

    run = commands.add_parser("run", help="build the site, then serve it")
    add_build_arguments(run)
    add_serve_arguments(run)
    run.set_defaults(handler=cmd_run)

    add_registry_parser(commands)
    add_backup_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
