"""The instances pages of a built site.

- The site root ``index.html`` becomes the instances page (JupyterLite's root
  page only redirects to the app).
- Every JupyterLite app page (``lab/``, ``notebooks/``...) runs the instance boot
  script before the app loads: it picks the instance from ``?instance=<id>``
  and points JupyterLite's storage at that instance's database.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from string import Template

#: where the pages' files go in the site
ASSETS_DIR = Path("static") / "luml-notebooks"
INSTANCES_SCRIPT = "instances.js"
BOOT_SCRIPT = "instance-boot.js"
STYLESHEET = "instances.css"
TEMPLATE = "instances.html"
BOOT_FUNCTION = "window.lumlNotebooksInstanceBoot"

CONFIG_SCRIPT = re.compile(
    r'<script\s+id="jupyter-config-data"[^>]*>(?P<config>.*?)</script>', re.S
)
#: how each JupyterLite 0.8 app page loads its configuration, then the app
CONFIG_UTILS_IMPORT = re.compile(
    r"await\s+import\(\s*'(?P<url>(?:\.\./)+config-utils\.js[^']*)'\s*\)"
)


class PagesError(Exception):
    """The site cannot get its instances pages; the message says why."""


def pages_dir() -> Path:
    """The pages' sources and built scripts inside the package."""
    return Path(str(resources.files("luml_notebooks") / "site" / "pages"))


def page_assets(source: Path | None = None) -> list[Path]:
    """The files copied into the site, checked to exist."""
    source = source or pages_dir()
    files = [
        source / STYLESHEET,
        source / "js" / INSTANCES_SCRIPT,
        source / "js" / BOOT_SCRIPT,
    ]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise PagesError(
            f"the instances pages are not built ({', '.join(missing)} missing): "
            "run `npm run build:prod` in labextension/ and reinstall the package."
        )
    return files


def versioned(path: Path) -> str:
    """``name?_=<hash>`` so browsers fetch a file again when it changes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{path.name}?_={digest}"


def instances_page(original_root: str, stylesheet: str, script: str) -> str:
    """The root page, keeping the site's own ``jupyter-config-data``."""
    match = CONFIG_SCRIPT.search(original_root)
    config = match.group("config").strip() if match else "{}"
    json.loads(config or "{}")  # the apps parse it: it must stay JSON
    template = Template((pages_dir() / TEMPLATE).read_text(encoding="utf-8"))
    return template.substitute(
        config=config.replace("</", "<\\/"), stylesheet=stylesheet, script=script
    )


def patch_app_page(html: str, boot_src: str) -> str:
    """Make an app page run the instance boot before its configuration."""
    if BOOT_FUNCTION in html:
        return html  # already done (incremental build)
    if not CONFIG_UTILS_IMPORT.search(html) or not CONFIG_SCRIPT.search(html):
        raise PagesError(
            "an app page does not load config-utils.js the way JupyterLite 0.8 "
            "does; this JupyterLite version is not supported"
        )
    html = CONFIG_UTILS_IMPORT.sub(
        lambda m: f"await {BOOT_FUNCTION}('{m.group('url')}')", html, count=1
    )
    tag = f'<script src="{boot_src}"></script>\n    '
    start = CONFIG_SCRIPT.search(html).start()
    return html[:start] + tag + html[start:]


#: how JupyterLite 0.8's ``<app>/workspaces/index.html`` leaves for the app
WORKSPACE_REDIRECT = "window.location.href = redirectUrl;"
#: the same, to the site's ``lab/index.html`` (JupyterLite's own redirect goes
#: to ``lab/lab/index.html``, which does not exist) and keeping ``?instance=``
KEEP_INSTANCE_REDIRECT = r"""window.location.href = (function () {
          var root = window.location.pathname
            .replace(/\/[^\/]+\/workspaces\/.*$/, '/');
          var target = new URL(root + 'lab/index.html', window.location.origin);
          var name = workspaceName;
          try { name = decodeURIComponent(name); } catch (e) {}
          target.searchParams.set('workspace', name);
          var id = new URLSearchParams(window.location.search).get('instance');
          if (id) { target.searchParams.set('instance', id); }
          return target.href;
        })();"""


def patch_workspace_redirect(html: str) -> str:
    """Make a workspace URL (``lab/workspaces/<name>?instance=<id>``) open
    that workspace in the instance it names."""
    return html.replace(WORKSPACE_REDIRECT, KEEP_INSTANCE_REDIRECT)


def app_pages(output_dir: Path) -> list[Path]:
    """The JupyterLite app pages (``lab/index.html``...) of a built site."""
    return sorted(
        page
        for page in output_dir.glob("*/index.html")
        if CONFIG_UTILS_IMPORT.search(page.read_text(encoding="utf-8"))
        or BOOT_FUNCTION in page.read_text(encoding="utf-8")
    )


def install_pages(output_dir: Path, source: Path | None = None) -> list[Path]:
    """Copy the pages' files into the site and patch its pages; returns them."""
    assets = page_assets(source)
    target = output_dir / ASSETS_DIR
    target.mkdir(parents=True, exist_ok=True)
    for path in assets:
        shutil.copy2(path, target / path.name)
    names = {path.name: versioned(target / path.name) for path in assets}

    pages = app_pages(output_dir)
    if not any(page.parent.name == "lab" for page in pages):
        raise PagesError(f"{output_dir} has no JupyterLab page (lab/index.html)")
    for page in pages:
        boot_src = Path("..") / ASSETS_DIR / names[BOOT_SCRIPT]
        html = page.read_text(encoding="utf-8")
        page.write_text(patch_app_page(html, boot_src.as_posix()), encoding="utf-8")
    for redirect in sorted(output_dir.glob("*/workspaces/index.html")):
        html = redirect.read_text(encoding="utf-8")
        redirect.write_text(patch_workspace_redirect(html), encoding="utf-8")

    root = output_dir / "index.html"
    original = root.read_text(encoding="utf-8") if root.is_file() else ""
    if "luml-instances" not in original:
        root.write_text(
            instances_page(
                original,
                (ASSETS_DIR / names[STYLESHEET]).as_posix(),
                (ASSETS_DIR / names[INSTANCES_SCRIPT]).as_posix(),
            ),
            encoding="utf-8",
        )
    return [root, *pages]
