"""Where pages come from and where they go: files, bundles, slugs, clashes, the home page's list."""

import os
import unicodedata
from urllib.parse import quote

import pytest
from smallsite.speed.memo import DiskMemo

from conftest import all_languages, page


def test_single_files_and_bundles_get_their_urls_in_every_language(site):
    site.make({**all_languages("index"), **all_languages("about"), **all_languages("stories/kenya/index"),
               "content/stories/kenya/hero.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>'})
    assert site.build().code == 0
    for code in ("en", "ko", "ja", "zh"):
        assert (site.root / f"site/{code}/index.html").exists()
        assert (site.root / f"site/{code}/about/index.html").exists()
        assert (site.root / f"site/{code}/stories/kenya/index.html").exists()


def test_slug_replaces_the_last_segment_for_one_language(site):
    files = all_languages("about")
    files["content/about.ko.md"] = page("소개", slug="소개")
    site.make({**all_languages("index"), **files})
    assert site.build().code == 0
    assert (site.root / "site/ko/소개/index.html").exists()
    assert not (site.root / "site/ko/about").exists()
    assert 'href="/ko/%EC%86%8C%EA%B0%9C/"' in site.read("en/about/index.html") or \
        'href="/ko/소개/"' in site.read("en/about/index.html")


def test_a_slug_that_would_escape_is_refused(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About", slug='"../../etc"')})
    outcome = site.build()
    assert outcome.code == 1
    assert "content/about.en.md:4: slug '../../etc' must be one URL segment" in outcome.stderr


@pytest.mark.parametrize("slug, odd", [("100%", "%"), ("c#d", "#"), ("a:b", ":"), ('say \\"hi\\"', '"')])
def test_a_slug_with_a_character_no_url_segment_may_hold_names_that_character(site, slug, odd):
    site.make({**all_languages("index"), "content/about.en.md": page("About", slug=f'"{slug}"')})
    outcome = site.build()
    assert outcome.code == 1
    assert f"content/about.en.md:4: slug '{slug.replace(chr(92), '')}' must be one URL segment without '{odd}'" \
        in outcome.stderr
    assert not (site.root / "site").exists()


def test_two_sources_with_one_url_name_both_files(site):
    site.make({**all_languages("index"), "content/About.en.md": page("A"), "content/about.en.md": page("B")})
    outcome = site.build()
    assert outcome.code == 1
    assert "same URL" in outcome.stderr
    assert "content/About.en.md" in outcome.stderr and "content/about.en.md" in outcome.stderr


def test_unicode_normalisation_clash_is_an_error(site):
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    site.make({**all_languages("index"), f"content/{composed}.en.md": page("A"),
               f"content/{decomposed}.en.md": page("B")})
    outcome = site.build()
    assert outcome.code == 1
    assert "same URL" in outcome.stderr


def test_bundle_and_single_file_with_one_key_clash(site):
    site.make({**all_languages("index"), "content/x.en.md": page("A"), "content/x/index.en.md": page("B")})
    outcome = site.build()
    assert outcome.code == 1
    assert "content/x.en.md" in outcome.stderr and "content/x/index.en.md" in outcome.stderr


def test_home_lists_stories_by_weight_then_newest_date(site):
    files = {**all_languages("index", "Home")}
    files["content/stories/a.en.md"] = page("Alpha", weight=2, date="2018-01-01")
    files["content/stories/b.en.md"] = page("Bravo", weight=1, date="2017-01-01")
    files["content/stories/c.en.md"] = page("Charlie", weight=2, date="2018-06-01")
    site.make(files)
    assert site.build().code == 0
    html = site.read("en/index.html")
    assert html.index("Bravo") < html.index("Charlie") < html.index("Alpha")
    assert "3 stories" in html


def test_file_without_language_is_reported(site):
    site.make({**all_languages("index"), "content/notes.md": page("Notes")})
    outcome = site.build()
    assert outcome.code == 1
    assert "content/notes.md: no language in the file name: name it like notes.en.md" in outcome.stderr


def test_editor_backup_and_swap_files_are_not_pages(site):
    site.make({**all_languages("index"), "content/.about.en.md.swp": "x", "content/about.en.md~": "x",
               "content/#about.en.md#": "x"})
    assert site.build().code == 0


def test_a_story_page_offers_the_three_stories_that_follow_it(site):
    # Listing every story on every story page would grow the site with the square of their number.
    files = {**all_languages("index", "Home")}
    for number in range(1, 7):
        files[f"content/stories/s{number}.en.md"] = page(f"Story{number}", weight=number, date="2018-02-02")
    site.make(files)
    assert site.build().code == 0
    more = site.read("en/stories/s5/index.html").split('id="more-heading"')[1].split("</nav>")[0]
    assert [n for n in range(1, 7) if f">Story{n}<" in more] == [1, 2, 6]
    more = site.read("en/stories/s1/index.html").split('id="more-heading"')[1].split("</nav>")[0]
    assert [n for n in range(1, 7) if f">Story{n}<" in more] == [2, 3, 4]


def test_every_page_lists_its_language_plain_pages_in_the_footer(site):
    site.make({**all_languages("index", "Home"), **all_languages("about", "About"),
               "content/contact.en.md": page("Contact"), "content/contact.ko.md": page("연락"),
               "content/stories/s1.en.md": page("Story1", date="2018-02-02")})
    assert site.build().code == 0

    def footer(name):
        return site.read(name).split('class="site-footer__links"')[1].split("</ul>")[0]

    story = footer("en/stories/s1/index.html")
    assert story.index('href="/en/about/"') < story.index('href="/en/contact/"') and "aria-current" not in story
    assert '<a href="/en/about/" aria-current="page">About en</a>' in footer("en/about/index.html")
    assert '<a href="/en/contact/" aria-current="page">Contact</a>' in footer("en/contact/index.html")
    assert '<a href="/ko/contact/">연락</a>' in footer("ko/stories/s1/index.html")
    # Japanese has no Contact page: its fallback shows the English text, marked as English.
    assert '<a href="/ja/contact/" lang="en">Contact</a>' in footer("ja/stories/s1/index.html")
    assert "/ko/" not in footer("ja/about/index.html")


def test_a_source_that_cannot_be_read_is_named_in_every_process(site):
    """A link to nowhere (a moved folder, say) is the editor's to fix, named like any other mistake,
    whether the build reads its sources in one process or in several."""
    from smallsite.model.config import load_config
    from smallsite.build.pipeline import BuildOptions, build
    from smallsite.model.problems import BuildFailed

    site.make({**all_languages("index", "Home")})
    (site.root / "content" / "extra.en.md").symlink_to(site.root / "nowhere.en.md")
    outcome = site.build()
    assert outcome.code == 1
    # (a source that is a link is shown as the file it leads to)
    assert "nowhere.en.md: cannot be read: No such file or directory" in outcome.stderr
    for workers in (1, 2):
        with pytest.raises(BuildFailed) as failed:
            build(load_config(site.root), BuildOptions(), DiskMemo(site.root, workers=workers))
        assert [str(p) for p in failed.value.problems if "cannot be read" in str(p)] == \
            ["nowhere.en.md: cannot be read: No such file or directory"]


def test_a_source_in_a_folder_that_can_be_listed_but_not_entered_is_still_found(site, monkeypatch):
    """Where a folder's listing gives no file types (some network file systems), asking whether an entry
    is a folder or a link costs a stat, which a folder without search permission refuses. Such a file is
    still a source (read_page then says it cannot be read), not a crash of the build."""
    import os

    from smallsite.model.config import load_config
    from smallsite.model.content import find_sources

    site.make({**all_languages("index", "Home"), "content/locked/story.en.md": page("Locked")})
    locked = os.fspath(site.root / "content" / "locked")
    real_scandir = os.scandir

    class Untyped:
        def __init__(self, entry):
            self.name, self.path = entry.name, entry.path

        def is_dir(self, follow_symlinks=True):
            raise PermissionError(13, "Permission denied", self.path)

        is_symlink = is_file = is_dir

    def scandir(path="."):
        entries = list(real_scandir(path))
        return [Untyped(entry) for entry in entries] if os.fspath(path) == locked else entries

    monkeypatch.setattr(os, "scandir", scandir)
    sources, problems = find_sources(load_config(site.root))

    assert [(source.shown, source.key) for source in sources if source.lang == "en"] == \
        [("content/index.en.md", ""), ("content/locked/story.en.md", "locked/story")]
    assert problems == []


# A Korean name as macOS writes it (NFD: each syllable as its letters) and as people type it (NFC).
WHY = "왜-멈췄나"
WHY_DECOMPOSED = unicodedata.normalize("NFD", WHY)
WHY_IN_A_URL = "%EC%99%9C-%EB%A9%88%EC%B7%84%EB%82%98"  # the NFC name's UTF-8, percent-encoded
PICTURE = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"/>'


def test_a_name_saved_decomposed_is_published_composed_and_found_by_links_in_either_form(site):
    assert WHY != WHY_DECOMPOSED
    files = {**all_languages("index"), **all_languages(f"stories/{WHY_DECOMPOSED}", date="2018-02-02"),
             "content/about.en.md": page("About", f"[typed](stories/{WHY}.md) "
                                         f"[pasted](stories/{WHY_DECOMPOSED}.md)")}
    site.make(files)
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    for code in ("en", "ko", "ja", "zh"):
        assert os.listdir(site.root / f"site/{code}/stories") == [WHY]
    assert site.read("en/about/index.html").count(f'href="/en/stories/{WHY_IN_A_URL}/"') == 2


def test_a_bundle_and_its_picture_saved_decomposed_are_found_by_references_typed_composed(site):
    name, decomposed = "사진", unicodedata.normalize("NFD", "사진")
    hero = f"{{src: {name}.svg, alt: A picture}}"
    site.make({**all_languages("index"), f"content/stories/{WHY_DECOMPOSED}/{decomposed}.svg": PICTURE,
               f"content/stories/{WHY_DECOMPOSED}/index.en.md": page("Why", f"![A picture]({name}.svg)", hero=hero),
               "content/about.en.md": page("About", f"![Why](stories/{WHY}/{name}.svg)")})
    outcome = site.build()
    assert outcome.code == 0, outcome.stderr
    assert os.listdir(site.root / "site/en/stories") == [WHY]
    [published] = [name for name in os.listdir(site.root / "site/media") if name != "cards"]
    assert published.startswith(name + ".")  # composed, as the link and every other name
    html = site.read(f"en/stories/{WHY}/index.html")
    assert html.count(f'src="/media/{quote(published)}"') == 2  # the illustration and the picture in the text
    assert f'src="/media/{quote(published)}"' in site.read("en/about/index.html")


def test_a_slug_pasted_decomposed_is_published_composed(site):
    files = all_languages("about")
    files["content/about.ko.md"] = page("소개", slug=unicodedata.normalize("NFD", "소개"))
    site.make({**all_languages("index"), **files})
    assert site.build().code == 0
    assert "소개" in os.listdir(site.root / "site/ko")
    assert 'hreflang="ko" href="https://example.org/ko/%EC%86%8C%EA%B0%9C/"' in site.read("en/about/index.html")


def test_names_that_differ_only_in_their_unicode_form_are_a_clash_naming_both(site):
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    site.make({**all_languages("index"), f"content/{composed}.en.md": page("A"),
               f"content/{decomposed}.en.md": page("B"),
               f"content/stories/{composed}.svg": PICTURE, f"content/stories/{decomposed}.svg": PICTURE})
    outcome = site.build()
    assert outcome.code == 1
    for name in (f"{composed}.en.md", f"stories/{composed}.svg"):
        other = unicodedata.normalize("NFD", name)
        assert (f"content/{name}: same URL as content/{other}: the two names differ only in how their "
                "letters are written, this one composed (NFC), the other decomposed (NFD, as macOS writes "
                "names): keep one of them") in outcome.stderr.splitlines()
    assert "build failed: 2 problems" in outcome.stderr


def test_a_slug_too_long_for_a_file_system_is_refused(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About", slug="a" * 300)})
    outcome = site.build()
    assert outcome.code == 1
    assert (f"content/about.en.md:4: the slug '{'a' * 40}...' is 300 bytes long in UTF-8: a URL segment is a folder "
            "name, which must be at most 200 bytes to be written on any file system") in outcome.stderr
    assert not (site.root / "site").exists()


def test_the_slug_limit_counts_bytes_not_characters(site):
    site.make({**all_languages("index"), **all_languages("about"),
               "content/about.ko.md": page("소개", slug="소" * 66), "content/about.ja.md": page("紹介", slug="紹" * 67)})
    outcome = site.build()
    assert outcome.code == 1
    assert f"content/about.ja.md:4: the slug '{'紹' * 40}...' is 201 bytes long" in outcome.stderr
    assert "content/about.ko.md" not in outcome.stderr  # 198 bytes: a name any file system takes


def test_a_file_name_too_long_for_a_url_segment_is_refused(site):
    name = "b" * 210
    site.make({**all_languages("index"), f"content/{name}.en.md": page("B")})
    outcome = site.build()
    assert outcome.code == 1
    assert f"content/{name}.en.md: the name '{'b' * 40}...' is 210 bytes long in UTF-8" in outcome.stderr


@pytest.mark.parametrize("slug", ["feed.xml", "Feed.XML"])
def test_a_slug_where_the_build_writes_the_feed_is_refused(site, slug):
    site.make({**all_languages("index"), **all_languages("about")})
    assert site.build().code == 0
    before = site.tree()
    site.write("content/about.en.md", page("About", slug=slug))
    outcome = site.build()
    assert outcome.code == 1
    assert (f"content/about.en.md:4: the slug '{slug}' would put this page at /en/{slug}/, where the build writes "
            "the language's Atom feed (en/feed.xml): choose another") in outcome.stderr
    assert "build again" not in outcome.stderr
    assert site.tree() == before


def test_a_file_named_like_the_feed_is_refused_on_a_first_build(site):
    site.make({**all_languages("index"), "content/feed.xml.ko.md": page("Feed"),
               "content/feed.xml/more.en.md": page("More")})
    outcome = site.build()
    assert outcome.code == 1
    assert "content/feed.xml.ko.md: the name 'feed.xml' would put this page at /ko/feed.xml/" in outcome.stderr
    assert "content/feed.xml/more.en.md: the name 'feed.xml' would put this page at /en/feed.xml/" in outcome.stderr
    assert not (site.root / "site").exists()


def test_a_slug_that_takes_another_pages_url_is_named_with_its_line(site):
    site.make({**all_languages("index"), "content/a.en.md": page("A", slug="b"), "content/b.en.md": page("B")})
    outcome = site.build()
    assert outcome.code == 1
    assert ("content/a.en.md:4: same URL /en/b/ as content/b.en.md: rename one of them or give it another slug"
            in outcome.stderr)


def test_a_large_source_is_named_in_a_warning_on_every_build(site):
    big = page("Big", "\n\n".join(f"Paragraph {n} of a long page." for n in range(40_000)))
    assert 1_250_000 < len(big.encode()) < 1_350_000
    site.make({**all_languages("index"), **all_languages("about"), "content/about.en.md": big})
    warning = ("content/about.en.md: warning: 1.3 MB of Markdown; pages over 1 MB are slow to build (the time "
               "Python-Markdown takes grows faster than the page): split it into several pages")
    first = site.build()
    assert first.code == 0 and warning in first.stderr
    assert warning in site.build().stderr  # nothing changed: the last build's problems are told again
    site.write("content/about.ko.md", page("소개", "다른 글."))
    assert warning in site.build().stderr  # the big page taken from the build record, as it was read
    assert site.build("--strict").code == 1
