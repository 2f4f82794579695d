"""Test helpers for `serve`: run `python build.py serve --port 0` as an editor would, and talk to it."""

from __future__ import annotations

import http.client
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import PROJECT

URL_LINE = re.compile(r"serving (http://[^ ]+)")


class ServeProcess:
    """`build.py serve` in a site's folder; its terminal output is collected line by line."""

    def __init__(self, root: Path, *args: str, prelude: str = ""):
        """`prelude`: Python run in serve's process before build.py (a test's patch of serve's own code)."""
        self.root = root
        self.lines: list[str] = []
        self._new = queue.Queue()
        script = f"{prelude}\nimport runpy, sys\nsys.argv[0] = {str(PROJECT / 'build.py')!r}\n" \
                 "runpy.run_path(sys.argv[0], run_name='__main__')\n"
        command = [sys.executable, "-c", script] if prelude else [sys.executable, str(PROJECT / "build.py")]
        self.process = subprocess.Popen(
            [*command, "serve", "--port", "0", *args], cwd=root,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()
        match = self.wait_for_output(URL_LINE)
        self.url = match.group(1).rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line)

    def wait_for_output(self, pattern: str | re.Pattern, timeout: float = 60, start: int = 0) -> re.Match:
        """The first terminal line from `start` on that matches; fails the test after `timeout` seconds."""
        pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[start:]:
                match = pattern.search(line)
                if match:
                    return match
            if self.process.poll() is not None and self._new.empty():
                raise AssertionError(f"serve exited ({self.process.returncode}):\n" + "\n".join(self.lines))
            if time.monotonic() > deadline:
                raise AssertionError(f"no line matching {pattern.pattern!r} in:\n" + "\n".join(self.lines))
            try:
                self._new.get(timeout=0.1)
            except queue.Empty:
                pass

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> int:
        """Ctrl+C, as an editor stops it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def request(self, path: str, host: str | None = None, method: str = "GET",
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        """A raw request: the path goes on the wire exactly as given (no client-side normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", host if host is not None else f"127.0.0.1:{self.port}")
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def text(self, path: str) -> tuple[int, str]:
        status, _, body = self.request(path)
        return status, body.decode("utf-8")

    def generation(self) -> int:
        return int(self.request("/__smallsite/generation")[2])

    def wait_until(self, check, timeout: float = 30, message: str = "") -> None:
        """Poll until `check()` is true (a rebuild finished); not a timing assertion, only a time limit."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting {message}\nserve's output:\n{self.output}")
            time.sleep(0.05)

    def wait_for_page(self, path: str, text: str, status: int = 200) -> str:
        """Poll a page until it answers `status` and contains `text`; returns the page."""
        found = {}

        def check():
            found["status"], found["body"] = self.text(path)
            return found["status"] == status and text in found["body"]

        self.wait_until(check, message=f"for {path} to be {status} with {text!r}")
        return found["body"]


def assert_serves_as_built(server: ServeProcess, expected: dict[str, bytes]) -> None:
    """Every file over HTTP is the built one: a page plus the reload script, anything else as it is."""
    from smallsite.serve.preview import Snapshot, inject

    for name, data in expected.items():
        status, _, body = server.request("/" + name.removesuffix("index.html"))
        assert status == 200, name
        if name.endswith(".html"):
            generation = int(re.search(rb'var served="(\d+)"', body).group(1))
            assert body == inject(data, Snapshot(generation=generation, built=True)), name
        else:
            assert body == data, name
