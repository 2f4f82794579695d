"""site.toml is checked against its schema: every mistake names the key and the line."""

from conftest import SITE_TOML, all_languages


def test_unknown_key_names_key_and_line(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace('default_language = "en"\n',
                                                                    'default_language = "en"\nbase_ur = "x"\n'))
    outcome = site.build()
    assert outcome.code == 1
    assert "site.toml:3: unknown setting 'base_ur'" in outcome.stderr


def test_unknown_key_in_a_language_names_its_line(site):
    toml = SITE_TOML.replace('tag = "ko"\n', 'tag = "ko"\ntitel = "작은"\n')
    site.make(all_languages("index"), site_toml=toml)
    outcome = site.build()
    line = toml.splitlines().index('titel = "작은"') + 1
    assert f"site.toml:{line}: unknown setting 'languages[1].titel'" in outcome.stderr


def test_wrong_type_names_key_and_line(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace('default_language = "en"', "default_language = 1"))
    outcome = site.build()
    assert "site.toml:2: 'default_language' must be text, not a number" in outcome.stderr


def test_missing_setting_and_bad_values_are_all_reported(site):
    toml = SITE_TOML.replace('base_url = "https://example.org/"\n', 'base_url = "https://example.org"\n')
    toml = toml.replace('locale = "ja_JP"', 'locale = "xx_YY"')
    toml = toml.replace('description = "A test site"\n', "")
    site.make(all_languages("index"), site_toml=toml)
    outcome = site.build()
    assert outcome.code == 1
    assert "site.toml:4: missing setting 'languages[0].description'" in outcome.stderr
    assert "site.toml:1: base_url 'https://example.org' must end with '/'" in outcome.stderr
    assert "'xx_YY' is not a locale Babel knows" in outcome.stderr


def test_toml_syntax_error_names_line(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace('code = "ko"', 'code = "ko'))
    outcome = site.build()
    assert outcome.code == 1
    line = SITE_TOML.splitlines().index('code = "ko"') + 1
    assert f"site.toml:{line}: not valid TOML" in outcome.stderr


def test_default_language_must_be_listed(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace('default_language = "en"', 'default_language = "fr"'))
    assert "default_language 'fr' is not one of en, ko, ja, zh" in site.build().stderr


def test_an_unknown_raw_html_mode_names_its_line(site):
    site.make(all_languages("index"), site_toml=SITE_TOML.replace('default_language = "en"\n',
                                                                    'default_language = "en"\nraw_html = "unsafe"\n'))
    outcome = site.build()
    assert outcome.code == 1
    assert "site.toml:3: raw_html 'unsafe' must be one of 'safe', 'escape', 'trusted' (docs/raw-html.md)" in outcome.stderr
