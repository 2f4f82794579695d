"""The render stage for one page: its Markdown, its illustration, its template.

`render_document` hands a memo the page's work in three steps (convert, hero, render): a memo that
keeps pages between builds needs what the first two give to know whether it has the third already.
A page is rendered in a worker process as often as in the build's own: nothing here changes shared state.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..model.content import CONTENT_DIR, with_body
from ..model.problems import Problem
from ..model.site import Document
from .assets import MediaFile
from .markdown import LinkContext, MarkdownConverters, RenderedMarkdown, render_markdown
from .render import TEMPLATE_FOR_KIND, Illustration, Renderer, document_context, render_template, resolve_hero

if TYPE_CHECKING:
    from .memo import Memo


@dataclass(frozen=True)
class RenderedDocument:
    """One page's HTML (None when its template failed; a write marker when it is already written), the
    problems met making it and the media files it shows. `notes`: what the memo that made it keeps of it."""

    html: bytes | None
    problems: tuple[Problem, ...]
    media: tuple[MediaFile, ...]
    notes: Any = None


@dataclass
class PageWork:
    """One document's page to make, step by step (see the module's docstring)."""

    renderer: Renderer
    document: Document
    context: LinkContext
    cards: list[dict]

    def convert(self, converters: MarkdownConverters, read_media: Callable[[Path], MediaFile]) -> RenderedMarkdown:
        """The page's Markdown body as HTML."""
        self.context.read_media = read_media
        return render_markdown(self.context, converters)

    def hero(self, read_media: Callable[[Path], MediaFile]) -> Illustration:
        """The page's front-matter illustration."""
        return resolve_hero(self.renderer.site.config, self.document, read_media)

    def render(self, body: RenderedMarkdown, hero: Illustration, notes: Any = None) -> RenderedDocument:
        """The whole page, from its body and illustration."""
        html, found = self.template(body, hero)
        return self.page(body, hero, html, found, notes)

    @staticmethod
    def page(body: RenderedMarkdown, hero: Illustration, html: bytes | None, found, notes: Any = None
             ) -> RenderedDocument:
        """The page's HTML with everything met making it: the body's, the illustration's and the template's."""
        return RenderedDocument(html, (*body.problems, *([hero.problem] if hero.problem else []), *found),
                                (*body.media, *([hero.media] if hero.media else [])), notes)

    def template(self, body: RenderedMarkdown, hero: Illustration) -> tuple[bytes | None, list[Problem]]:
        """The page's template, filled: its HTML (None when it failed) and the problems it met."""
        renderer, document = self.renderer, self.document
        context = document_context(renderer, document, body, hero, self.cards)
        return render_template(renderer.environments[document.lang], TEMPLATE_FOR_KIND[document.page.kind],
                               context, renderer.site.config, document.page.shown)


def page_work(renderer: Renderer, document: Document, url_paths: dict[str, str], cards: list[dict]
              ) -> PageWork | RenderedDocument:
    """The work of one page; or, when its source no longer holds the bytes read, the page that says so
    (the build then stops: see with_body)."""
    config = renderer.site.config
    page, changed = with_body(document.page)
    if changed is not None:
        return RenderedDocument(None, (changed,), ())
    context = LinkContext(page, document.lang, config.root / CONTENT_DIR, config.base_path, url_paths,
                          raw_html=config.raw_html, site_host=config.host)
    return PageWork(renderer, document, context, cards)


def render_document(renderer: Renderer, document: Document, url_paths: dict[str, str], cards: list[dict],
                    memo: Memo) -> RenderedDocument:
    """One page, as the memo has it or makes it."""
    work = page_work(renderer, document, url_paths, cards)
    return memo.page(work) if isinstance(work, PageWork) else work
