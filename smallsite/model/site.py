"""Translation groups: which page each language shows, fallbacks for missing ones, hreflang."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import Language, SiteConfig
from .content import Page
from .dates import newest_first
from .names import encode_path
from .problems import ERROR, WARNING, Problem
from .project import CONTENT_DIR


@dataclass(frozen=True)
class Document:
    """One HTML page of the output: a key in one language's section of the site.

    `page` is the text it shows: the translation, or for a fallback the default language's page."""

    key: str
    lang: str
    page: Page
    url_path: str  # the output folder's path, below the base URL: 'en/stories/kenya-hockey/'

    @property
    def is_fallback(self) -> bool:
        return self.page.lang != self.lang

    @property
    def address(self) -> str:
        """`url_path` as every URL to the page spells it: percent-encoded (names.py)."""
        return encode_path(self.url_path)


@dataclass(frozen=True)
class Site:
    """The whole site's model: every page by key and language, and the documents to render."""

    config: SiteConfig
    pages: dict[tuple[str, str], Page]
    documents: tuple[Document, ...]
    documents_by_key: dict[tuple[str, str], Document]

    def url_path(self, key: str, lang: str) -> str | None:
        """The path (below the base URL) of a key in a language's section, fallback or not."""
        document = self.documents_by_key.get((key, lang))
        return document.url_path if document else None

    def document(self, key: str, lang: str) -> Document | None:
        return self.documents_by_key.get((key, lang))

    def keys(self) -> list[str]:
        return sorted({key for key, _ in self.pages})

    def translations(self, key: str) -> list[Page]:
        """The real (not fallback) pages of a key, in the languages' order."""
        return [self.pages[(key, lang.code)] for lang in self.config.languages if (key, lang.code) in self.pages]

    def stories(self, lang: str) -> list[Document]:
        """The stories of a language's section, by weight, then newest first, then key."""
        stories = [d for d in self.documents if d.lang == lang and d.page.kind == "story"]
        return sorted(stories, key=lambda d: (d.page.front.weight, newest_first(d.page.front.date), d.key))


def assemble_site(config: SiteConfig, pages: list[Page], strict: bool = False) -> tuple[Site, list[Problem]]:
    """Group pages by key; a language without a translation gets a fallback document."""
    by_key = {(page.key, page.lang): page for page in pages}
    problems: list[Problem] = []
    documents: list[Document] = []
    for key in sorted({page.key for page in pages}):
        source = _fallback_source(config, by_key, key)
        for language in config.languages:
            page = by_key.get((key, language.code))
            if page is not None:
                documents.append(Document(key, language.code, page, page.url_path))
                continue
            missing = _expected_path(config, source, language)
            problems.append(Problem(missing, None, f"no {language.name} translation of {source.shown}; "
                                    f"{language.code} readers get the {config.language(source.lang).name} text "
                                    "with a notice", ERROR if strict else WARNING))
            url_path = language.code + source.url_path[len(source.lang):]
            documents.append(Document(key, language.code, source, url_path))
    if not any(key == "" for key, _ in by_key):
        problems.append(Problem(f"{CONTENT_DIR}/index.{config.default_language}.md", None,
                                "no home page: write content/index.<lang>.md", WARNING))
    index = {(d.key, d.lang): d for d in documents}
    return Site(config, by_key, tuple(documents), index), problems


def _fallback_source(config: SiteConfig, by_key: dict, key: str) -> Page:
    """The default language's page, else the first language (in site.toml's order) that has one."""
    for language in [config.default, *config.languages]:
        if (key, language.code) in by_key:
            return by_key[(key, language.code)]
    raise AssertionError(key)


def _expected_path(config: SiteConfig, source: Page, language: Language) -> str:
    """The file a translator would create: the source's name with the other language code."""
    name = source.path.name
    translated = name[: -len(f".{source.lang}.md")] + f".{language.code}.md"
    return str(Path(source.shown).with_name(translated).as_posix())


@dataclass(frozen=True)
class Alternate:
    """A link to one version of a page: for hreflang and the language switcher."""

    language: Language
    url: str  # absolute
    path: str  # root-relative, with the base path
    is_translation: bool  # False for a fallback


def alternates(site: Site, document: Document) -> list[Alternate]:
    """Every language's version of a document, in the languages' order."""
    config = site.config
    result = []
    for language in config.languages:
        other = site.document(document.key, language.code)
        if other is None:
            continue
        address = other.address
        result.append(Alternate(language, config.base_url + address, config.base_path + address,
                                not other.is_fallback))
    return result
