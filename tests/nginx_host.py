"""A real nginx (Debian's package) on a free loopback port, serving a built site with the configuration
`python build.py host nginx` prints, included from Debian's own nginx.conf as a deployer would include it."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from i18n_helpers import cli

STOCK_CONF = Path("/etc/nginx/nginx.conf")


def nginx_path() -> str:
    """Debian's nginx. In CI a missing nginx fails the tests; it never skips them."""
    path = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if not path or not STOCK_CONF.is_file():
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run installs Debian's nginx package")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stock_conf_including(site_conf: Path, state: Path) -> str:
    """Debian's nginx.conf as shipped, with its http { } block including our file where it includes
    conf.d/*.conf; only what running unprivileged needs is changed (pid, logs, temp folders, user)."""
    text = STOCK_CONF.read_text(encoding="utf-8")
    text = re.sub(r"^\s*user\s[^;]*;", "", text, flags=re.M)
    text = re.sub(r"^\s*pid\s[^;]*;", f"pid {state}/nginx.pid;", text, flags=re.M)
    text = re.sub(r"^\s*error_log\s[^;]*;", f"error_log {state}/error.log;", text, flags=re.M)
    text = re.sub(r"access_log\s[^;]*;", "access_log off;", text)
    text = re.sub(r"^\s*include /etc/nginx/modules-enabled/\*\.conf;", "", text, flags=re.M)
    text = re.sub(r"^\s*include /etc/nginx/sites-enabled/\*;", "", text, flags=re.M)
    assert "include /etc/nginx/conf.d/*.conf;" in text, "Debian's nginx.conf changed: look at this helper"
    temp = " ".join(f"{kind}_temp_path {state}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    text = text.replace("include /etc/nginx/conf.d/*.conf;", f"{temp}\n\tinclude {site_conf};")
    if os.geteuid() == 0:  # workers would switch to nobody, who cannot read the test's folders
        text = "user root;\n" + text
    return text


@contextmanager
def nginx_serving(project: Path, state: Path, *host_args: str):
    """nginx serving `project`'s built site, configured by `host nginx --listen 127.0.0.1:PORT ...`;
    yields (base address, the printed configuration)."""
    binary = nginx_path()
    state.mkdir(parents=True, exist_ok=True)
    port = free_port()
    printed = cli(project, "host", "nginx", "--listen", f"127.0.0.1:{port}", *host_args)
    assert printed.code == 0, printed.err
    site_conf = state / "site.conf"
    site_conf.write_text(printed.out, encoding="utf-8")
    conf = state / "nginx.conf"
    conf.write_text(stock_conf_including(site_conf, state), encoding="utf-8")
    checked = subprocess.run([binary, "-t", "-c", str(conf), "-e", str(state / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([binary, "-c", str(conf), "-e", str(state / "error.log"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx did not start: {process.stderr.read().decode()}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", printed.out
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def real_site_on_nginx(tmp_path_factory):
    """The real site, built once for the session and served by nginx: (output folder, base address)."""
    from site_pages import build_real_site

    root = tmp_path_factory.mktemp("nginx")
    out = build_real_site(root / "project")
    with nginx_serving(root / "project", root / "nginx") as (base, _):
        yield out, base


class Answer:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name: str) -> str | None:
        values = self.headers.get_all(name)
        return ", ".join(values) if values else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(base: str, path: str, **headers: str) -> Answer:
    """One GET, redirects not followed, no decompression: what the server sent, as it sent it."""
    host, _, port = base.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request("GET", path, headers={name.replace("_", "-"): value for name, value in headers.items()})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()
