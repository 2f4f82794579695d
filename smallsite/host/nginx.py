"""The plan as an nginx configuration: `map`s and one `server { }` block, for a stock nginx to include
from its http { } block unchanged (Debian: /etc/nginx/conf.d/<site>.conf)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import unquote

from .plan import (HASHED_FOLDERS, HSTS, IMMUTABLE, LANGUAGE_COOKIE, REVALIDATE, ROOT_VARY, SECURITY_HEADERS,
                   HostPlan)

DEFAULT_LISTEN = "80"
# What --listen may say: a port, or an address and a port ([::1]:8080, 127.0.0.1:8080, localhost:8080).
LISTEN = re.compile(r"(?:(?:\[[0-9A-Fa-f:.]+\]|[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9.-]+):)?[0-9]{1,5}")
# Compressed on the fly (HTML always is); pictures are compressed already.
COMPRESSED_TYPES = ("text/css", "text/plain", "text/xml", "application/xml", "application/javascript",
                    "application/atom+xml", "application/rss+xml", "image/svg+xml", "application/json")
# Characters nginx's configuration would read as something else inside a quoted string ($ starts a
# variable; \ and " end or change the string) or that no path should hold.
UNSAFE = re.compile(r'["\\$\x00-\x1f\x7f]')


class HostError(ValueError):
    """A setting that cannot be written into the configuration safely (the message says which)."""


def nginx_config(plan: HostPlan, root: Path, listen: str = DEFAULT_LISTEN) -> str:
    if not LISTEN.fullmatch(listen) or not 0 < int(listen.rpartition(":")[2]) < 65536:
        raise HostError(f"--listen '{listen}' must be a port (8080) or an address and a port (127.0.0.1:8080)")
    base = unquote(plan.base_path)  # nginx matches the decoded path
    if UNSAFE.search(base) or re.search(r"\s", base):
        raise HostError(f"base_url's path '{plan.base_path}' has a character nginx's configuration cannot carry "
                        "safely (a quote, backslash, $, space or control character)")
    folder = str(root)
    if UNSAFE.search(folder):
        raise HostError(f"the site folder '{folder}' has a character nginx's configuration cannot carry safely "
                        "(a quote, backslash, $ or control character): pass another with --folder")
    try:  # browsers send an international domain name in its ASCII form
        server_name = plan.server_name.encode("idna").decode("ascii")
    except UnicodeError:
        raise HostError(f"base_url's host '{plan.server_name}' is not a domain name nginx can match") from None
    # The maps' variables are nginx-wide: named for this site and this file, so two sites (or two copies of
    # one) on one nginx never share one; and short: nginx refuses long names with its stock
    # variables_hash_bucket_size.
    prefix = "smallsite_" + hashlib.sha256("\n".join([server_name, base, listen, folder]).encode("utf-8")
                                           ).hexdigest()[:6]
    codes = [language.code for language in plan.languages]
    hashed = "|".join(re.escape(hashed_folder.rstrip("/")) for hashed_folder in HASHED_FOLDERS)
    # A bare port is every address, IPv6 too (as Debian's own default site listens).
    listens = [listen, f"[::]:{listen}"] if listen.isdigit() else [listen]
    security = list(SECURITY_HEADERS)
    if plan.https:  # browsers heed it only over HTTPS, where it keeps them there
        security.append(("Strict-Transport-Security", HSTS))
    lines = [
        f"# {server_name}{plan.base_path}: written by `python build.py host nginx` (smallsite, docs/deploy.md).",
        "# Include this file from nginx's http { } block as it is (Debian: /etc/nginx/conf.d/). Rewrite it",
        "# after a change to site.toml's languages or base_url; a build alone needs nothing from it.",
        "",
        f"# The root's language: the one the reader picked (the {LANGUAGE_COOKIE} cookie the site sets), ...",
        f"map $cookie_{LANGUAGE_COOKIE} ${prefix}_language {{",
        f"    default ${prefix}_accepted;",
        *(f"    {_quote(code)} {_quote(code)};" for code in codes),
        "}",
        "# ... else the first language their browser asks for (not refused with q=0) that the site has, ...",
        f"map $http_accept_language ${prefix}_accepted_tag {{",
        '    default "";',
        f"    {_quote('~*' + _accept_language_pattern(plan))} $1;",
        "}",
        f"map ${prefix}_accepted_tag ${prefix}_accepted {{",
        '    default "";',
        *(f"    {_quote('~*^' + re.escape(language.tag) + '$')} {language.code};" for language in plan.languages),
        *(f"    {_quote('~*^' + re.escape(language.primary) + '(-|$)')} {language.code};"
          for language in plan.languages),
        "}",
        "# ... else the chooser. Caches keep one root answer per cookie and Accept-Language.",
        f"map $uri ${prefix}_vary {{",
        '    default "";',
        f"    {_quote(base)} {_quote(ROOT_VARY)};",
        f"    {_quote(base + 'index.html')} {_quote(ROOT_VARY)};",
        "}",
        "# Files whose names carry a digest of their bytes are kept a year; everything else is asked again.",
        f"map $uri ${prefix}_cache {{",
        f"    default {_quote(REVALIDATE)};",
        f"    {_quote('~^' + re.escape(base) + '(' + hashed + ')/')} {_quote(IMMUTABLE)};",
        "}",
        f"map $uri ${prefix}_content_language {{",
        '    default "";',
        *(f"    {_quote('~^' + re.escape(base + language.code) + '/')} {_quote(language.tag)};"
          for language in plan.languages),
        "}",
        "",
        "server {",
        *(f"    listen {address};" for address in listens),
        f"    server_name {_quote(server_name)};",
        "    server_tokens off;",
        "    # Redirects say /ko/, not http://host:port/ko/: right behind a proxy or a TLS terminator too.",
        "    absolute_redirect off;",
        "    charset utf-8;",
        "    charset_types text/css text/plain text/xml application/javascript application/atom+xml image/svg+xml;",
        "    gzip on;",
        "    gzip_vary on;",
        "    gzip_proxied any;  # behind a CDN or proxy too (each answer says it varies by Accept-Encoding)",
        "    gzip_min_length 256;",
        f"    gzip_types {' '.join(COMPRESSED_TYPES)};",
        "",
        f"    location ^~ {_quote(base)} {{",
        f"        alias {_quote(folder.rstrip('/') + '/')};",
        "        index index.html;",
        "        # Every answer, 404 pages and redirects included. (Nothing below sets a header of its own: in",
        "        # nginx, a location that adds one header drops every header it would have inherited.)",
        f"        add_header Cache-Control ${prefix}_cache always;",
        f"        add_header Content-Language ${prefix}_content_language always;",
        f"        add_header Vary ${prefix}_vary always;",
        *(f"        add_header {header} {_quote(value)} always;" for header, value in security),
        f"        error_page 404 {_quote(plan.not_found)};",
        f"        error_page 403 =404 {_quote(plan.not_found)};",
        "",
        f"        location = {_quote(base)} {{",
        f"            if (${prefix}_language) {{",
        f"                return 302 \"{base}${prefix}_language/$is_args$args\";",  # (base: no $ or quote)
        "            }",
        "        }",
        *(line for language in plan.languages for line in (
            f"        location ^~ {_quote(base + language.code + '/')} {{",
            f"            error_page 404 {_quote(plan.language_not_found(language))};",
            f"            error_page 403 =404 {_quote(plan.language_not_found(language))};",
            "        }")),
        "        # The build's record of its files, and the rules files for Netlify and Cloudflare Pages.",
        *(f"        location = {_quote(base + private)} {{ return 404; }}" for private in plan.private),
        "    }",
        *([f"    location = {_quote(base.rstrip('/'))} {{ return 301 {_quote(base)}; }}"] if base != "/" else []),
        "}",
    ]
    return "\n".join(lines) + "\n"


def _accept_language_pattern(plan: HostPlan) -> str:
    """The first language range in an Accept-Language header whose primary subtag one of the site's
    languages has, and that is not refused (q=0): browsers list the reader's languages in their order."""
    primaries = sorted({language.primary for language in plan.languages}, key=len, reverse=True)
    refused = r";\s*q\s*=\s*0(?:\.0*)?\s*(?:,|$)"
    return (r"^(?:[^,]*,)*?\s*((?:" + "|".join(map(re.escape, primaries)) + r")(?:-[a-z0-9]+)*)\s*"
            r"(?!" + refused + r")(?:;[^,]*)?(?:,|$)")


def _quote(text: str) -> str:
    """A string as nginx reads it inside double quotes; a map's regular expression ("~...") may hold
    backslashes and $, which nginx leaves alone there (but \\t, \\n, \\r and \\\\ it would not)."""
    regex = text.startswith("~")
    unsafe = re.compile(r'["\x00-\x1f\x7f]|\\[\\tnr"\']') if regex else UNSAFE
    if unsafe.search(text):
        raise HostError(f"cannot write {text!r} into nginx's configuration safely")
    return '"' + text + '"'
