"""A long build draws one progress line on a terminal, clears it for the summary, and never logs it."""

import io

from smallsite.commands.progress import terminal_progress


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_line_on_a_terminal_only(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert terminal_progress(io.StringIO()) is None  # a pipe or a log file gets no progress line
    now = [0.0]
    terminal = Terminal()
    progress = terminal_progress(terminal, clock=lambda: now[0])
    progress(10, 1000)  # a build that ends quickly shows nothing
    assert terminal.getvalue() == ""
    now[0] = 2.0
    progress(500, 1000)
    assert terminal.getvalue() == "\rrendering pages: 500/1000 (50%)"
    progress(1000, 1000)
    assert terminal.getvalue().endswith("\r\x1b[K")


def test_no_progress_line_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert terminal_progress(Terminal()) is None
