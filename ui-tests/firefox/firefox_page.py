"""Debian's Firefox ESR for the browser tests, behind a page with the part of
Playwright's sync `Page` API that the shared helpers use (`goto`, `evaluate`,
`wait_for_function`, `wait_for_selector`, `inner_text`, ...).

Firefox runs under puppeteer-core over WebDriver BiDi, in `driver.mjs`: this
module starts it and talks JSON lines to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).parent
DRIVER = HERE / "driver.mjs"

#: every Playwright wait here defaults to 30 s; so do these
DEFAULT_TIMEOUT_MS = 30_000


class DriverError(Exception):
    """What Firefox or puppeteer-core answered with an error."""


class Firefox:
    """One headless Firefox ESR, started by the Node driver."""

    def __init__(self, executable: str, download_dir: Path, prefs: dict | None = None):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("Node.js is missing: run the README's test command")
        if not (HERE / "node_modules" / "puppeteer-core").is_dir():
            raise RuntimeError(f"run `npm ci` in {HERE.name}/ (make test does)")
        self.download_dir = download_dir
        self._next_id = 0
        self._process = subprocess.Popen(
            [node, str(DRIVER)],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.version = self.call(
            "launch",
            executablePath=executable,
            downloadDir=str(download_dir),
            prefs=prefs or {},
        )

    def call(self, method: str, **params):
        self._next_id += 1
        request = {"id": self._next_id, "method": method, "params": params}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            code = self._process.wait()
            raise DriverError(f"the Firefox driver stopped (exit {code})")
        answer = json.loads(line)
        assert answer["id"] == self._next_id, answer
        if "error" in answer:
            raise DriverError(answer["error"])
        return answer["result"]

    def new_page(self, init_scripts: tuple[str, ...] = ()) -> FirefoxPage:
        """A page in a new browser context (its own, empty storage)."""
        page_id = self.call("newPage", initScripts=list(init_scripts))
        return FirefoxPage(self, page_id)

    def close(self) -> None:
        try:
            self.call("close")
        finally:
            self._process.stdin.close()
            self._process.wait(timeout=60)


class FirefoxPage:
    def __init__(self, firefox: Firefox, page_id: int):
        self.firefox = firefox
        self.page_id = page_id

    def _call(self, method: str, **params):
        return self.firefox.call(method, page=self.page_id, **params)

    @property
    def url(self) -> str:
        return self._call("url")

    def goto(self, url: str) -> None:
        self._call("goto", url=url)

    def reload(self) -> None:
        self._call("reload")

    def evaluate(self, source: str, arg=None):
        """Run a function (called with ``arg``) or an expression in the page."""
        return self._call("evaluate", source=source, arg=arg)

    def wait_for_function(self, source: str, arg=None, timeout: float | None = None):
        """Wait until ``source`` gives a truthy value; returns that value."""
        return self._call(
            "waitForFunction",
            source=source,
            arg=arg,
            timeout=timeout or DEFAULT_TIMEOUT_MS,
        )

    def wait_for_selector(
        self, selector: str, state: str = "visible", timeout: float | None = None
    ) -> None:
        self._call(
            "waitForSelector",
            selector=selector,
            state=state,
            timeout=timeout or DEFAULT_TIMEOUT_MS,
        )

    def click(self, selector: str, button: str = "left") -> None:
        self._call("click", selector=selector, button=button)

    def fill(self, selector: str, text: str) -> None:
        self._call("fill", selector=selector, text=text)

    def press(self, key: str) -> None:
        self._call("press", key=key)

    def set_input_files(self, selector: str, *paths: Path) -> None:
        self._call("setInputFiles", selector=selector, paths=[str(p) for p in paths])

    def inner_text(self, selector: str) -> str:
        return self.evaluate(
            "s => { const e = document.querySelector(s);"
            " if (!e) { throw new Error('no element ' + s); } return e.innerText; }",
            selector,
        )

    def watched(self) -> dict:
        """Every request URL the page made and every uncaught error, so far."""
        return self._call("watched")

    def close(self) -> None:
        self._call("closePage")


def wait_for_download(download_dir: Path, pattern: str, timeout_s: float = 120) -> Path:
    """Wait until Firefox has finished writing one file matching ``pattern``
    (a glob) into ``download_dir``; returns it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = list(download_dir.glob(pattern))
        writing = list(download_dir.glob("*.part"))
        if len(found) == 1 and not writing and found[0].stat().st_size > 0:
            return found[0]
        time.sleep(0.1)
    names = sorted(p.name for p in download_dir.iterdir())
    raise AssertionError(f"no download {pattern!r} in {timeout_s} s; found {names}")
