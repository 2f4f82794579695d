"""`i18n status`: how far each language is, as a table an editor reads at a glance or as JSON."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from babel.messages.pofile import read_po

from .catalogues import CatalogueReview, review_catalogue
from ..model.config import Language, SiteConfig
from .messages import TEMPLATE, extract_template
from ..model.problems import Problem
from .stale import CURRENT, MISSING, STALE, UNMARKED, WAITING, TranslationState, translation_states

RUN = "python build.py"


@dataclass(frozen=True)
class LanguageStatus:
    """One language's interface strings (None for the default language: they are the source) and pages."""

    language: Language
    interface: CatalogueReview | None
    pages: dict[str, int]  # translated, stale, unmarked, missing (waiting counts as missing) -> count
    total_pages: int


@dataclass(frozen=True)
class WorkItem:
    """One thing a translator has to do, and how."""

    lang: str
    path: str
    line: int | None
    state: str
    todo: str


@dataclass(frozen=True)
class StatusReport:
    """The whole translation status of a site."""

    config: SiteConfig
    languages: tuple[LanguageStatus, ...]
    work: tuple[WorkItem, ...]
    problems: tuple[Problem, ...]  # catalogue findings and sources that could not be read

    @property
    def needs_work(self) -> bool:
        return bool(self.work)


def translation_status(config: SiteConfig) -> StatusReport:
    """Compare every language with the default one: interface strings against the templates as they are
    now (not the possibly older messages.pot), pages against the default-language sources."""
    template = extract_template(config.root)
    states, problems = translation_states(config)
    problems += template_freshness(config, template)
    languages: list[LanguageStatus] = []
    work: list[WorkItem] = []
    total = len({state.key for state in states})
    for language in config.languages:
        if language.code == config.default_language:
            languages.append(LanguageStatus(language, None, {CURRENT: total}, total))
            continue
        review = review_catalogue(config, language, template)
        problems += review.problems
        mine = [s for s in states if s.lang == language.code]
        counts = {name: sum(1 for s in mine if s.state in group) for name, group in
                  ((CURRENT, (CURRENT,)), (STALE, (STALE,)), (UNMARKED, (UNMARKED,)), (MISSING, (MISSING, WAITING)))}
        languages.append(LanguageStatus(language, review, counts, len(mine)))
        if review.missing or review.fuzzy or any(p.is_error for p in review.problems):
            work.append(WorkItem(language.code, review.shown, None, "interface",
                                 _interface_todo(review, language)))
        work += [WorkItem(s.lang, s.path, s.line, s.state, page_todo(s, config)) for s in mine
                 if s.state != CURRENT]
    return StatusReport(config, tuple(languages), tuple(work), tuple(problems))


def template_freshness(config: SiteConfig, template) -> list[Problem]:
    """messages.pot must hold the strings the templates use now, or `update` merges old ones."""
    path = config.root / TEMPLATE
    wanted = {(m.id, m.context) for m in template if m.id}
    if not path.exists():
        return [Problem(TEMPLATE, None, f"no template yet: run {RUN} i18n extract", "warning")]
    with path.open("rb") as handle:
        have = {(m.id, m.context) for m in read_po(handle) if m.id}
    if have == wanted:
        return []
    return [Problem(TEMPLATE, None, f"out of date ({len(wanted - have)} new strings in the templates, "
                    f"{len(have - wanted)} no longer used): run {RUN} i18n extract, then {RUN} i18n update",
                    "warning")]


def page_todo(state: TranslationState, config: SiteConfig) -> str:
    """What to do about one page in one language, in the editor's words."""
    mark = f"{RUN} i18n mark {state.path}"
    if state.state == MISSING:
        return f"not translated: copy {state.source} to {state.path}, translate it, then run {mark}"
    if state.state == WAITING:
        return f"waiting for translation: translate it from {state.source}, delete 'draft: true', then run {mark}"
    if state.state == STALE:
        return (f"stale: {state.source} changed since this was translated; see how with "
                f"{RUN} i18n diff {state.path}, update the translation, then run {mark}")
    if state.state == UNMARKED:
        return f"not marked: once it translates {state.source} as it is now, run {mark}"
    return "up to date"


def _interface_todo(review: CatalogueReview, language: Language) -> str:
    parts = [f"{count} {what}" for count, what in ((review.missing, "missing"), (review.fuzzy, "fuzzy")) if count]
    errors = sum(1 for p in review.problems if p.is_error)
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    return (f"interface strings: {', '.join(parts)}; translate them in {review.shown} (Poedit, Weblate or "
            f"any .po editor), then check with {RUN} i18n status")


def format_table(report: StatusReport) -> str:
    """The report as text: a table per language, then the list of work."""
    config = report.config
    head = ["language", "translated", "fuzzy", "missing", "translated", "stale", "unmarked", "missing"]
    rows = [head]
    for status in report.languages:
        name = f"{status.language.code} {status.language.name}"
        if status.interface is None:
            rows.append([name, "source", "", "", f"{status.total_pages}", "", "", ""])
            continue
        review = status.interface
        strings = review.translated + review.fuzzy + review.missing
        pages = status.pages
        rows.append([name, f"{review.translated}/{strings}", str(review.fuzzy), str(review.missing),
                     f"{pages[CURRENT]}/{status.total_pages}", str(pages[STALE]), str(pages[UNMARKED]),
                     str(pages[MISSING])])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = [f"Translations of {config.default.title} (source language: {config.default.name})", "",
             f"{'':{widths[0]}}  {'interface strings':<{widths[1] + widths[2] + widths[3] + 4}}  pages"]
    for row in rows:
        cells = [_pad(row[0], widths[0])] + [_pad(cell, width, right=True) for cell, width in
                                             zip(row[1:], widths[1:])]
        lines.append("  ".join(cells[:4]) + "  " + "  ".join(cells[4:]))
    lines.append("")
    if not report.work:
        lines.append("Nothing to do: every language is complete and up to date.")
    else:
        lines.append("To do:")
        for item in report.work:
            where = f"{item.path}:{item.line}" if item.line else item.path
            lines.append(f"  {item.lang}  {where}")
            lines.append(f"      {item.todo}")
    return "\n".join(lines)


def format_json(report: StatusReport) -> str:
    """The report for machines: stable keys, no prose to parse."""
    languages = []
    for status in report.languages:
        review = status.interface
        languages.append({
            "code": status.language.code, "name": status.language.name, "locale": status.language.locale,
            "default": review is None,
            "interface": None if review is None else {
                "catalogue": review.shown, "translated": review.translated, "fuzzy": review.fuzzy,
                "missing": review.missing, "total": review.translated + review.fuzzy + review.missing},
            "pages": {"total": status.total_pages, **status.pages},
        })
    return json.dumps({
        "default_language": report.config.default_language,
        "languages": languages,
        "work": [{"language": w.lang, "path": w.path, "line": w.line, "state": w.state, "todo": w.todo}
                 for w in report.work],
        "problems": [{"path": p.path, "line": p.line, "message": p.message, "severity": p.severity}
                     for p in sorted(report.problems)],
    }, ensure_ascii=False, indent=2)


def _width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space
