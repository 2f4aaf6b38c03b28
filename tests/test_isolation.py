"""The self-isolation setting extends the built site's service worker and pages."""

from __future__ import annotations

import shutil

from luml_notebooks.site import isolation
from sitebuild import SITE_CONFIG, build_site


def test_an_unknown_policy_stops_the_build(tmp_path):
    config = {**SITE_CONFIG, "LumlNotebooksAddon": {"self_isolation": "yes"}}
    result = build_site(tmp_path, config=config)
    assert result.returncode != 0
    assert (
        "[luml-notebooks] LumlNotebooksAddon.self_isolation is 'yes'; use one of: "
        "off, credentialless, require-corp"
    ) in result.stdout


def test_the_service_worker_and_pages_are_extended_once(built_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("static"))
    original = (site / isolation.SERVICE_WORKER).read_text()
    assert isolation.MARKER not in original

    isolation.install(site, "require-corp")
    isolation.install(site, "credentialless")  # a rebuild with another policy

    worker = (site / isolation.SERVICE_WORKER).read_text()
    assert worker.count(isolation.MARKER) == 2  # its start and end
    assert '"credentialless"' in worker and '"require-corp"' not in worker
    # JupyterLite's service worker follows, whole, so its fetch listener runs after
    assert worker.endswith(original)
    lab = (site / "lab" / "index.html").read_text()
    assert lab.count(isolation.RELOAD_SCRIPT) == 1
    assert lab.index(isolation.RELOAD_SCRIPT) < lab.index("jupyter-config-data")
    script = next((site / "static").rglob(isolation.RELOAD_SCRIPT))
    assert isolation.MARKER in script.read_text()
