"""How problems reach the editor: each once, and never as characters the terminal would obey."""

from conftest import all_languages, page


def test_control_characters_in_names_and_front_matter_are_shown_escaped(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About", slug='"a\\0b\\e[31mred"'),
               "content/x\x1b[2Jy\u202e.md": "x"})
    outcome = site.build()
    assert outcome.code == 1
    lines = outcome.stderr.splitlines()
    assert "content/about.en.md:4: slug 'a\\x00b\\x1b[31mred' must be one URL segment: no '/', '..' or '?'" in lines
    assert "content/x\\x1b[2Jy\\u202e.md: no language in the file name: name it like x\\x1b[2Jy\\u202e.en.md" in lines
    assert not any(character in outcome.stderr for character in "\x00\x1b\u202e")


def test_a_missing_illustration_is_reported_once(site):
    # One story in one language: shown by its own page, three fallbacks and four home pages' cards.
    site.make({**all_languages("index"),
               "content/stories/why.en.md": page("Why", date="2018-02-02", hero="{src: gone.svg, alt: A}"),
               "content/about.en.md": page("About", "[Nowhere](nowhere.md)")})
    outcome = site.build()
    assert outcome.code == 1
    assert outcome.stderr.count("content/stories/why.en.md:5: 'gone.svg': no such file (content/stories/gone.svg)"
                                ) == 1
    assert outcome.stderr.count("content/about.en.md:5: link to 'nowhere.md': no such page") == 1
    assert "build failed: 2 problems" in outcome.stderr
