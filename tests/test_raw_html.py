"""Raw HTML in Markdown under site.toml's raw_html (docs/raw-html.md): what a reader's browser gets, and
what the editor is told (path:line), for each attack; the film still plays; the other two modes."""

from __future__ import annotations

import shutil

import pytest

from conftest import SITE_TOML, SiteMaker, all_languages, page
from markdown_paths import markdown_path  # noqa: F401 - every test on both Markdown paths
from site_pages import loaded_resources

PAGE = "content/about.en.md"
SAFE = ' (site.toml raw_html = "safe")'

# (what the editor writes, what the built page must not contain, what the editor is told). Each is a
# paragraph or block of its own in one page; the messages' lines are counted from where each starts.
ATTACKS = {
    "script": ('<script>alert("one")</script>', 'alert("one")', "raw HTML <script> removed" + SAFE),
    "mixed-case script": ('<ScRiPt>alert("two")</ScRiPt>', 'alert("two")', "raw HTML <script> removed" + SAFE),
    "onerror": ("A picture <img src=\"pic.png\" alt=\"p\" onerror=\"alert('three')\"> inline.", "onerror",
                "raw HTML onerror=\"alert('three')\" removed from <img>" + SAFE + ": event handlers run scripts"),
    "javascript link in HTML": ("<a href=\"javascript:alert('four')\">click</a>", "alert('four')",
                                "raw HTML href=\"javascript:alert('four')\" removed from <a>" + SAFE),
    "javascript link in Markdown": ("[click](javascript:alert(5))", "alert(5)",
                                    "link to 'javascript:alert(5)' removed" + SAFE
                                    + ": 'javascript:' addresses are not allowed"),
    "entity-encoded javascript in HTML": ("<a href=\"jav&#x61;script:alert('six')\">e</a>", "alert('six')",
                                          "raw HTML href=\"javascript:alert('six')\" removed from <a>" + SAFE),
    "entity-encoded javascript in Markdown": ("[e](jav&#x61;script:alert(7))", "alert(7)",
                                              "link to 'jav&#x61;script:alert(7)' removed" + SAFE),
    "data: link": ('<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>', "data:text/html",
                   "raw HTML href=\"data:text/html;base64,PHNjcmlwdD4=\" removed from <a>" + SAFE),
    "third-party iframe": ('<iframe src="https://www.youtube.com/embed/abc"></iframe>', "youtube.com/embed",
                           "raw HTML <iframe> removed" + SAFE + ": a film is written as 'video: ID' in the front "
                           "matter (docs/content-format.md)"),
    "picture from another host in HTML": ('<img src="https://tracker.example/pixel.gif" alt="t">', "tracker.example",
                                          'raw HTML src="https://tracker.example/pixel.gif" removed from <img>' + SAFE
                                          + ": it would load from another host (tracker.example) as the page opens"),
    "picture from another host in Markdown": ("![t](//tracker.example/md.gif)", "tracker.example/md.gif",
                                              "picture '//tracker.example/md.gif' removed" + SAFE
                                              + ": it would load from another host (tracker.example)"),
    "style": ("<style>body { display: none }</style>", "display: none", "raw HTML <style> removed" + SAFE),
    "form": ('<form action="https://evil.example/"><input name="q"></form>', "evil.example/",
             "raw HTML <form> removed" + SAFE),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/go">', "evil.example/go",
                     "raw HTML <meta> removed" + SAFE),
    "base": ('<base href="https://evil.example/base/">', "evil.example/base", "raw HTML <base> removed" + SAFE),
    "svg with onload": ("<svg onload=\"alert('eight')\"><circle r=\"1\"/></svg>", "alert('eight')",
                        "raw HTML <svg> removed" + SAFE),
    "attribute set with attr_list": ("## A heading {: onclick=\"alert('nine')\" }", "alert('nine')",
                                     "attribute onclick=\"alert('nine')\" set with {: ...} removed from <h2>" + SAFE),
    "markdown in HTML": ("<div markdown=\"1\" onmouseover=\"alert('ten')\">\n*inside*\n</div>", "alert('ten')",
                         "raw HTML onmouseover=\"alert('ten')\" removed from <div>" + SAFE),
}
# Raw HTML that is fine: kept, and nothing said about it.
FINE = ["<!-- an editor's note -->", '<span class="note">a note with <em>emphasis</em></span>',
        '<a href="/en/">home</a> and <a href="https://www.python.org/">another site</a>',
        '<img src="https://example.org/own.png" alt="this site\'s own picture">',
        '<abbr title="Winter Olympics">WO</abbr> <kbd>Ctrl</kbd>', "[a link elsewhere](https://www.python.org/)"]


def body_and_lines(pieces: list[str]) -> tuple[str, list[int]]:
    """A page body of the pieces, a blank line apart, and the file line each starts on (the front matter
    page() writes is four lines)."""
    lines, starts = [], []
    for piece in pieces:
        starts.append(5 + len(lines))
        lines += piece.split("\n") + [""]
    return "\n".join(lines), starts


def make(site: SiteMaker, body: str, mode: str | None = None, **extra: str) -> None:
    toml = SITE_TOML if mode is None else SITE_TOML.replace('default_language = "en"\n',
                                                            f'default_language = "en"\nraw_html = "{mode}"\n')
    site.make({**all_languages("index"), **all_languages("about"), PAGE: page("About", body), **extra}, site_toml=toml)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """One page with every attack and every fine piece, built with the default policy."""
    site = SiteMaker(tmp_path_factory.mktemp("attacked") / "project")
    body, starts = body_and_lines([written for written, _, _ in ATTACKS.values()] + FINE)
    make(site, body)
    outcome = site.build()
    return site, outcome, dict(zip(ATTACKS, starts))


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_does_not_reach_the_page_and_the_editor_is_told_where(attacked, attack):
    site, outcome, starts = attacked
    _, marker, message = ATTACKS[attack]
    assert outcome.code == 0, outcome.stderr  # warnings: the page is built without it
    html = site.read("en/about/index.html")
    assert marker not in html
    assert f"{PAGE}:{starts[attack]}: warning: {message}" in outcome.stderr


def test_fine_raw_html_is_kept_and_not_mentioned(attacked):
    site, outcome, _ = attacked
    html = site.read("en/about/index.html")
    assert "<!-- an editor's note -->" in html
    assert '<span class="note">a note with <em>emphasis</em></span>' in html
    assert '<a href="/en/">home</a> and <a href="https://www.python.org/">another site</a>' in html
    assert '<img src="https://example.org/own.png"' in html
    assert '<abbr title="Winter Olympics">WO</abbr> <kbd>Ctrl</kbd>' in html
    assert '<a href="https://www.python.org/">a link elsewhere</a>' in html
    assert "<p><em>inside</em></p>" in html  # markdown="1" still parses its content
    starts = body_and_lines([written for written, _, _ in ATTACKS.values()] + FINE)[1][len(ATTACKS):]
    assert not any(f"{PAGE}:{line}:" in outcome.stderr for line in starts)
    # Nothing the page loads comes from another host.
    assert all(not url.startswith(("http:", "https:", "//")) or url.startswith("https://example.org/")
               for url in loaded_resources(html))


def test_the_same_tag_twice_is_named_at_each_line(site):
    make(site, "<script>one()</script>\n\nText.\n\n<script>one()</script>")
    outcome = site.build()
    assert f"{PAGE}:5: warning: raw HTML <script> removed" in outcome.stderr
    assert f"{PAGE}:9: warning: raw HTML <script> removed" in outcome.stderr


def test_strict_fails_on_removed_raw_html_and_keeps_the_last_site(site):
    make(site, "Text.")
    assert site.build().code == 0
    before = site.tree()
    site.write(PAGE, page("About", "Text.\n\n<script>alert(1)</script>"))
    outcome = site.build("--strict")
    assert outcome.code == 1
    assert f"{PAGE}:7: warning: raw HTML <script> removed" + SAFE in outcome.stderr
    assert site.tree() == before


def test_trusted_keeps_raw_html_as_written(site):
    body = ("<script>alert(\"t\")</script>\n\n<img src=\"https://tracker.example/p.gif\" onerror=\"x()\">\n\n"
            "[click](javascript:go())\n\n<iframe src=\"https://www.youtube.com/embed/abc\"></iframe>")
    make(site, body, mode="trusted")
    outcome = site.build("--strict")  # nothing to warn about
    assert outcome.code == 0, outcome.stderr
    html = site.read("en/about/index.html")
    assert '<script>alert("t")</script>' in html
    assert '<img src="https://tracker.example/p.gif" onerror="x()">' in html
    assert '<a href="javascript:go()">click</a>' in html
    assert '<iframe src="https://www.youtube.com/embed/abc"></iframe>' in html


def test_escape_shows_raw_html_as_text(site):
    body = "<script>alert(\"e\")</script>\n\nSome <b>bold</b> and <!-- a note -->.\n\n[click](javascript:go())"
    make(site, body, mode="escape")
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    html = site.read("en/about/index.html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(\"e\")&lt;/script&gt;" in html
    assert "Some &lt;b&gt;bold&lt;/b&gt; and &lt;!-- a note --&gt;." in html
    # A javascript: link written in Markdown is not raw HTML: it is refused all the same.
    assert "javascript:" not in html
    assert f"{PAGE}:9: warning: link to 'javascript:go()' removed (site.toml raw_html = \"escape\")" in outcome.stderr


def test_the_film_still_plays_and_a_raw_player_points_to_it(site):
    story = "content/stories/film/index.en.md"
    make(site, "Text.", **{story: page("A film", "The story.\n\n<iframe src=\"https://www.youtube.com/embed/abc123\">"
                                               "</iframe>", date="2018-02-02", video="abc123")})
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    html = site.read("en/stories/film/index.html")
    # The film from the front matter: a poster whose button is a link to the privacy-enhanced player,
    # which js/film.js loads only when pressed; nothing loads from another host before that.
    assert '<a class="film__play" href="https://www.youtube-nocookie.com/embed/abc123?autoplay=1&amp;rel=0"' in html
    assert any("/js/film." in url for url in loaded_resources(html))
    assert not any(url.startswith(("http:", "https:", "//")) for url in loaded_resources(html))
    assert "youtube.com/embed" not in html
    assert (f"{story}:9: warning: raw HTML <iframe> removed" + SAFE + ": a film is written as 'video: ID' in the "
            "front matter (docs/content-format.md), and its player loads only when the reader presses play"
            in outcome.stderr)


def test_a_page_without_raw_html_is_the_same_in_every_mode(site, tmp_path):
    """The policy only touches raw HTML: the real site's pages are the same bytes, safe or trusted."""
    site.make({}, real_content=True)
    assert site.build().code == 0
    safe = site.tree()
    trusted = SiteMaker(tmp_path / "trusted")
    trusted.make({}, site_toml=SITE_TOML.replace('default_language = "en"\n',
                                                 'default_language = "en"\nraw_html = "trusted"\n'), real_content=True)
    assert trusted.build().code == 0
    assert trusted.tree() == safe


def test_changing_the_mode_rebuilds_as_a_clean_build_would(site, tmp_path):
    make(site, "<script>alert(1)</script>\n\nText.")
    first = site.build()
    assert "<script>" not in site.read("en/about/index.html")
    toml = site.root / "site.toml"
    toml.write_text(SITE_TOML.replace('default_language = "en"\n', 'default_language = "en"\nraw_html = "trusted"\n'),
                    encoding="utf-8")
    assert site.build().code == 0
    assert "<script>alert(1)</script>" in site.read("en/about/index.html")
    warm = site.tree()
    shutil.rmtree(site.root / "site")
    shutil.rmtree(site.root / ".cache")
    assert site.build().code == 0
    assert site.tree() == warm
    # And back: the warning comes again (from the cache or not), with the page as it was first built.
    toml.write_text(SITE_TOML, encoding="utf-8")
    again = site.build()
    assert "<script>" not in site.read("en/about/index.html")
    assert f"{PAGE}:5: warning: raw HTML <script> removed" in first.stderr
    assert f"{PAGE}:5: warning: raw HTML <script> removed" in again.stderr


def test_the_warning_comes_again_when_the_page_is_taken_from_the_caches(site):
    make(site, "<script>alert(1)</script>\n\nText.")
    site.build()
    site.write("content/index.en.md", page("Home", "Changed."))  # another page: this one is reused
    outcome = site.build()
    assert f"{PAGE}:5: warning: raw HTML <script> removed" in outcome.stderr


def test_a_page_without_raw_html_never_reaches_the_sanitizer(site, monkeypatch):
    """Pages with no '<' pay nothing: the real site builds with the sanitizer made unusable."""
    import smallsite.build.raw_html

    def unusable(host):
        raise AssertionError("the sanitizer was asked to clean a page without raw HTML")

    monkeypatch.setattr(smallsite.build.raw_html, "_cleaner", unusable)
    site.make({}, real_content=True)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    # And the same build does reach it for a page that has raw HTML.
    site.write("content/about.en.md", page("About", "<b onclick=\"x()\">bold</b>"))
    with pytest.raises(AssertionError, match="sanitizer was asked"):
        site.build()
