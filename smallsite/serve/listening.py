"""Where serve listens: the port asked for, or the first free one from 8000 on, and the address to show."""

from __future__ import annotations

import errno
import ipaddress
import socket

from tornado.netutil import bind_sockets

DEFAULT_PORT = 8000
PORTS_TO_TRY = 20


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (elsewhere, serve warns that others see drafts)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listen(host: str, port: int | None) -> tuple[list[socket.socket], int]:
    """Bind the port asked for; without --port, the first free one from 8000 on. Raises OSError."""
    if port is not None:
        sockets = bind_sockets(port, address=host)
        return sockets, sockets[0].getsockname()[1]
    for candidate in range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TO_TRY):
        try:
            sockets = bind_sockets(candidate, address=host)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
            continue
        if candidate != DEFAULT_PORT:
            print(f"port {DEFAULT_PORT} is in use (another serve?); using {candidate} instead", flush=True)
        return sockets, candidate
    raise OSError(errno.EADDRINUSE, f"ports {DEFAULT_PORT}-{DEFAULT_PORT + PORTS_TO_TRY - 1} are all in use")


def next_free_port(host: str, after: int) -> int | None:
    """A free port after the one asked for and in use, to suggest; None when the next few are all taken."""
    for candidate in range(after + 1, after + 1 + PORTS_TO_TRY):
        try:
            for sock in bind_sockets(candidate, address=host):
                sock.close()
            return candidate
        except OSError:
            continue
    return None


def page_url(host: str, port: int, base_path: str) -> str:
    """The address to open in a browser (listening on every address, this machine's own)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
    return f"http://{shown}:{port}{base_path}"
