"""Cross-origin isolation for hosts that cannot send COOP/COEP headers.

With ``{"LumlNotebooksAddon": {"self_isolation": "credentialless"}}`` the site's
own service worker (JupyterLite's, extended by ``service_worker.py`` with the
code here) adds the
isolation headers to every response it gives the page, the way coi-serviceworker
does; a script in each app page reloads it once when it was loaded before the
service worker took control. The page is then cross-origin isolated, and the
kernel reaches the browser's files through SharedArrayBuffer.

JupyterLite's service worker keeps doing all it did (the kernel's drive requests,
its cache): its responses only gain headers.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import pages

#: the embedder policies the service worker can send; ``off`` sends none
POLICIES = ("credentialless", "require-corp")
OFF = "off"
#: the page script, beside the instance pages' files
RELOAD_SCRIPT = "isolation-reload.js"
#: marks the page script
MARKER = "luml-notebooks: cross-origin isolation"

_WORKER_CODE = """(() => {
  const POLICY = POLICY_JSON;
  const isolate = response => {
    // opaque responses (cross-origin, no-cors) cannot be changed, nor need to be
    if (!response || response.status === 0 || response.type === 'opaque') {
      return response;
    }
    const headers = new Headers(response.headers);
    headers.set('Cross-Origin-Embedder-Policy', POLICY);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers
    });
  };
  // every response the service worker gives, JupyterLite's included
  const respondWith = FetchEvent.prototype.respondWith;
  FetchEvent.prototype.respondWith = function (response) {
    return respondWith.call(this, Promise.resolve(response).then(isolate));
  };
  self.addEventListener('fetch', event => {
    const { request } = event;
    const url = new URL(request.url);
    if (
      POLICY === 'credentialless' &&
      url.origin !== location.origin &&
      request.mode === 'no-cors'
    ) {
      // an image from another site: fetched without credentials, as the
      // credentialless policy allows it in the page
      event.respondWith(fetch(new Request(request, { credentials: 'omit' })));
      event.stopImmediatePropagation();
    }
  });
})();
"""

_PAGE_CODE = """/* MARKER */
(function () {
  var KEY = 'luml-notebooks:isolation-reload';
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(KEY);
    return;
  }
  if (!window.isSecureContext || !('serviceWorker' in navigator)) {
    return;
  }
  // a page loaded before the service worker took control lacks the headers:
  // reload it once (once per tab, so a browser that refuses never loops)
  function reload() {
    if (sessionStorage.getItem(KEY)) {
      return;
    }
    sessionStorage.setItem(KEY, '1');
    window.location.reload();
  }
  if (navigator.serviceWorker.controller) {
    reload();
  } else {
    navigator.serviceWorker.addEventListener('controllerchange', reload);
  }
})();
"""


class IsolationError(Exception):
    """The site cannot isolate itself; the message says why."""


def policy_problem(value: str) -> str | None:
    if value in (OFF, *POLICIES):
        return None
    return (
        f"LumlNotebooksAddon.self_isolation is {value!r}; use one of: "
        f"{', '.join((OFF, *POLICIES))}"
    )


def worker_code(policy: str) -> str:
    """The service worker's part, for ``service_worker.install``."""
    return _WORKER_CODE.replace("POLICY_JSON", json.dumps(policy))


def page_code() -> str:
    return _PAGE_CODE.replace("MARKER", MARKER)


def install_pages(output_dir: Path) -> None:
    """Make each app page reload once when the service worker was not yet in
    control (the service worker's part goes in with ``service_worker``)."""
    script = output_dir / pages.ASSETS_DIR / RELOAD_SCRIPT
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(page_code(), encoding="utf-8")
    src = (Path("..") / pages.ASSETS_DIR / pages.versioned(script)).as_posix()
    for page in pages.app_pages(output_dir):
        html = page.read_text(encoding="utf-8")
        if RELOAD_SCRIPT in html:
            continue
        config = pages.CONFIG_SCRIPT.search(html)
        if config is None:
            raise IsolationError(f"{page} has no jupyter-config-data script")
        tag = f'<script src="{src}"></script>\n    '
        html = html[: config.start()] + tag + html[config.start() :]
        page.write_text(html, encoding="utf-8")
