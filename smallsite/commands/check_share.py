"""`check`: each indexable page's share tags, read as a crawler reads them (issue 15).

Facebook, X, LinkedIn, KakaoTalk and LINE fetch the page, read its og: and twitter: tags, then fetch the
image: they show no card for an image that is missing, an SVG, WebP or GIF, or one over their weight
limit, and they lay a card out by its declared size before the image arrives."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Callable
from urllib.parse import unquote

from ..build.rendering import BuildResult
from ..model.site import Document
from ..model.problems import Problem

CARD_LIMIT = 300 * 1024  # bytes: what the strictest of the networks takes (X allows 5 MB, others less)
# The first bytes of the only two kinds every network shows.
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
OTHER_KINDS = {b"<svg": "an SVG", b"<?xml": "an SVG", b"RIFF": "a WebP", b"GIF8": "a GIF"}


class ShareTags(HTMLParser):
    """The og: and twitter: meta tags of a page (each name's first value; og:locale:alternate all), and
    whether it asks not to be indexed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, str] = {}
        self.alternates: list[str] = []
        self.noindex = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        key = values.get("property") or values.get("name") or ""
        content = values.get("content") or ""
        if key.lower() == "robots":
            self.noindex = self.noindex or "noindex" in content.lower()
        elif key == "og:locale:alternate":
            self.alternates.append(content)
        elif key.startswith(("og:", "twitter:")):
            self.tags.setdefault(key, content)


def share_tags(data: bytes) -> ShareTags:
    parser = ShareTags()
    parser.feed(data.decode("utf-8", "replace"))
    parser.close()
    return parser


def check_share(result: BuildResult, name: str, data: bytes, document: Document | None,
                where: Callable[[str], tuple[str, int]]) -> list[Problem]:
    """What a crawler would fail on in the page `name`, made from `document` (None: a page in every
    language, the chooser); `where(needle)` is the file and line to blame."""
    tags = share_tags(data)
    if tags.noindex:
        return []

    def problem(needle: str, message: str) -> Problem:
        return Problem(*where(needle), f"/{name}: {message}")

    problems = _check_locale(result, document, tags, problem)
    image = tags.tags.get("og:image")
    if not image:
        return problems + [problem("og:image", "no og:image: a shared link shows no picture")]
    if tags.tags.get("twitter:card") != "summary_large_image":
        problems.append(problem("twitter:card", f"twitter:card is '{tags.tags.get('twitter:card', '')}', not "
                                "summary_large_image: X shows the picture as a small square, or not at all"))
    base_url = result.site.config.base_url
    if not image.startswith(base_url):
        return problems + [problem("og:image", f"og:image {image} is not an address of this site ({base_url})")]
    target = unquote(image[len(base_url):].split("?", 1)[0].split("#", 1)[0])
    picture = result.files.get(target)
    if not isinstance(picture, bytes):
        message = "is not in the build: a crawler gets a 404" if picture is None else "could not be read"
        return problems + [problem("og:image", f"og:image {image} {message}")]
    kind = next((kind for start, kind in SIGNATURES.items() if picture.startswith(start)), None)
    if kind is None:
        other = next((what for start, what in OTHER_KINDS.items() if picture.lstrip()[:5].startswith(start)),
                     "not a PNG or a JPEG")
        return problems + [problem("og:image", f"og:image /{target} is {other}: Facebook, X, LinkedIn, "
                                   "KakaoTalk and LINE show no card for it (use a PNG or a JPEG)")]
    declared = tags.tags.get("og:image:type")
    if declared != kind:
        problems.append(problem("og:image:type", f"og:image:type is '{declared or ''}', but /{target} is "
                                f"{kind}: a crawler may refuse it"))
    if len(picture) > CARD_LIMIT:
        problems.append(problem("og:image", f"og:image /{target} weighs {len(picture) / 1024:.0f} KB, over the "
                                f"{CARD_LIMIT // 1024} KB networks take: they show no picture"))
    size = _pixel_size(picture)
    stated = (tags.tags.get("og:image:width"), tags.tags.get("og:image:height"))
    if stated == (None, None):
        problems.append(problem("og:image", "no og:image:width and :height: a network shows the first share "
                                "without its picture, while it fetches it to learn its size"))
    elif size is not None and stated != (str(size[0]), str(size[1])):
        problems.append(problem("og:image:width", f"og:image:width and :height say {stated[0]}×{stated[1]}, but "
                                f"/{target} is {size[0]}×{size[1]}: the card is laid out wrong"))
    return problems


def _check_locale(result: BuildResult, document: Document | None, tags: ShareTags,
                  problem: Callable[[str, str], Problem]) -> list[Problem]:
    """og:locale is the page's language (the default one's for the chooser); its alternates are its
    translations', never its own."""
    config = result.site.config
    language = config.language(document.lang) if document is not None else config.default
    problems = []
    locale = tags.tags.get("og:locale")
    if locale != language.og_locale:
        problems.append(problem("og:locale", f"og:locale is '{locale or ''}', but the page is in {language.name} "
                                f"({language.og_locale}): a network shows it to the wrong readers"))
    if language.og_locale in tags.alternates:
        problems.append(problem("og:locale:alternate", f"og:locale:alternate lists the page's own language "
                                f"({language.og_locale})"))
    return problems


def _pixel_size(picture: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError  # reads the header only

    try:
        with Image.open(io.BytesIO(picture)) as opened:
            return opened.size
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None  # (a header that claims a billion pixels is no card a network shows either)
