"""The site's service worker: JupyterLite's own, with LUML Notebooks' code ahead of it.

Every site gets streamed downloads: a large file of an instance is downloaded
(or opened in a browser tab) from a URL under ``luml-download/`` that the
service worker answers with a stream, fed chunk by chunk by the page that
offered it over a BroadcastChannel. The browser's download manager writes it
to disk as it comes, so no page or Blob ever holds the whole file (a Blob of
several hundred MB can fail to be made at all). With self-isolation, the
isolation headers' code (see ``isolation.py``) goes in the same block.

JupyterLite's service worker follows, whole and unchanged: our fetch
listeners come first, and take only their own requests.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import isolation

SERVICE_WORKER = "service-worker.js"
#: marks the block of code added ahead of JupyterLite's (incremental builds)
MARKER = "luml-notebooks: service worker"
#: the block earlier builds added for self-isolation alone
_OLD_MARKERS = (isolation.MARKER,)
#: downloads' URLs, under the site's base URL: <route><token>/<file name>
DOWNLOAD_ROUTE = "luml-download/"
#: the BroadcastChannel between the service worker and the pages
DOWNLOAD_CHANNEL = "luml-notebooks:downloads"

_DOWNLOADS_CODE = """(() => {
  const ROUTE = ROUTE_JSON;
  const channel = new BroadcastChannel(CHANNEL_JSON);
  // how long a page may take to answer: to offer the file, then each chunk
  const OPEN_MS = 15000;
  const CHUNK_MS = 60000;
  const GONE =
    'The tab that offered this download is closed or busy. ' +
    'Download it again from JupyterLab.';
  const waiting = new Map();
  let asked = 0;
  channel.addEventListener('message', ({ data }) => {
    const answer = data && data.type === 'answer' && waiting.get(data.request);
    if (answer) {
      waiting.delete(data.request);
      answer(data);
    }
  });
  const ask = (message, ms) =>
    new Promise(resolve => {
      const request = Date.now().toString(36) + '-' + ++asked;
      waiting.set(request, resolve);
      channel.postMessage({ ...message, request });
      setTimeout(() => {
        if (waiting.delete(request)) {
          resolve({ error: GONE });
        }
      }, ms);
    });
  const text = (status, message) =>
    new Response(message, {
      status,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' }
    });
  // RFC 5987: every byte outside attr-char percent-encoded
  const attrValue = name =>
    encodeURIComponent(name).replace(
      /['()*]/g,
      c => '%' + c.charCodeAt(0).toString(16).toUpperCase()
    );
  // save: as a download (?download), else shown when the browser can
  const stream = async (token, save, event) => {
    const offer = await ask({ type: 'open', token }, OPEN_MS);
    if (offer.error) {
      return text(404, offer.error);
    }
    let finished;
    event.waitUntil(new Promise(resolve => (finished = resolve)));
    const body = new ReadableStream({
      async pull(controller) {
        const part = await ask({ type: 'next', stream: offer.stream }, CHUNK_MS);
        if (part.error) {
          controller.error(new Error(part.error));
          finished();
        } else if (part.done) {
          controller.close();
          finished();
        } else {
          controller.enqueue(new Uint8Array(part.bytes));
        }
      },
      cancel() {
        channel.postMessage({ type: 'cancel', stream: offer.stream });
        finished();
      }
    });
    return new Response(body, {
      headers: {
        'Content-Type': offer.mimetype || 'application/octet-stream',
        'Content-Length': String(offer.size),
        'Content-Disposition':
          (save ? 'attachment' : 'inline') +
          "; filename*=UTF-8''" +
          attrValue(offer.name)
      }
    });
  };
  self.addEventListener('fetch', event => {
    const url = new URL(event.request.url);
    const prefix = new URL(ROUTE, self.registration.scope).pathname;
    if (url.origin !== location.origin || !url.pathname.startsWith(prefix)) {
      return;
    }
    event.stopImmediatePropagation();
    const token = url.pathname.slice(prefix.length).split('/')[0];
    if (event.request.method !== 'GET') {
      event.respondWith(text(405, 'Downloads are read only.'));
    } else if (token === 'ping') {
      // the pages ask first: a site built before this route has none
      const headers = { 'X-Luml-Downloads': '1' };
      event.respondWith(new Response(null, { status: 204, headers }));
    } else {
      const save = url.searchParams.has('download');
      event.respondWith(stream(token, save, event));
    }
  });
})();
"""


class ServiceWorkerError(Exception):
    """The site's service worker cannot be extended; the message says why."""


def downloads_code() -> str:
    return _DOWNLOADS_CODE.replace("ROUTE_JSON", json.dumps(DOWNLOAD_ROUTE)).replace(
        "CHANNEL_JSON", json.dumps(DOWNLOAD_CHANNEL)
    )


def _without_our_code(text: str) -> str:
    """JupyterLite's service worker, without what an earlier build added."""
    for marker in (MARKER, *_OLD_MARKERS):
        end = f"/* end {marker} */\n"
        if end in text:
            text = text.split(end, 1)[1]
    return text


def install(output_dir: Path, *blocks: str) -> None:
    """Put the streamed downloads and ``blocks`` ahead of JupyterLite's code."""
    worker = output_dir / SERVICE_WORKER
    if not worker.is_file():
        raise ServiceWorkerError(
            f"the site has no {SERVICE_WORKER}: this JupyterLite version is not "
            "supported"
        )
    original = _without_our_code(worker.read_text(encoding="utf-8"))
    code = "".join([downloads_code(), *blocks])
    worker.write_text(
        f"/* {MARKER} */\n{code}/* end {MARKER} */\n{original}", encoding="utf-8"
    )
