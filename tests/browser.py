"""Browser tests' helpers: real headless Chromium (Debian's) driven by Playwright, and a static server."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    """Debian's chromium. In CI a missing browser fails the tests; it never skips them."""
    path = os.environ.get("SMALLSITE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


_SHARED_BROWSER = pytest.StashKey()


@pytest.fixture(scope="session")
def browser(request):
    # Every test module imports this fixture, which makes one fixture definition per module; two
    # Playwright sync instances cannot run at once, so all of them share one, kept in the session's stash.
    stash = request.config.stash
    if _SHARED_BROWSER not in stash:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)
        stash[_SHARED_BROWSER] = instance

        def close() -> None:
            instance.close()
            playwright.stop()

        request.config.add_cleanup(close)
    return stash[_SHARED_BROWSER]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    not_found: Path | None = None  # the site's 404.html

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # Serve the site's top 404 page for any missing address, as a static host (GitHub Pages) does.
        if code == 404:
            page = self.not_found
            if page is not None and page.exists():
                data = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        super().send_error(code, message, explain)


@contextmanager
def static_server(folder: Path, mount: str = "/"):
    """Serve a built site on a free loopback port, like a static host; under `mount` for a sub-path."""
    root = folder
    if mount != "/":
        # A sub-path deploy: the site lives in <tmp>/<mount>/, the host serves <tmp>.
        root = folder.parent / ".mount"
        target = root / mount.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.symlink_to(folder, target_is_directory=True)
    handler = functools.partial(type("Handler", (_QuietHandler,), {"not_found": folder / "404.html"}),
                                directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
