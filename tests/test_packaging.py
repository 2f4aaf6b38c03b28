"""What installing the package brings, and what it asks of the environment."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from luml_notebooks.local_registry import missing_registry_extra
from luml_notebooks.site import pins


def test_the_tested_jupyterlite_is_installed_here():
    # the tests run against the versions pins.py names; a newer patch release
    # in this environment means pins.py (and the Pyodide pin) need a look
    assert pins.untested_jupyterlite() == []


def test_another_jupyterlite_release_is_named_in_one_line():
    warnings = pins.untested_jupyterlite(
        {"jupyterlite-core": "0.8.6", "jupyterlite-pyodide-kernel": "0.8.9"}
    )
    assert len(warnings) == 1
    assert "jupyterlite-pyodide-kernel 0.8.9" in warnings[0]
    assert pins.PYODIDE_VERSION in warnings[0]


def test_the_registry_extra_is_installed_here():
    assert missing_registry_extra() is None


def test_without_the_registry_extra_the_cli_says_what_to_install(tmp_path):
    # hide the extra's packages from a fresh interpreter, as a plain install has
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text(
        textwrap.dedent(
            """
            import sys

            for name in ("fastapi", "uvicorn", "pydantic"):
                sys.modules[name] = None  # import fails, find_spec finds nothing
            """
        )
    )
    for command in (["registry", "list-keys"], ["run", str(tmp_path)]):
        result = subprocess.run(
            [sys.executable, "-m", "luml_notebooks.cli", *command],
            env={"PYTHONPATH": str(tmp_path), "PATH": ""},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "pip install 'luml-notebooks[registry]'" in lines[0]
        assert "Traceback" not in result.stderr
