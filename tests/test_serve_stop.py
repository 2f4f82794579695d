"""Stopping `python build.py serve`: Ctrl+C (SIGINT) or SIGTERM ends it at once, whatever it is doing.

A Ctrl+C used to be lost now and then while a browser was loading pages (docs/serve.md says why): serve
ran on until killed. Each case here starts serve, puts it in one state, signals it and expects it gone
within a few seconds, with exit code 0, a goodbye line and no traceback."""

from __future__ import annotations

import base64
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from conftest import PROJECT, page
from serving import ServeProcess
from test_serve import STORY, small_site

STOP_WITHIN = 5  # seconds; a stop takes a few hundredths
QUERY = "?" + "&".join(f"utm_{n}=x" for n in range(1000))
PAGES = ("/en/", "/en/stories/ducks/", "/ko/", "/en/no-such-page/", "/livereload.js", "/__smallsite/generation")


class Browser:
    """What an open tab does to serve: holds the LiveReload socket open and, while reloading, asks for pages."""

    def __init__(self, port: int):
        self.port = port
        self.socket = None
        self.loading = threading.Event()
        self.threads: list[threading.Thread] = []

    def connect_live_reload(self) -> None:
        """The WebSocket handshake and LiveReload's hello, by hand: the reply proves the socket is open."""
        self.socket = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.socket.sendall((f"GET /livereload HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                             f"Origin: http://127.0.0.1:{self.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        assert self._read_until(b"\r\n\r\n").startswith(b"HTTP/1.1 101")
        hello = b'{"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}'
        mask = os.urandom(4)  # a client's frames are masked (RFC 6455, 5.3)
        self.socket.sendall(bytes([0x81, 0x80 | len(hello)]) + mask
                            + bytes(byte ^ mask[i % 4] for i, byte in enumerate(hello)))
        assert b'"command": "hello"' in self._read_until(b"}")

    def _read_until(self, end: bytes) -> bytes:
        data = b""
        while end not in data:
            chunk = self.socket.recv(4096)
            assert chunk, f"serve closed the LiveReload socket after {data!r}"
            data += chunk
        return data

    def start_loading(self, tabs: int = 3) -> None:
        """Ask for pages without pause until `stop_loading`, as tabs reloading do."""
        self.loading.set()
        for number in range(tabs):
            thread = threading.Thread(target=self._load, args=(number,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _load(self, number: int) -> None:
        count = number
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        while self.loading.is_set():
            try:
                # A long query string (tracking parameters) takes Tornado a moment to parse, and the
                # parsing is where a Ctrl+C used to be lost: the signal lands there more often.
                connection.request("GET", PAGES[count % len(PAGES)] + QUERY)
                connection.getresponse().read()
            except (OSError, http.client.HTTPException):  # refused or cut off: serve is stopping
                connection.close()
                time.sleep(0.01)
            count += 1
        connection.close()

    def close(self) -> None:
        self.loading.clear()
        for thread in self.threads:
            thread.join(10)
        if self.socket is not None:
            self.socket.close()


def stop_with(server: ServeProcess, number: signal.Signals) -> None:
    """Send the signal; fail unless serve is gone within STOP_WITHIN seconds, cleanly, saying goodbye."""
    server.process.send_signal(number)
    try:
        server.process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise AssertionError(f"serve still ran {STOP_WITHIN} s after {number.name}:\n{server.output}") from None
    assert server.process.returncode == 0, server.output
    deadline = time.monotonic() + 5
    while "stopped" not in server.lines and time.monotonic() < deadline:
        time.sleep(0.01)  # the last lines may still be on their way through the pipe
    assert [line for line in server.lines if line][-1] == "stopped", server.output
    assert "Traceback" not in server.output and "Uncaught exception" not in server.output, server.output


def serve_in_state(site, state: str) -> tuple[ServeProcess, Browser]:
    """serve, and a browser that puts it in `state` (the browser is to be closed after the stop)."""
    server = ServeProcess(site.root)
    browser = Browser(server.port)
    if state in ("live reload socket open", "pages being requested"):
        browser.connect_live_reload()
    if state == "pages being requested":
        browser.start_loading()
        time.sleep(0.2)
    if state == "rebuilding":
        site.write(STORY, page("Ducks", f"New text {time.monotonic()}.", date="2018-02-02"))
        time.sleep(0.05)  # the save is seen in a hundredth, its build then runs
    return server, browser


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("state", ["idle", "live reload socket open", "pages being requested", "rebuilding"])
def test_a_stop_signal_ends_serve_at_once(site, state, number):
    small_site(site)
    server, browser = serve_in_state(site, state)
    try:
        stop_with(server, number)
    finally:
        browser.close()
        if server.process.poll() is None:
            server.process.kill()


def test_ctrl_c_while_a_browser_loads_pages_ends_serve_every_time(site):
    """The case that used to hang, ten times in a row: Ctrl+C lands while Tornado handles a request."""
    small_site(site)
    started = time.monotonic()
    for _ in range(10):
        server, browser = serve_in_state(site, "pages being requested")
        try:
            stop_with(server, signal.SIGINT)
        finally:
            browser.close()
            if server.process.poll() is None:
                server.process.kill()
    assert time.monotonic() - started < 60


# serve, with its first build standing for one where a library turns Ctrl+C into another error. PyYAML
# did: an import that Ctrl+C cut short, imported again in an `except yaml.YAMLError` clause, raised
# AttributeError ("partially initialized module"), and serve reported a crash and served on.
INTERRUPTED_BUILD = f"""
import os, runpy, signal, sys, time
sys.path.insert(0, {str(PROJECT)!r})
import smallsite.serve.command

def start_build(*args, **kwargs):
    try:
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C in the middle of the first build
        time.sleep(10)
    except KeyboardInterrupt:
        raise AttributeError("partially initialized module 'yaml' has no attribute 'error'")

smallsite.serve.command.start_build = start_build
sys.argv = [{str(PROJECT / "build.py")!r}, "serve", "--port", "0"]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_ctrl_c_during_the_first_build_stops_serve_even_when_it_turns_into_another_error(site):
    small_site(site)
    try:
        result = subprocess.run([sys.executable, "-c", INTERRUPTED_BUILD], cwd=site.root, capture_output=True,
                                text=True, timeout=STOP_WITHIN + 5)
    except subprocess.TimeoutExpired as timeout:
        output = timeout.stdout.decode() if isinstance(timeout.stdout, bytes) else timeout.stdout
        raise AssertionError(f"serve still ran after Ctrl+C in its first build:\n{output}") from None
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["stopped"], result.stdout
    assert result.stderr == ""


# Ctrl+C in the second or so Python takes to import the command line, before serve's own handling (or a
# build's swap) begins: it stands for a person pressing Ctrl+C right after typing the command.
CTRL_C_WHILE_IMPORTING = f"""
import runpy, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == {{module!r}}:
            raise KeyboardInterrupt

sys.path.insert(0, {str(PROJECT)!r})
sys.meta_path.insert(0, CtrlC())
sys.argv = [{str(PROJECT / "build.py")!r}, *{{arguments!r}}]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("arguments, module, code", [
    (["serve", "--port", "0"], "tornado.httpserver", 0),
    (["--root", ".", "build"], "smallsite.speed.build_stamp", 130),
], ids=["serve", "build"])
def test_ctrl_c_while_python_imports_the_command_says_stopped_without_a_traceback(site, arguments, module, code):
    small_site(site)
    before = sorted(path.relative_to(site.root) for path in site.root.rglob("*"))
    script = CTRL_C_WHILE_IMPORTING.format(module=module, arguments=arguments)
    result = subprocess.run([sys.executable, "-c", script], cwd=site.root, capture_output=True, text=True,
                            timeout=STOP_WITHIN + 5)
    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout.split() == ["stopped"], result.stdout
    assert result.stderr == ""
    assert sorted(path.relative_to(site.root) for path in site.root.rglob("*")) == before
