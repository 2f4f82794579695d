"""What a host must do to serve the site as designed, as plain data: which answers are cached for how
long, which headers every answer carries, which 404 page a missing address gets, and how the root picks
a reader's language. Every host's configuration is written from this one plan."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..build.output_folder import OWNED_RECORD
from ..build.render import FILM_EMBED, NOT_FOUND_PAGE, ROOT_FILES
from ..model.config import SiteConfig

# Every file whose name carries a digest of its bytes lives in these folders (static files, media, photos'
# renditions, share cards): a changed file gets a new name, so a browser may keep one for a year.
HASHED_FOLDERS = ("static/", "media/")
IMMUTABLE = "public, max-age=31536000, immutable"
# Everything else keeps its address and changes in place: pages, feeds, sitemap.xml, robots.txt.
REVALIDATE = "no-cache"

# The rules files for Netlify and Cloudflare Pages, which every build writes at the top of the output folder.
HOST_FILES = ("_headers", "_redirects")

# The cookie the language chooser and switcher set when a reader picks a language (static/js/lang.js).
# Netlify reads this name itself: it overrides Accept-Language in its Language= conditions.
LANGUAGE_COOKIE = "nf_lang"
# The root's answer depends on these request headers: caches must keep one answer per value.
ROOT_VARY = "Cookie, Accept-Language"

# A film's player is the one thing a page ever loads from another host, after the reader presses play.
FILM_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(FILM_EMBED))


def content_security_policy() -> str:
    """The pages load only their own scripts, stylesheets, images and icons, and frame only the film's
    player; nothing inline runs, no other site may frame them, and no form posts anywhere."""
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        f"frame-src {FILM_ORIGIN}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


SECURITY_HEADERS = (
    ("Content-Security-Policy", content_security_policy()),
    ("X-Content-Type-Options", "nosniff"),
    # The film's player needs to know which site embeds it (YouTube refuses to play without); other sites
    # learn only our origin, never the page.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    # Powers no page uses, refused to the pages and to any frame in them.
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"),
)


# Sent by nginx for a site whose base_url is https (a browser heeds it only over HTTPS); the other hosts
# add their own.
HSTS = "max-age=31536000"


@dataclass(frozen=True)
class HostLanguage:
    code: str  # its folder: ko/
    tag: str  # BCP 47, for Content-Language: zh-Hans

    @property
    def primary(self) -> str:
        """The tag's primary subtag, as browsers' language ranges are matched: zh for zh-Hans."""
        return self.tag.split("-")[0].lower()


@dataclass(frozen=True)
class HostPlan:
    """See the module's docstring. Paths start with base_path ('/' or '/campaign/')."""

    base_path: str
    server_name: str
    https: bool
    languages: tuple[HostLanguage, ...]
    root_files: tuple[str, ...]  # the site-wide files at the top of the output folder
    # At the top of the output folder but not for readers: the build's record of the files it wrote, and
    # the rules files themselves (Netlify and Cloudflare never publish those).
    private: tuple[str, ...] = (OWNED_RECORD, *HOST_FILES)

    @property
    def not_found(self) -> str:
        return self.base_path + NOT_FOUND_PAGE

    def language_not_found(self, language: HostLanguage) -> str:
        return f"{self.base_path}{language.code}/{NOT_FOUND_PAGE}"


def host_plan(config: SiteConfig) -> HostPlan:
    return HostPlan(config.base_path, config.host, config.base_url.startswith("https:"),
                    tuple(HostLanguage(language.code, language.tag) for language in config.languages),
                    ROOT_FILES)
