"""The self-isolation setting extends the built site's service worker and pages."""

from __future__ import annotations

import shutil

from luml_notebooks.site import isolation, service_worker
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
    worker_file = site / service_worker.SERVICE_WORKER
    built = worker_file.read_text()
    # every site's worker streams downloads, ahead of JupyterLite's own code
    assert built.count(service_worker.MARKER) == 2  # its start and end
    assert service_worker.DOWNLOAD_ROUTE in built
    original = built.split(f"/* end {service_worker.MARKER} */\n", 1)[1]
    assert "luml-notebooks" not in original

    # a rebuild with self-isolation, then another with another policy
    for policy in ("require-corp", "credentialless"):
        service_worker.install(site, isolation.worker_code(policy))
        isolation.install_pages(site)

    worker = worker_file.read_text()
    assert worker.count(service_worker.MARKER) == 2
    assert worker.count(service_worker.DOWNLOAD_CHANNEL) == 1
    assert '"credentialless"' in worker and '"require-corp"' not in worker
    # JupyterLite's service worker follows, whole, so its fetch listener runs after
    assert worker.endswith(original)
    lab = (site / "lab" / "index.html").read_text()
    assert lab.count(isolation.RELOAD_SCRIPT) == 1
    assert lab.index(isolation.RELOAD_SCRIPT) < lab.index("jupyter-config-data")
    script = next((site / "static").rglob(isolation.RELOAD_SCRIPT))
    assert isolation.MARKER in script.read_text()


def test_a_worker_extended_by_an_earlier_build_is_extended_anew(tmp_path):
    jupyterlite = "self.addEventListener('fetch', onFetch);\n"
    earlier = (
        f"/* {isolation.MARKER} */\n(() => {{}})();\n/* end {isolation.MARKER} */\n"
    )
    (tmp_path / service_worker.SERVICE_WORKER).write_text(earlier + jupyterlite)
    service_worker.install(tmp_path)
    worker = (tmp_path / service_worker.SERVICE_WORKER).read_text()
    assert isolation.MARKER not in worker
    assert worker.endswith(f"/* end {service_worker.MARKER} */\n{jupyterlite}")
