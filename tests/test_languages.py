"""Four languages from one build: catalogues, plurals, locale formats, fallbacks, hreflang."""

import re
from datetime import date

from babel.dates import format_date
from babel.numbers import format_percent

from conftest import all_languages, page

LOCALES = {"en": "en_GB", "ko": "ko_KR", "ja": "ja_JP", "zh": "zh_Hans_CN"}  # as conftest's site.toml has them


def test_interface_strings_come_from_the_catalogues(site):
    site.make({**all_languages("index", "Home")})
    assert site.build().code == 0
    assert "본문 바로가기" in site.read("ko/index.html")
    assert "本文へ移動" in site.read("ja/index.html")
    assert "跳到正文" in site.read("zh/index.html")
    assert "Skip to content" in site.read("en/index.html")


def test_plurals_follow_each_language(site):
    files = {**all_languages("index", "Home"), **all_languages("stories/one", date="2018-02-02")}
    site.make(files)
    assert site.build().code == 0
    assert "1 story" in site.read("en/index.html")
    assert "이야기 1편" in site.read("ko/index.html")
    files.update(all_languages("stories/two", date="2018-02-03"))
    site.make(files)
    assert site.build().code == 0
    assert "2 stories" in site.read("en/index.html")
    assert "이야기 2편" in site.read("ko/index.html")


def test_an_untranslated_plural_falls_back_to_the_english_plural(site):
    files = {**all_languages("index", "Home"), **all_languages("stories/one", date="2018-02-02"),
             **all_languages("stories/two", date="2018-02-03")}
    site.make(files)
    po = site.root / "locales/ja_JP/LC_MESSAGES/messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr[0] "%(num)d編の物語"', 'msgstr[0] ""'),
                  encoding="utf-8")
    assert site.build().code == 0
    html = site.read("ja/index.html")
    assert "2 stories" in html and "2 story" not in html  # the English, as gettext shows it


def test_dates_are_formatted_in_each_locale(site):
    site.make({**all_languages("index"), **all_languages("stories/s", date="2018-02-09")})
    assert site.build().code == 0
    # Each language's long date, as the installed Babel's CLDR data writes it (9 February 2018 in en_GB,
    # 2018년 2월 9일 in Korean, 2018年2月9日 in Japanese and Chinese).
    for code, locale in LOCALES.items():
        written = format_date(date(2018, 2, 9), "long", locale=locale)
        assert f">{written}</time>" in site.read(f"{code}/stories/s/index.html")


def test_percentages_are_formatted_in_each_locale(site):
    files = {f"content/index.{code}.md": page("Home", params="{figures: [{value: 0.99, label: people}]}")
             for code in ("en", "ko", "ja", "zh")}
    site.make(files)
    assert site.build().code == 0
    for code, locale in LOCALES.items():  # 99% in all four, as the installed Babel's CLDR data writes it
        assert format_percent(0.99, locale=locale) in site.read(f"{code}/index.html")


def test_placeholder_mismatch_in_a_catalogue_is_an_error_before_anything_is_written(site):
    site.make(all_languages("index"))
    po = site.root / "locales/ko_KR/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace("%(language)s로 이야기를 읽어 보세요.", "%(lang)s로 이야기를 읽어 보세요.")
    po.write_text(text, encoding="utf-8")
    line = text.splitlines().index('msgid "Read the stories in %(language)s."') + 1
    outcome = site.build()
    assert outcome.code == 1
    assert (f"locales/ko_KR/LC_MESSAGES/messages.po:{line}: translation of 'Read the stories in %(language)s.' "
            "uses %(lang)s, which the source string does not have") in outcome.stderr
    assert not (site.root / "site").exists()


def test_wrong_number_of_plural_forms_is_an_error(site):
    site.make(all_languages("index"))
    po = site.root / "locales/ja_JP/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr[0] "%(num)d編の物語"', 'msgstr[0] "%(num)d編の物語"\nmsgstr[1] "%(num)d編の物語"')
    po.write_text(text, encoding="utf-8")
    outcome = site.build()
    assert outcome.code == 1
    line = text.splitlines().index('msgstr[1] "%(num)d編の物語"') + 1
    assert (f"locales/ja_JP/LC_MESSAGES/messages.po:{line}: cannot read this catalogue: this entry has more "
            "msgstr[N] plural forms than the Plural-Forms header allows") in outcome.stderr


def test_missing_translation_gets_a_fallback_page(site):
    files = {**all_languages("index"), "content/about.en.md": page("About us", "We are small."),
             "content/about.ko.md": page("소개", "작습니다.")}
    site.make(files)
    outcome = site.build()
    assert outcome.code == 0
    assert "content/about.ja.md: warning: no 日本語 translation of content/about.en.md" in outcome.stderr
    html = site.read("ja/about/index.html")
    assert '<html lang="ja">' in html
    assert "このページはまだ日本語に翻訳されていません。" in html
    assert re.search(r'<article[^>]* lang="en"[^>]*>(?:(?!</article>).)*<h1[^>]*>About us</h1>', html, re.S)
    assert '<meta name="robots" content="noindex">' in html
    assert 'hreflang="ja"' not in site.read("en/about/index.html").split("</head>")[0]
    assert "/ja/about/" not in site.read("sitemap.xml")
    assert "/ko/about/" in site.read("sitemap.xml")


def test_strict_makes_a_missing_translation_an_error(site):
    site.make({**all_languages("index"), "content/about.en.md": page("About")})
    outcome = site.build("--strict")
    assert outcome.code == 1
    assert "content/about.ko.md: no 한국어 translation of content/about.en.md" in outcome.stderr
    assert not (site.root / "site").exists()


def test_head_carries_language_metadata(site):
    site.make({**all_languages("index"), **all_languages("about", "About")})
    assert site.build().code == 0
    head = site.read("zh/about/index.html").split("</head>")[0]
    assert '<html lang="zh-Hans">' in head
    assert "<title>About zh · 小</title>" in head
    assert '<meta name="description" content="About About zh">' in head
    assert '<link rel="canonical" href="https://example.org/zh/about/">' in head
    for tag, code in (("en", "en"), ("ko", "ko"), ("ja", "ja"), ("zh-Hans", "zh")):
        assert f'<link rel="alternate" hreflang="{tag}" href="https://example.org/{code}/about/">' in head
    assert '<link rel="alternate" hreflang="x-default" href="https://example.org/">' in head
    assert '<meta property="og:locale" content="zh_CN">' in head
    assert '<meta property="og:locale:alternate" content="ko_KR">' in head
    assert 'noindex' not in head


def test_switcher_links_to_the_same_page_in_each_language(site):
    site.make({**all_languages("index"), **all_languages("about", "About")})
    assert site.build().code == 0
    nav = site.read("ko/about/index.html").split('<nav class="languages"')[1].split("</nav>")[0]
    assert re.search(r'href="/ja/about/" lang="ja" hreflang="ja"[^>]*>日本語</a>', nav)
    assert re.search(r'href="/zh/about/" lang="zh-Hans" hreflang="zh-Hans"[^>]*>简体中文</a>', nav)
    assert re.search(r'href="/ko/about/"[^>]*aria-current="page"[^>]*>한국어</a>', nav)


def test_root_chooser_lists_every_language_without_script(site):
    site.make(all_languages("index"))
    assert site.build().code == 0
    html = site.read("index.html")
    for code, name in (("en", "English"), ("ko", "한국어"), ("ja", "日本語"), ("zh", "简体中文")):
        assert re.search(rf'<a href="/{code}/"[^>]*>{name}</a>', html)


def test_our_quick_underscore_gives_what_jinjas_gives():
    """Templates' `_` is environments._quick_gettext: for every kind of call, the text (or the error) Jinja's
    i18n extension gives, whether or not the same text was asked for before."""
    import io

    import jinja2
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    from smallsite.build.environments import _quick_gettext

    catalog = Catalog(locale="ko")
    for source, translated in {"Hello": "안녕 <b>", "Hi %(name)s": "%(name)s 님", "Sure": "100%% 확실",
                               "Tom & Jerry": "톰 & 제리"}.items():
        catalog.add(source, translated)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    translations = Translations(compiled)

    def environment(quick: bool) -> jinja2.Environment:
        env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True, undefined=jinja2.StrictUndefined)
        env.install_gettext_translations(translations, newstyle=True)
        if quick:
            env.globals["_"] = _quick_gettext(env.globals["_"], env.globals["gettext"], translations)
        return env

    templates = ['{{ _("Hello") }}|{{ _("Hello") }}', '{{ _("Hi %(name)s", name="<i>") }}', '{{ _("Sure") }}',
                 '{{ _("Tom & Jerry") }}{% autoescape false %}{{ _("Tom & Jerry") }}{{ _("Hello") }}'
                 '{% endautoescape %}{{ _("Hello") }}', '{{ _("Not translated <x>") }}', '{{ _(42) }}',
                 '{{ _("a", "b") }}', '{{ _("Hi %(name)s") }}', '{{ _(missing) }}', '{{ _("50%") }}',
                 '{{ _("Hello", name="unused") }}',
                 '{% autoescape false %}{{ _("Hi %(name)s", name="<i>") }}{% endautoescape %}']
    for source in templates:
        for context in ({}, {"gettext": lambda text: "own " + text}):
            outcomes = []
            for quick in (True, False):
                try:
                    outcomes.append(environment(quick).from_string(source).render(context))
                except Exception as error:  # noqa: BLE001 - the same error either way is what is checked
                    outcomes.append((type(error), str(error)))
            assert outcomes[0] == outcomes[1], source
