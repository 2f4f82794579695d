"""The benchmark corpus as a Hugo project: the same sources, an equivalent multilingual config and plain
templates that show what smallsite's do (head with hreflang and Open Graph, language switcher, story,
home page listing every story, feed, sitemap, 404, robots.txt)."""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import LANGUAGE_TOML, LANGUAGES

HUGO_TOML_HEAD = """\
baseURL = "https://bench.example.org/"
defaultContentLanguage = "en"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term", "section"]
enableRobotsTXT = true

# Links to .md files and images resolved like smallsite resolves them.
[markup.goldmark.renderHooks.link]
useEmbedded = "fallback"
[markup.goldmark.renderHooks.image]
useEmbedded = "fallback"
"""
LANGUAGE = """
[languages.{code}]
label = "{name}"
locale = "{tag}"
weight = {weight}
title = "{title}"
[languages.{code}.params]
description = "{description}"
"""
I18N = {
    "en": ("Skip to content", "All stories", "Feed", "Languages"),
    "ko": ("본문으로 건너뛰기", "모든 이야기", "피드", "언어"),
    "ja": ("本文へ移動", "すべての物語", "フィード", "言語"),
    "zh": ("跳到正文", "全部故事", "订阅", "语言"),
}

BASEOF = """<!doctype html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Locale }}" href="{{ .Permalink }}">
{{ end }}<link rel="alternate" hreflang="x-default" href="{{ site.BaseURL }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta property="og:site_name" content="{{ site.Title }}">
<link rel="stylesheet" href="{{ "css/site.css" | relURL }}">
</head>
<body>
<a class="skip-link" href="#main">{{ i18n "skip" }}</a>
<header class="site-header">
  <a class="site-title" href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a>
  <nav class="languages" aria-label="{{ i18n "languages" }}"><ul>
  {{ range .AllTranslations }}<li><a href="{{ .RelPermalink }}" lang="{{ .Language.Locale }}" hreflang="{{ .Language.Locale }}">{{ .Language.Label }}</a></li>
  {{ end }}</ul></nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <p>{{ site.Params.description }}</p>
  <p><a href="{{ "index.xml" | relLangURL }}">{{ i18n "feed" }}</a></p>
</footer>
</body>
</html>
"""
PAGE = """{{ define "main" }}
<article class="story">
  <h1>{{ .Title }}</h1>
  <p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date | time.Format ":date_long" }}</time></p>
  {{ with .Params.hero }}{{ with $.Resources.Get .src }}<figure class="hero"><img src="{{ .RelPermalink }}" alt="{{ $.Params.hero.alt }}" decoding="async"></figure>{{ end }}{{ end }}
  {{ .Content }}
</article>
<p><a href="{{ site.Home.RelPermalink }}">{{ i18n "all_stories" }}</a></p>
{{ end }}
"""
HOME = """{{ define "main" }}
<article>
  <h1>{{ .Title }}</h1>
  {{ .Content }}
</article>
<section><ul class="cards">
{{ range (where site.RegularPages "Section" "stories").ByWeight }}
  <li class="card">
    {{ with .Params.hero }}{{ with $.Resources.Get .src }}<img src="{{ .RelPermalink }}" alt="" loading="lazy">{{ end }}{{ end }}
    <h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
    <p>{{ .Params.summary }}</p>
    <p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date | time.Format ":date_long" }}</time></p>
  </li>
{{ end }}
</ul></section>
{{ end }}
"""
NOT_FOUND = """{{ define "main" }}<h1>404</h1>{{ end }}
"""


def write_hugo_site(corpus: Path, root: Path) -> Path:
    """A Hugo project at root with the same content as the smallsite corpus at `corpus`."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(corpus / "content", root / "content")
    for lang in LANGUAGES:  # Hugo names a section's (here the home page's) own text _index.
        (root / "content" / f"index.{lang}.md").rename(root / "content" / f"_index.{lang}.md")
    shutil.copytree(corpus / "static", root / "static")
    config = HUGO_TOML_HEAD + "".join(
        LANGUAGE.format(code=code, name=name, tag=tag, weight=weight + 1, title=title, description=description)
        for weight, (code, (name, _locale, tag, title, description)) in enumerate(LANGUAGE_TOML.items()))
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    layouts = root / "layouts"
    layouts.mkdir()
    for name, text in (("baseof.html", BASEOF), ("page.html", PAGE), ("home.html", HOME), ("404.html", NOT_FOUND)):
        (layouts / name).write_text(text, encoding="utf-8")
    i18n = root / "i18n"
    i18n.mkdir()
    for lang, (skip, all_stories, feed, languages) in I18N.items():
        (i18n / f"{lang}.toml").write_text(f'skip = "{skip}"\nall_stories = "{all_stories}"\nfeed = "{feed}"\n'
                                           f'languages = "{languages}"\n', encoding="utf-8")
    return root
