"""Which share card each page shows, and what a page's share tags say of it (issue 15).

Every indexable page gets a card of its own (cards.py), and so does the root chooser. A fallback page
(noindex) shares the site-wide card, static/img/share.png, as does every page when site.toml says
`share_cards = false` or when this machine has no face for the page's language (with a warning)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.names import encode_path
from .cards import TYPE, CardText, PlannedCard, card_size, plan_card

if TYPE_CHECKING:
    from ..model.site import Document
    from .assets import MediaFile
    from .render import Renderer

# The card a share shows for pages without a card of their own (static/).
SHARE_IMAGE = "img/share.png"
NO_CARD = PlannedCard(None, ())


def page_card(renderer: Renderer, document: Document, illustration: MediaFile | None) -> PlannedCard:
    """The card of one page (planned once per rendering: its page and the build both ask)."""
    planned = renderer.planned_cards.get((document.key, document.lang))
    if planned is None:
        config = renderer.site.config
        if not config.share_cards or document.is_fallback:
            planned = NO_CARD
        else:
            front = document.page.front
            language = config.language(document.lang)
            planned = plan_card(document.url_path, CardText(front.title, config.language(document.page.lang).tag),
                                CardText(language.title, language.tag), config.host,
                                str(illustration.source) if illustration else None,
                                illustration.output_path if illustration else "", (), document.page.shown,
                                front.title_line)
        renderer.planned_cards[(document.key, document.lang)] = planned
    return planned


def chooser_card(renderer: Renderer) -> PlannedCard:
    """The root chooser's card: the site's name in the default language, and in each other one."""
    planned = renderer.planned_cards.get(("", ""))
    if planned is None:
        config = renderer.site.config
        default = config.default
        planned = NO_CARD if not config.share_cards else plan_card(
            "", CardText(default.title, default.tag), None, config.host, None, "",
            tuple(CardText(language.title, language.tag) for language in config.languages if language != default),
            "site.toml", None)
        renderer.planned_cards[("", "")] = planned
    return planned


def share_image(renderer: Renderer, planned: PlannedCard, alt: str | None) -> dict | None:
    """What a page's share tags say of its image: its card's, else the site-wide card's (None: no image)."""
    config = renderer.site.config
    if planned.card is not None:
        width, height = card_size()
        return {"url": config.base_url + encode_path(planned.card.output_path), "alt": alt, "type": TYPE,
                "width": width, "height": height}
    if SHARE_IMAGE in renderer.static_urls:
        return {"url": config.base_url + encode_path(renderer.static_urls[SHARE_IMAGE]), "alt": None,
                "type": "image/png", "width": 1200, "height": 630}
    return None
