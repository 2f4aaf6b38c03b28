"""Operators add packages to the site with one build setting (`extra_packages`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from luml_notebooks.site import extra_packages, pins, runtime
from sitebuild import SITE_CONFIG, build_site
from wheelfiles import make_wheel, runtime_cache

LOCAL_WHEEL = "./wheels/lumlextra-1.0-py3-none-any.whl"


def build_with_extras(tmp_path: Path, extras: list[str]):
    lite = tmp_path / "lite"
    lite.mkdir(exist_ok=True)
    config = {
        **SITE_CONFIG,
        "LumlNotebooksAddon": {
            "cache_dir": str(runtime_cache(tmp_path)),
            "extra_packages": extras,
        },
    }
    return build_site(lite, config=config), lite / "_output"


def errors(result) -> list[str]:
    return [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "extra_packages" in line
    ]


@pytest.fixture(scope="module")
def site_with_extras(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("extras")
    make_wheel(
        tmp / "lite" / "wheels",
        "lumlextra",
        "1.0",
        {"lumlextra/__init__.py": "GREETING = 'hello'\n"},
        requires=("tabulate",),
    )
    # python-dateutil needs six, which the site already ships
    result, site = build_with_extras(
        tmp, ["tabulate==0.9.0", "python-dateutil==2.9.0.post0", LOCAL_WHEEL]
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return site


def test_added_packages_are_beside_the_runtime_and_in_its_lock(site_with_extras):
    folder = site_with_extras / "static" / "pyodide"
    lock = json.loads((folder / runtime.LOCK_FILE).read_text())["packages"]
    for name, module in [
        ("tabulate", "tabulate"),
        ("python-dateutil", "dateutil"),
        ("lumlextra", "lumlextra"),
    ]:
        entry = lock[name]
        wheel = folder / entry["file_name"]
        assert "://" not in entry["file_name"], name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
        assert module in entry["imports"], name
    assert lock["lumlextra"]["depends"] == ["tabulate"]
    assert lock["python-dateutil"]["depends"] == ["six"]
    # the shipped six is reused, not downloaded again
    assert sorted(p.name for p in folder.glob("six-*.whl")) == [
        lock["six"]["file_name"]
    ]


def test_the_site_records_what_was_added_from_where_pinned(site_with_extras):
    record = json.loads(
        (site_with_extras / "static/pyodide" / extra_packages.RECORD_FILE).read_text()
    )
    assert record["requested"] == [
        "tabulate==0.9.0",
        "python-dateutil==2.9.0.post0",
        LOCAL_WHEEL,
    ]
    assert sorted(record["pins"]) == [
        "lumlextra==1.0",
        "python-dateutil==2.9.0.post0",
        "tabulate==0.9.0",
    ]
    sources = {p["name"]: p["source"] for p in record["packages"]}
    assert sources == {
        "tabulate": extra_packages.INDEX_SOURCE,
        "python-dateutil": extra_packages.INDEX_SOURCE,
        "lumlextra": LOCAL_WHEEL,
    }
    assert record["pyodide"] == pins.PYODIDE_VERSION


def test_a_package_that_does_not_exist_stops_the_build_naming_it(tmp_path):
    result, _site = build_with_extras(tmp_path, ["luml-no-such-package-4f2a"])
    assert result.returncode != 0
    assert errors(result) == [
        "[luml-notebooks] extra_packages: luml-no-such-package-4f2a was not found "
        "on the package index: check its name"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_a_package_without_a_kernel_wheel_stops_the_build_naming_it(tmp_path):
    # pywin32 publishes Windows wheels only
    result, _site = build_with_extras(tmp_path, ["pywin32==311"])
    assert result.returncode != 0
    [line] = errors(result)
    assert line.startswith(
        "[luml-notebooks] extra_packages: pywin32==311 has no wheel for the kernel "
        f"(pure Python, or Python {pins.PYODIDE_PYTHON_VERSION} on "
        f"{pins.PYODIDE_PLATFORM})"
    )


def test_a_version_without_a_kernel_wheel_names_the_versions_that_have_one(
    tmp_path,
):
    result, _site = build_with_extras(tmp_path, ["tabulate==99"])
    assert result.returncode != 0
    [line] = errors(result)
    assert line.startswith(
        "[luml-notebooks] extra_packages: no version of tabulate==99 has a wheel "
        "for the kernel"
    )
    assert "0.9.0" in line.split("versions that have one: ")[1]


def test_a_local_wheel_for_another_platform_stops_the_build_naming_it(tmp_path):
    wheel = make_wheel(
        tmp_path / "lite" / "wheels",
        "native",
        "1.0",
        {"native/__init__.py": ""},
        tag="cp312-cp312-manylinux_2_17_x86_64",
    )
    result, _site = build_with_extras(tmp_path, [f"wheels/{wheel.name}"])
    assert result.returncode != 0
    assert errors(result) == [
        f"[luml-notebooks] extra_packages: {wheel.name} does not run in the kernel: "
        f"it needs a wheel that is {extra_packages.KERNEL_DESCRIPTION}"
    ]


def test_a_missing_local_wheel_stops_the_build_naming_it(tmp_path):
    result, _site = build_with_extras(tmp_path, [LOCAL_WHEEL])
    assert result.returncode != 0
    [line] = errors(result)
    assert f"extra_packages: the wheel {LOCAL_WHEEL} does not exist" in line


def test_extra_packages_need_the_vendored_runtime(tmp_path):
    config = {
        **SITE_CONFIG,
        "LumlNotebooksAddon": {
            "pyodide_source": "cdn",
            "extra_packages": ["tabulate==0.9.0"],
        },
    }
    result = build_site(tmp_path, config=config)
    assert result.returncode != 0
    assert "extra_packages needs the vendored runtime" in result.stdout
