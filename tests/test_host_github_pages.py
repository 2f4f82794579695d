"""GitHub Pages: the workflow `host github-pages` prints, and the one 404 page Pages shows for every
missing address, which sends a reader in a language's folder to that language's 404 page."""

from __future__ import annotations

import pytest
import yaml

from browser import browser, static_server  # noqa: F401 - fixture
from i18n_helpers import cli
from site_pages import PROJECT, build_real_site


def test_the_workflow_builds_at_the_address_pages_gives_and_publishes_the_site(tmp_path):
    toml = (PROJECT / "site.toml").read_text(encoding="utf-8")
    (tmp_path / "site.toml").write_text(toml.replace('output_dir = "site"', 'output_dir = "public site"'),
                                        encoding="utf-8")
    printed = cli(tmp_path, "host", "github-pages")
    assert printed.code == 0, printed.err
    workflow = yaml.safe_load(printed.out)
    assert workflow[True]["push"]["branches"] == ["main"]  # (YAML 1.1 reads the key `on` as true)
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["publish"]["steps"]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses.index("actions/configure-pages") < next(i for i, run in enumerate(runs) if "build.py build" in run)
    build = next(run for run in runs if "build.py build" in run)
    assert '--base-url "${{ steps.pages.outputs.base_url }}/"' in build and "--strict" in build
    assert any("fonts-noto-cjk" in run for run in runs)  # the share cards' Korean, Japanese and Chinese
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "public site"  # site.toml's output_dir
    # Pages would publish the other hosts' rules and the build's record: they go first.
    assert workflow["jobs"]["publish"]["env"]["SITE"] == "public site"
    assert 'rm -f -- "$SITE/_headers" "$SITE/_redirects" "$SITE/.smallsite-files.json"' in runs
    assert uses[-1] == "actions/deploy-pages"


@pytest.fixture(scope="module")
def pages_like(tmp_path_factory):
    """The real site built for a project site under /campaign/, served as Pages serves one: the files, and
    the top 404.html for any missing address (tests/browser.py's static server does just that)."""
    out = build_real_site(tmp_path_factory.mktemp("pages") / "project", "--base-url", "https://example.org/campaign/")
    with static_server(out, mount="/campaign/") as url:
        yield url


@pytest.mark.parametrize("lang, heading", [("ko", "페이지를 찾을 수 없습니다"), ("zh", "找不到页面")])
def test_a_missing_page_in_a_language_lands_on_that_languages_404_page(browser, pages_like, lang, heading):
    tab = browser.new_page()
    tab.goto(f"{pages_like}/campaign/{lang}/stories/gone/")
    tab.wait_for_url(f"{pages_like}/campaign/{lang}/404.html")
    assert tab.locator("h1").inner_text().endswith(heading)
    assert tab.locator("html").get_attribute("lang") == {"zh": "zh-Hans"}.get(lang, lang)
    tab.close()


def test_a_missing_page_outside_the_languages_stays_on_the_page_in_every_language(browser, pages_like):
    tab = browser.new_page()
    tab.goto(f"{pages_like}/campaign/korean/")
    tab.wait_for_timeout(300)  # lang.js has run
    assert tab.url == f"{pages_like}/campaign/korean/"
    assert tab.locator(".greeting h2").count() == 4
    tab.close()


def test_host_and_each_of_its_hosts_say_what_they_do(capsys):
    from smallsite.commands.cli import main

    for words, expected in ((["host", "--help"], "nginx"), (["host", "nginx", "--help"], "--listen ADDR"),
                            (["host", "github-pages", "--help"], ".github/workflows/pages.yml")):
        with pytest.raises(SystemExit) as exited:
            main(words)
        assert exited.value.code == 0 and expected in capsys.readouterr().out, words
    assert main(["host"]) == 2 and "github-pages" in capsys.readouterr().out  # no host named: the list
