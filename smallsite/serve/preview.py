"""The preview's web side: the last good build served from memory, the LiveReload channel, the problems overlay."""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Mapping
from urllib.parse import unquote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.websocket import WebSocketHandler

from ..model.problems import Problem

# Where livereload.js must live: it finds the server by matching its own <script src> against
# "<scheme>://<host:port>/livereload.js", and always connects to ws://<host:port>/livereload.
LIVERELOAD_JS = "/livereload.js"
LIVERELOAD_SOCKET = "/livereload"
GENERATION_PATH = "/__smallsite/generation"
LIVERELOAD_PROTOCOL = "http://livereload.com/protocols/official-7"

TEXT_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".txt": "text/plain",
              ".xml": "application/xml", ".svg": "image/svg+xml", ".json": "application/json",
              ".webmanifest": "application/manifest+json"}


@dataclass(frozen=True)
class Snapshot:
    """What the server shows: the last good build's files and the newest build's errors."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()  # errors of the newest build; () when it succeeded
    generation: int = 0  # bumped whenever what a page shows changes
    base_path: str = "/"
    built: bool = False  # False until one build has succeeded


def host_allowed(host_header: str, bound_host: str) -> bool:
    """Answer only requests addressed to the bound address or localhost: a page on another site that
    points its own DNS name at 127.0.0.1 (DNS rebinding) is refused by its Host header."""
    name = host_header.strip().lower()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".")
    bound = bound_host.strip("[]").lower()
    if name in ("localhost", bound):
        return True
    if bound in ("localhost", ""):
        return name in ("127.0.0.1", "::1")
    if bound in ("0.0.0.0", "::"):
        # Listening everywhere: any address of this machine, never a DNS name.
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return False
    return False


def resolve(raw_path: str, base_path: str, files: Mapping[str, bytes]) -> tuple[str, str]:
    """URL path -> ('file', output path) | ('redirect', location) | ('missing', '').
    Only names of the build's own output can come out, so nothing outside it can ever be served."""
    try:
        path = unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return "missing", ""
    if path == "/" and base_path != "/":
        return "redirect", base_path
    if not path.startswith(base_path):
        return "missing", ""
    relative = path[len(base_path):]
    parts = relative.split("/")
    # No dot segments (.. and %2e%2e alike, decoded above), no dotfiles, no backslashes or NULs.
    if any(part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        return "missing", ""
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    if relative in files:
        return "file", relative
    if relative + "/index.html" in files:
        return "redirect", raw_path + "/"
    return "missing", ""


LANGUAGE_FOLDER = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*")  # as site.toml's language codes are


def not_found_page(raw_path: str, base_path: str, files: Mapping[str, bytes]) -> str:
    """The 404 page a host shows for a missing address (host/plan.py): the language folder's own
    (ko/404.html for /ko/...), else the site's."""
    path = unquote(raw_path, errors="replace")
    folder, slash, _ = path[len(base_path):].partition("/") if path.startswith(base_path) else ("", "", "")
    if slash and LANGUAGE_FOLDER.fullmatch(folder) and f"{folder}/404.html" in files:
        return f"{folder}/404.html"
    return "404.html"


def content_type(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in TEXT_TYPES:
        kind = TEXT_TYPES[suffix]
        return kind if kind.startswith("image/") else kind + "; charset=utf-8"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def live_snippet(generation: int) -> str:
    """Loads livereload.js from this server; on (re)connecting, reloads if a build finished while the
    page was loading (a reload sent before the socket was open would otherwise be lost)."""
    return (
        "<script>(function(){"
        f'var served="{generation}";'
        'document.addEventListener("LiveReloadConnect",function(){'
        f'fetch("{GENERATION_PATH}",{{cache:"no-store"}}).then(function(r){{return r.text()}})'
        '.then(function(now){if(now!==served)location.reload()})});'
        'var s=document.createElement("script");'
        f's.src="{LIVERELOAD_JS}?host="+location.hostname+"&port="'
        '+(location.port||(location.protocol==="https:"?443:80));'
        "document.head.appendChild(s)})();</script>"
    )


def problems_overlay(problems: tuple[Problem, ...], built: bool) -> str:
    """The build's errors over the page, as path:line: message, the same lines as in the terminal."""
    if not problems:
        return ""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    below = "The page below is the last good build." if built else "No build has succeeded yet."
    lines = "\n".join(f"<li>{html.escape(str(problem))}</li>" for problem in problems)
    return (
        '<div id="smallsite-problems" role="alert" lang="en" dir="ltr" style="all:initial;position:fixed;'
        "z-index:2147483647;top:0;left:0;right:0;max-height:70vh;overflow:auto;box-sizing:border-box;"
        "padding:16px 24px;background:#fff4f4;color:#5c0000;border-bottom:4px solid #c00000;"
        'font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap">'
        f'<strong style="font:inherit;font-weight:bold">The build failed: {count}. {below} '
        "Fix the file and save: this goes away on its own.</strong>"
        f'<ul style="margin:8px 0 0;padding-left:20px">{lines}</ul></div>'
    )


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """Add the reload script and the overlay at the end of an HTML page (never into the build)."""
    extra = (live_snippet(snapshot.generation) + problems_overlay(snapshot.problems, snapshot.built)).encode()
    end = page.rfind(b"</body>")
    return page[:end] + extra + page[end:] if end >= 0 else page + extra


def waiting_page(snapshot: Snapshot) -> bytes:
    """What every address shows until a build succeeds: the errors, and a reload when they are fixed."""
    return inject(b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>smallsite: "
                  b"build failed</title></head><body></body></html>", snapshot)


class Preview:
    """The state the handlers share: the current snapshot and the open reload sockets.
    Only ever touched on the server's event loop thread."""

    def __init__(self, bound_host: str, snapshot: Snapshot):
        self.bound_host = bound_host
        self.snapshot = snapshot
        self.sockets: set[ReloadSocket] = set()

    def publish(self, snapshot: Snapshot, changed: str = "") -> None:
        """Show a new snapshot and tell every open tab to reload (when what they show changed)."""
        previous = self.snapshot
        self.snapshot = snapshot
        if snapshot.generation == previous.generation:
            return
        message = {"command": "reload", "path": changed or snapshot.base_path, "liveCSS": False, "liveImg": False}
        for socket in list(self.sockets):
            socket.send_message(message)


class _Guarded:
    """Refuse requests for any host but ours before doing anything else."""

    def prepare(self):
        # The header as sent, not request.host: Tornado before 6.5 reads a missing or empty one as 127.0.0.1.
        host = self.request.headers.get("Host", "")
        if not host_allowed(host, self.preview.bound_host):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(f"smallsite serve answers only requests for {self.preview.bound_host} or localhost, "
                        f"not {host}\n")


class SiteHandler(_Guarded, web.RequestHandler):
    """Any path: a file of the last good build, a redirect to a folder's slash, or the site's 404 page."""

    def initialize(self, preview: Preview):
        self.preview = preview

    def set_default_headers(self):
        # Always the newest build: no caching, not even of hashed files (the hash can repeat after an undo).
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.clear_header("Server")

    def compute_etag(self):
        return None

    def head(self):
        self.get()

    def get(self):
        snapshot = self.preview.snapshot
        if not snapshot.built:
            return self._send(503, "text/html; charset=utf-8", waiting_page(snapshot))
        kind, target = resolve(self.request.path, snapshot.base_path, snapshot.files)
        if kind == "redirect":
            query = f"?{self.request.query}" if self.request.query else ""
            return self.redirect(target + query, permanent=False)
        # None: a page rendered on request whose template failed, with no earlier version to show.
        data = snapshot.files.get(target) if kind == "file" else None
        if data is not None:
            kind_of = content_type(target)
            if kind_of.startswith("text/html"):
                data = inject(data, snapshot)
            return self._send(200, kind_of, data)
        page = snapshot.files.get(not_found_page(self.request.path, snapshot.base_path, snapshot.files))
        if page is None:
            return self._send(404, "text/plain; charset=utf-8", b"404: not in the site\n")
        return self._send(404, "text/html; charset=utf-8", inject(page, snapshot))

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(data)))
        if self.request.method != "HEAD":
            self.write(data)
        self.finish()


class GenerationHandler(_Guarded, web.RequestHandler):
    """The number of the build on show: a page compares it with the one it was served from."""

    def initialize(self, preview: Preview):
        self.preview = preview

    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(str(self.preview.snapshot.generation))


class LiveReloadScript(_Guarded, LiveReloadJSHandler):
    """livereload's own handler for livereload.js, behind the Host check."""

    def initialize(self, preview: Preview):
        self.preview = preview


class ReloadSocket(_Guarded, LiveReloadHandler):
    """livereload's WebSocket handler, mended: same-origin only, its tabs per server rather than in a
    class-wide set, and no reload throttle (the build decides when to reload, once per save)."""

    def initialize(self, preview: Preview):
        self.preview = preview

    def check_origin(self, origin: str) -> bool:
        # livereload accepts every origin; Tornado's own check accepts only the page's own origin.
        return WebSocketHandler.check_origin(self, origin)

    def on_message(self, message):
        try:
            command = json.loads(message).get("command")
        except (ValueError, AttributeError):
            return
        if command == "hello":
            # Registered on hello, before the page checks the generation: no reload can fall between.
            self.preview.sockets.add(self)
            self.send_message({"command": "hello", "protocols": [LIVERELOAD_PROTOCOL],
                               "serverName": "smallsite"})

    def on_close(self):
        self.preview.sockets.discard(self)


def make_application(preview: Preview) -> web.Application:
    """The Tornado application: livereload's paths first, then the site."""
    options = {"preview": preview}
    return web.Application([
        (LIVERELOAD_SOCKET, ReloadSocket, options),
        (LIVERELOAD_JS, LiveReloadScript, options),
        (GENERATION_PATH, GenerationHandler, options),
        (r"/.*", SiteHandler, options),
    ], websocket_max_message_size=64 * 1024)
