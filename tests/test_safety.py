"""Nothing lost: a failed build leaves the last good site, and nothing outside the output is touched."""

from pathlib import Path

import pytest

from conftest import all_languages, page


def test_a_failed_build_reports_every_problem_and_keeps_the_old_site(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About")})
    assert site.build().code == 0
    before = site.tree()
    site.write("content/about.en.md", "---\ntitle: No\nsummary: s\n---\n[x](nowhere.md)\n")
    site.write("content/other.en.md", "---\ntitle: T\n---\n")
    outcome = site.build()
    assert outcome.code == 1
    assert "content/about.en.md:2: 'title' must be text" in outcome.stderr
    assert "content/other.en.md:2: missing field 'summary'" in outcome.stderr
    assert "the site folder was not changed" in outcome.stderr
    assert site.tree() == before


def test_a_template_error_names_the_template_line_and_keeps_the_old_site(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About")})
    assert site.build().code == 0
    before = site.tree()
    template = site.root / "templates/page.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "  <p>{{ page.titel }}</p>")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 1
    assert "templates/page.html:5: template error while making content/about.en.md:" in outcome.stderr
    assert "titel" in outcome.stderr
    assert site.tree() == before


def test_a_template_syntax_error_names_the_line(site):
    site.make(all_languages("index"))
    template = site.root / "templates/story.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{% endblock %}", "{% endblok %}"), "utf-8")
    outcome = site.build()
    assert outcome.code == 1
    assert "templates/story.html:" in outcome.stderr and "endblok" in outcome.stderr


def story_site(site):
    files = {**all_languages("index", "Home")}
    for number in range(3):
        files |= all_languages(f"stories/s{number}/index", f"Story {number}", date="2020-01-01")
    site.make(files)
    return site.root / "templates/_macros.html"


@pytest.mark.parametrize("mistake", [
    lambda text: text.replace("{{ story.summary }}", "{{ story.summery }}"),  # inside the story card
    lambda text: text + "{% set width = nothing + 1 %}\n",  # at the file's top level
])
def test_a_mistake_in_the_card_macro_names_its_line(site, mistake):
    """Pages are handed the story card macro by the build (rendered once per card): a mistake in it is
    reported like any template's, at its line in _macros.html, and the build fails cleanly."""
    macros = story_site(site)
    macros.write_text(mistake(macros.read_text(encoding="utf-8")), encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 1
    assert "templates/_macros.html:" in outcome.stderr and "template error while making content/" in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_the_card_macro_may_take_more_arguments(site):
    macros = story_site(site)
    macros.write_text(macros.read_text(encoding="utf-8").replace(
        'heading="h3") -%}', 'heading="h3", mark="") -%}{{ mark }}'), encoding="utf-8")
    home = site.root / "templates/home.html"
    home.write_text(home.read_text(encoding="utf-8").replace(
        "story_card(story, lang, loop.index)", 'story_card(story, lang, loop.index, mark="NEW")'), encoding="utf-8")
    assert site.build().code == 0
    assert site.read("en/index.html").count("NEW") == 3
    assert "NEW" not in site.read("en/stories/s1/index.html")


@pytest.mark.parametrize("out", [".", "..", "/", "content", "templates/site", "~"])
def test_dangerous_output_folders_are_refused(site, out, tmp_path, monkeypatch):
    # A stand-in home folder: if the refusal ever broke, the test must not cost anyone theirs.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    site.make(all_languages("index"))
    before = sorted(p.name for p in site.root.iterdir())
    target = str(Path(out).expanduser()) if out == "~" else str(site.root / out) if out != "/" else "/"
    outcome = site.build("--out", target)
    assert outcome.code == 1
    assert "refusing to write the site here" in outcome.stderr
    assert sorted(p.name for p in site.root.iterdir()) == before


def test_out_writes_elsewhere_and_nothing_but_its_staging_place_beside_it(site, tmp_path):
    site.make(all_languages("index"))
    out = tmp_path / "public"
    assert site.build("--out", str(out)).code == 0
    assert (out / "en/index.html").exists()
    assert not (site.root / "site").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.staging", "project", "public"]


def test_old_files_disappear_when_their_page_does(site):
    site.make({**all_languages("index"), **all_languages("about")})
    assert site.build().code == 0
    for code in ("en", "ko", "ja", "zh"):
        (site.root / f"content/about.{code}.md").unlink()
    assert site.build().code == 0
    assert not (site.root / "site/en/about").exists()


def test_output_dir_setting_chooses_the_folder(site):
    from conftest import SITE_TOML

    site.make(all_languages("index"), site_toml=SITE_TOML.replace('default_language = "en"\n',
                                                                    'default_language = "en"\noutput_dir = "public"\n'))
    assert site.build().code == 0
    assert (site.root / "public/en/index.html").exists()
    assert not (site.root / "site").exists()
