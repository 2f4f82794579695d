"""How problems reach the editor: never as characters the terminal would obey."""

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

