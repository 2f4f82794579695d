"""One Jinja environment per language: its catalogue, its Babel locale and the filters that format
dates and numbers in it are fixed when it is made, so no template ever depends on the process's locale."""

from __future__ import annotations

import datetime
from typing import Any, Callable

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape

from ..i18n.catalogues import LoadedCatalogue
from ..model.config import Language, SiteConfig
from ..model.names import encode_path, nfc
from ..model.project import TEMPLATES_DIR
from .phrases import breaks_by_phrase, phrases


def make_environment(config: SiteConfig, language: Language, catalogue: LoadedCatalogue,
                     static_urls: dict[str, str]) -> jinja2.Environment:
    """A Jinja environment for one language: its catalogue and Babel locale are fixed here,
    so no template ever depends on the process's locale."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.root / TEMPLATES_DIR),
        autoescape=True,  # front matter and titles are text, never HTML
        undefined=jinja2.StrictUndefined,  # a typo in a template is an error, not an empty string
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(catalogue.translations, newstyle=True)
    env.globals["_"] = _quick_gettext(env.globals["_"], env.globals["gettext"], catalogue.translations)
    locale = language.locale
    env.filters["date"] = _remembered_dates(locale)
    env.filters["number"] = lambda value: format_decimal(value, locale=locale)
    env.filters["percent"] = lambda value: format_percent(value, locale=locale)
    env.filters["phrased"] = phrased
    # Each static file's URL made once, not at each of the pages that ask for it.
    addresses = {name: config.base_path + encode_path(output) for name, output in static_urls.items()}

    def asset(name: str) -> str:
        address = addresses.get(name) or addresses.get(nfc(name))  # static/'s names are kept in NFC
        if address is None:
            raise jinja2.TemplateRuntimeError(f"no static file '{name}' in static/")
        return address

    env.globals["asset"] = asset
    return env


def phrased(text: Any, tag: str) -> Markup:
    """A headline as HTML that a browser breaks only between its phrases, for the language it is written in
    (`tag`: a fallback page's title is not in its section's language): ja and zh get a <wbr> between
    BudouX's phrases, which the stylesheet's `word-break: keep-all` makes the only places a line may
    break (issue 15); any other language's text comes back escaped, as autoescaping would give it."""
    if isinstance(text, Markup) or not isinstance(text, str) or not breaks_by_phrase(tag):
        return escape(text)  # HTML is not cut into phrases: its tags would be split
    return Markup("<wbr>").join(phrases(text, tag))  # join escapes each phrase


def _quick_gettext(alias: Callable[..., Any], installed: Callable[..., Any], translations: Any
                   ) -> Callable[..., Any]:
    """`_` as Jinja's i18n extension makes it (new style), with less work for what templates call most.

    Its `_` looks `gettext` up in the page's context and calls it through the context, which calls the
    catalogue through the context again, then wraps the text in Markup (when autoescaping) and formats
    it with the call's variables (always: `%%` is a literal percent sign). Every page calls it about ten
    times, mostly with a fixed text and no variables; those results are remembered (they depend only on
    the text and on autoescaping), and the rest are made directly. Any other call (a template's own
    `gettext`, a text that is not a string, another number of arguments) goes Jinja's way."""
    translate = getattr(translations, "ugettext", None) or translations.gettext  # as Jinja picks it
    remembered: dict[tuple[str, bool], Any] = {}

    def made(text: str, autoescape: bool, variables: dict[str, Any]) -> Any:
        translated = translate(text)
        return (Markup(translated) if autoescape else translated) % variables

    @jinja2.pass_context
    def quick(__context: jinja2.runtime.Context, /, *args: Any, **variables: Any) -> Any:
        if len(args) != 1 or type(args[0]) is not str or __context.resolve_or_missing("gettext") is not installed:
            return alias(__context, *args, **variables)
        autoescape = __context.eval_ctx.autoescape
        if variables:
            return made(args[0], autoescape, variables)
        key = (args[0], autoescape)
        found = remembered.get(key)
        if found is None:
            found = remembered[key] = made(args[0], autoescape, {})
        return found

    return quick


def load_locale_data(config: SiteConfig) -> None:
    """Have Babel read every language's locale data now. It reads a locale's data at its first date:
    a build that will render many pages reads it before forking, so the processes
    that render them inherit it instead of each reading it for its first pages."""
    for language in config.languages:
        try:
            format_date(datetime.date(2000, 1, 1), locale=language.locale)
        except Exception:  # noqa: BLE001 - a locale Babel refuses is reported where a page uses it
            pass


def _remembered_dates(locale) -> Callable[..., str]:
    """Babel's format_date, each (date, format) formatted once: a story page lists every other story's
    date, and Babel takes longer over one date than Jinja over the rest of a card."""
    formatted: dict[tuple[Any, str], str] = {}

    def date(value, format: str = "long") -> str:
        if isinstance(value, datetime.datetime):
            # Its calendar day where it was written (as Babel shows it): two moments that are equal in
            # another zone must not share a remembered text.
            value = value.date()
        try:
            return formatted[(value, format)]
        except KeyError:
            text = formatted[(value, format)] = format_date(value, format=format, locale=locale)
            return text
        except TypeError:  # not hashable, so not a date Babel would take either: let it say so
            return format_date(value, format=format, locale=locale)

    return date
