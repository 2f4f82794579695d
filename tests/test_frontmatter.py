"""Front matter mistakes are reported with the file and the line an editor must fix."""

import pytest

from conftest import all_languages, page


def build_with(site, source: str | bytes, name: str = "content/about.en.md"):
    site.make({**all_languages("index", "Home"), name: source})
    return site.build()


@pytest.mark.parametrize("line, expected", [
    ("title: No", "content/about.en.md:2: 'title' must be text — YAML reads an unquoted No as true/false; "
                  'write "No" in quotes'),
    ("title: 12:30", "content/about.en.md:2: 'title' must be text — YAML reads 12:30 as a number (base 60); "
                     'write "12:30" in quotes'),
    ("title: 2018", "content/about.en.md:2: 'title' must be text — YAML reads 2018 as a number"),
    ("title:", "content/about.en.md:2: 'title' must be text — the value is empty"),
])
def test_yaml_traps_are_explained(site, line, expected):
    outcome = build_with(site, f"---\n{line}\nsummary: s\n---\nBody\n")
    assert outcome.code == 1
    assert expected in outcome.stderr


def test_wrong_types_and_unknown_fields_each_get_a_line(site):
    source = "---\ntitle: T\nsummary: S\ndate: 9 Feb 2018\nweight: heavy\ndraft: maybe\ntags: hockey\nauthor: me\n---\n"
    outcome = build_with(site, source)
    assert outcome.code == 1
    for expected in ("content/about.en.md:4: 'date' must be a real date written YYYY-MM-DD",
                     "content/about.en.md:5: 'weight' must be a whole number",
                     "content/about.en.md:6: 'draft' must be true or false",
                     "content/about.en.md:7: 'tags' must be a list of text",
                     "content/about.en.md:8: unknown field 'author'"):
        assert expected in outcome.stderr


def test_tab_indentation_is_reported_with_its_line(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: S\nhero:\n\tsrc: a.svg\n---\n")
    assert "content/about.en.md:5: a tab in the indentation: YAML needs spaces" in outcome.stderr


def test_broken_yaml_names_the_line(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: [S\nweight: 1\n---\n")
    assert outcome.code == 1
    assert "content/about.en.md:4: front matter is not valid YAML" in outcome.stderr


def test_a_control_character_in_a_title_is_named_not_published_into_an_unreadable_feed(site):
    outcome = build_with(site, '---\ntitle: "Escape \\x1b here"\nsummary: S\n---\nText.\n')
    assert outcome.code == 1
    assert "content/about.en.md:2: 'title' holds a control character ('\\x1b'), which no feed or page " \
           "can carry: delete it" in outcome.stderr


def test_front_matter_nested_thousands_deep_is_named_without_a_traceback(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: S\ntags: " + "[" * 5000 + "\n---\nText.\n")
    assert outcome.code == 1
    assert "content/about.en.md:2: front matter is nested too deeply" in outcome.stderr
    assert "Traceback" not in outcome.stderr

def test_missing_required_fields_and_missing_front_matter(site):
    site.make({**all_languages("index"), "content/a.en.md": "---\ntitle: T\n---\n", "content/b.en.md": "# Just text\n"})
    outcome = site.build()
    assert "content/a.en.md:2: missing field 'summary'" in outcome.stderr
    assert "content/b.en.md:1: no front matter" in outcome.stderr


def test_hero_needs_alt_text(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: S\nhero:\n  src: a.svg\n---\n")
    assert "content/about.en.md:4: 'hero' needs 'alt'" in outcome.stderr


def test_not_utf8_is_an_error_with_the_line(site):
    outcome = build_with(site, "---\ntitle: Café\nsummary: S\n---\nline one\n".encode("latin-1"))
    assert outcome.code == 1
    assert "content/about.en.md:2: not UTF-8 text" in outcome.stderr


def test_bom_and_crlf_give_the_same_page_as_a_clean_file(site, tmp_path):
    clean = page("Crème", "Body *text*.\n\nSecond paragraph.", date="2018-02-02")
    site.make({**all_languages("index"), "content/about.en.md": clean})
    assert site.build().code == 0
    expected = site.read("en/about/index.html")
    site.write("content/about.en.md", ("\ufeff" + clean.replace("\n", "\r\n")).encode("utf-8"))
    assert site.build().code == 0
    assert site.read("en/about/index.html") == expected


def test_front_matter_is_text_never_html_or_template_code(site):
    site.make({**all_languages("index"),
               "content/about.en.md": page('"<script>alert(1)</script> {{ 7*7 }}"', "Body")})
    assert site.build().code == 0
    html = site.read("en/about/index.html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert "49" not in html


def test_drafts_are_left_out_unless_asked(site):
    site.make({**all_languages("index"), "content/secret.en.md": page("Secret", draft="true")})
    assert site.build().code == 0
    assert not (site.root / "site/en/secret/index.html").exists()
    assert site.build("--drafts").code == 0
    assert (site.root / "site/en/secret/index.html").exists()


def test_an_unclosed_quote_points_at_where_it_opens(site):
    outcome = build_with(site, '---\ntitle: "Kenya: a dream\nsummary: S\nweight: 1\n---\nBody\n')
    assert outcome.code == 1
    assert "content/about.en.md:2: front matter is not valid YAML: while scanning a quoted scalar" in outcome.stderr


def test_a_video_url_instead_of_an_id_is_explained(site):
    outcome = build_with(site, '---\ntitle: T\nsummary: S\nvideo: "https://www.youtube.com/watch?v=abc123"\n---\n')
    assert outcome.code == 1
    assert ("content/about.en.md:4: 'video' must be the film's id alone (like dQw4w9WgXcQ), "
            "not 'https://www.youtube.com/watch?v=abc123'") in outcome.stderr


@pytest.mark.parametrize("line, expected", [
    ("weight: 012", "'weight' 012 starts with a 0 (YAML 1.1 reads 012 as the octal number 10): write it without, "
                    "like 12"),
    ("weight: -09", "'weight' -09 starts with a 0: write it without, like -9"),
    ("weight: 0x1F", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: 1_000", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: 1e9", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: .inf", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: 1.5", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: true", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: '3'", "'weight' must be a whole number in plain digits, like 10"),
    ("weight: 1:20", "'weight' must be a whole number in plain digits, like 10 — YAML reads 1:20 as a number "
                     "in base 60"),
    ("weight: 1000000001", "'weight' must be between -1000000000 and 1000000000"),
    ("weight: " + "9" * 5000, "'weight' must be between -1000000000 and 1000000000"),
    ("draft: yes", "'draft' must be true or false (not yes, which YAML 1.1 also reads as one)"),
    ("date: 2018-13-45", "'date' must be a real date written YYYY-MM-DD, like 2018-02-02, or a date and time "
                         "with its zone, like 2018-02-02T10:30:00+09:00"),
    ("date: true", "'date' must be a real date written YYYY-MM-DD"),
    ("date: 2018-02-02T10:30:00", "'date' 2018-02-02T10:30:00 has a time but no zone: add it, like 2018-02-02T10:30:00"
                                  "+09:00 (or Z for UTC); the site has no zone of its own to assume"),
    ("date: 2018-02-02T24:30:00Z", "'date' must be a real date written YYYY-MM-DD"),
    ("date: 2018-02-02T10:30:00+24:00", "'date' must be a real date written YYYY-MM-DD"),
    ('tags: "a string"', "'tags' must be a list of text, like [hockey, Kenya] — for one, write [a string]"),
    ("hero: [a.svg, A puck]", "'hero' must be a mapping with 'src' and 'alt'"),
    ("hero: {[a]: b}", "'hero' must be a mapping with 'src' and 'alt'"),
    ("[a, b]: c", "a field's name must be a word, like title"),
    ("params: 12", "'params' must be a mapping of 'name: value' lines"),
    ("params: {? [a, b] : x}", "'params' cannot be read: found unhashable key"),
    ("params: {day: 2018-02-30}", "'params' cannot be read: day is out of range for month"),
    ("params: {n: " + "9" * 5000 + "}", "'params' cannot be read: Exceeds the limit (4300 digits)"),
])
def test_odd_values_are_explained_never_a_traceback(site, line, expected):
    outcome = build_with(site, f"---\ntitle: T\nsummary: S\n{line}\n---\nBody\n")
    assert outcome.code == 1
    assert f"content/about.en.md:4: {expected}" in outcome.stderr


def test_a_weight_in_plain_digits_orders_the_stories(site):
    site.make({**all_languages("index", "Home"),
               "content/stories/a.en.md": page("Alpha", weight="+7", date="2018-01-01"),
               "content/stories/b.en.md": page("Bravo", weight="-3", date="2018-01-01"),
               "content/stories/c.en.md": page("Charlie", weight="0", date="2018-01-01")})
    assert site.build().code == 0
    html = site.read("en/index.html")
    assert html.index("Bravo") < html.index("Charlie") < html.index("Alpha")


# Nine levels of nine aliases each: 9^9 (387 million) values, which took the build past 5 GB.
ALIAS_BOMB = "params:\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]\n" for level in range(1, 9))


def test_an_alias_bomb_is_refused_before_it_grows(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: S\n" + ALIAS_BOMB + "---\nBody\n")
    assert outcome.code == 1
    assert ("content/about.en.md:5: YAML anchors and aliases (&a0) are not taken in front matter: write the value "
            "out in full, or quote the text if the & is part of it") in outcome.stderr


@pytest.mark.parametrize("lines, expected", [
    ("title: &t T\nsummary: *t", "content/about.en.md:2: YAML anchors and aliases (&t) are not taken"),
    ("title: T\nsummary: S\nparams:\n  a: 1\n  b: *a", "content/about.en.md:6: YAML anchors and aliases (*a) "
                                                     "are not taken"),
    ("title: T\nsummary: S\nparams: {data: !!binary aGk=}", "content/about.en.md:4: YAML tags (!!binary) are not "
                                                            "taken in front matter"),
    ("title: T\nsummary: S\nparams:\n  x: 1\n  s: !!set {a, b}", "content/about.en.md:6: YAML tags (!!set)"),
    ("title: T\nsummary: S\nparams: {when: !!timestamp 2018-02-02}", "content/about.en.md:4: YAML tags (!!timestamp)"),
    ("title: !!python/object:os.system T\nsummary: S", "content/about.en.md:2: YAML tags (!!python/object:os.system)"),
    ("title: !!str 123\nsummary: S", "content/about.en.md:2: YAML tags (!!str) are not taken in front matter: "
                                     'write the value plainly, and quote text YAML would read as something else, '
                                     'like "123"'),
    ("title: T\nsummary: !local S", "content/about.en.md:3: YAML tags (!local)"),
])
def test_anchors_aliases_and_tags_are_refused_with_their_line(site, lines, expected):
    outcome = build_with(site, f"---\n{lines}\n---\nBody\n")
    assert outcome.code == 1
    assert expected in outcome.stderr


def test_text_with_ampersands_asterisks_and_exclamation_marks_is_still_text(site):
    site.make({**all_languages("index"),
               "content/about.en.md": page('"Tom & Jerry *live*!"', "Body", params="{note: Wow & more!}")})
    assert site.build().code == 0
    assert "Tom &amp; Jerry *live*!" in site.read("en/about/index.html")


def test_front_matter_without_its_closing_line_names_the_opening_one(site):
    outcome = build_with(site, "---\ntitle: T\nsummary: S\n")
    assert outcome.code == 1
    assert ("content/about.en.md:1: the front matter that starts here has no closing '---': put a '---' line "
            "between the front matter and the page's text") in outcome.stderr
    assert not (site.root / "site").exists()


def test_a_closing_line_removed_later_is_not_hidden_by_the_cache(site):
    """The same front matter text, closed and then not: the front matter kept from the first build (by the
    digest of its text) must not stand in for the second, which is no front matter at all."""
    site.make({**all_languages("index"), "content/about.en.md": "---\ntitle: T\nsummary: S\n---\n"})
    assert site.build().code == 0
    site.write("content/about.en.md", "---\ntitle: T\nsummary: S\n")
    outcome = site.build()
    assert outcome.code == 1
    assert "content/about.en.md:1: the front matter that starts here has no closing '---'" in outcome.stderr
