"""The files around the pages: root language chooser, 404, sitemap, robots.txt, Atom feeds."""

from __future__ import annotations

from ..model.dates import atom_time, newest_first
from ..model.site import Site, alternates


# xml.sax.saxutils would do, but it imports urllib.request (and http.client, email...) on every build for
# three replacements. These give the same bytes (tests/test_outputs.py compares them).
def escape(text: str) -> str:
    """Text for an XML element: &, < and > as entities."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, with the quotes (as xml.sax.saxutils.quoteattr)."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in text:
        if "'" in text:
            return '"' + text.replace('"', "&quot;") + '"'
        return "'" + text + "'"
    return '"' + text + '"'


def sitemap(site: Site) -> bytes:
    """The root chooser and every real page once, each with its alternates as xhtml:link.
    Fallback pages are left out: they are marked noindex and are not translations."""
    config = site.config
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    # The root chooser: every reader's first address and every page's x-default, with the languages'
    # home pages as its alternates (as its own hreflang links have them).
    lines.append("  <url>")
    lines.append(f"    <loc>{escape(config.base_url)}</loc>")
    for language in config.languages:
        lines.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(language.tag)} '
                     f"href={quoteattr(config.base_url + language.code + '/')}/>")
    lines.append(f'    <xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(config.base_url)}/>')
    lines.append("  </url>")
    for document in sorted(site.documents, key=lambda d: d.url_path):
        if document.is_fallback:
            continue
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(config.base_url + document.address)}</loc>")
        if document.page.front.date:
            lines.append(f"    <lastmod>{document.page.front.date.isoformat()}</lastmod>")
        for version in alternates(site, document):
            if version.is_translation:
                lines.append(f'    <xhtml:link rel="alternate" hreflang={quoteattr(version.language.tag)} '
                             f"href={quoteattr(version.url)}/>")
        lines.append(f'    <xhtml:link rel="alternate" hreflang="x-default" href={quoteattr(config.base_url)}/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}sitemap.xml\n".encode("utf-8")


def atom_feed(site: Site, lang: str, title: str) -> bytes:
    """The stories of one language (real translations only), newest first. The feed's
    `updated` is the newest story's date, not the build time, so builds stay reproducible."""
    config = site.config
    language = config.language(lang)
    stories = [d for d in site.stories(lang) if not d.is_fallback]
    stories.sort(key=lambda d: (newest_first(d.page.front.date), d.key))
    newest = stories[0].page.front.date if stories else None  # None too when no story has a date
    feed_url = f"{config.base_url}{lang}/feed.xml"
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(language.tag)}>',
             f"  <title>{escape(title)}</title>",
             f"  <subtitle>{escape(language.description)}</subtitle>",
             f'  <link href={quoteattr(feed_url)} rel="self"/>',
             f'  <link href={quoteattr(config.base_url + lang + "/")}/>',
             f"  <id>{escape(feed_url)}</id>",
             f"  <updated>{_atom_date(newest)}</updated>"]
    for document in stories:
        url = config.base_url + document.address
        front = document.page.front
        lines += ["  <entry>",
                  f"    <title>{escape(front.title)}</title>",
                  f'    <link href={quoteattr(url)}/>',
                  f"    <id>{escape(url)}</id>",
                  f"    <updated>{_atom_date(front.date)}</updated>",
                  f"    <summary>{escape(front.summary)}</summary>",
                  "    <author><name>" + escape(language.title) + "</name></author>",
                  "  </entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _atom_date(date) -> str:
    return atom_time(date) if date else "2000-01-01T00:00:00Z"
