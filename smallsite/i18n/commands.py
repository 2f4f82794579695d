"""`python build.py i18n extract | update | init | status | mark | diff`: the translators' commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .catalogues import po_path
from ..commands.cli import report
from ..model.config import SiteConfig, load_config
from ..model.content import read_page
from .messages import PYBABEL_EXTRACT, PYBABEL_INIT, PYBABEL_UPDATE, TEMPLATE, init_catalogue, \
    update_catalogue, write_template
from .po_grammar import check_po
from ..model.problems import BuildFailed, Problem, display_path
from ..model.project import CONFIG_NAME
from .stale import find_source_change, mark_translated, source_of
from .status import RUN, format_json, format_table, translation_status


def add_command(commands) -> None:
    """Register `i18n` and its sub-commands."""
    parser = commands.add_parser("i18n", help="translators' commands: extract, update, init, status, mark, diff",
                                 description="Manage translations: interface strings (locales/) and pages "
                                 "(content/). See docs/translating.md.")
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    extract = actions.add_parser("extract", help=f"templates -> {TEMPLATE}",
                                 description="Collect the interface strings of the templates into "
                                 f"{TEMPLATE}. Same result as: {PYBABEL_EXTRACT}")
    extract.set_defaults(run=_guarded(run_extract))
    update = actions.add_parser("update", help="merge the template into every language's .po",
                                description="Merge the template into each language's catalogue: translations "
                                "are kept, changed strings become fuzzy. Same result as: " + PYBABEL_UPDATE)
    update.set_defaults(run=_guarded(run_update))
    init = actions.add_parser("init", help="start a new language's catalogue",
                              description="Start the catalogue of a language listed in site.toml, with its "
                              f"plural rule. Same result as: {PYBABEL_INIT}")
    init.add_argument("lang", help="the language's code in site.toml, like fr")
    init.set_defaults(run=_guarded(run_init))
    status = actions.add_parser("status", help="what is translated, fuzzy, missing or stale",
                                description="For each language: interface strings translated / fuzzy / "
                                "missing, pages translated / stale / unmarked / missing; then what to do.")
    status.add_argument("--json", action="store_true", help="print JSON for machines")
    status.add_argument("--strict", action="store_true",
                        help="exit 1 when anything is missing, fuzzy, stale or unmarked")
    status.set_defaults(run=_guarded(run_status))
    mark = actions.add_parser("mark", help="record that translations are up to date with their source",
                              description="Record in each translation's front matter (translated_from) "
                              "the digest of its default-language source as it is now. Run it when a "
                              "translation is done.")
    mark.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="translation files (content/...ko.md)")
    mark.set_defaults(run=_guarded(run_mark))
    diff = actions.add_parser("diff", help="how the source changed since a translation was made",
                              description="Show how the default-language source changed since the version "
                              "the translation records (found in git history).")
    diff.add_argument("path", type=Path, metavar="PATH", help="a translation file")
    diff.set_defaults(run=_guarded(run_diff))
    parser.set_defaults(run=lambda args: parser.print_help() or 2)


def _guarded(command):
    """Configuration problems are printed as path:line: message, never as a traceback."""
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args, load_config(args.root))
        except BuildFailed as failed:
            report(failed.problems)
            return 1
    return run


def run_extract(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n extract`: the templates' strings into messages.pot."""
    written = write_template(config.root)
    print(f"{display_path(written.path, config.root)}: {'updated' if written.changed else 'unchanged'}")
    return 0


def run_update(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n update`: merge messages.pot into every language's catalogue."""
    template = config.root / TEMPLATE
    if not template.exists():
        report([Problem(TEMPLATE, None, f"no template: run {RUN} i18n extract first")])
        return 1
    problems = []
    for language in config.languages:
        path = po_path(config.root, language)
        shown = display_path(path, config.root)
        if language.code == config.default_language and not path.exists():
            continue  # the default language's strings are the source; it needs no catalogue
        if not path.exists():
            problems.append(Problem(shown, None, f"no catalogue for {language.name}: "
                                    f"run {RUN} i18n init {language.code}", "warning"))
            continue
        try:
            broken = check_po(path.read_bytes(), shown, language.locale).problems
        except OSError as exc:
            broken = [Problem(shown, None, f"cannot read this catalogue: {exc.strerror}")]
        if broken:  # merged, it would be written back as Babel misread it, and the defect hidden
            problems += broken
            print(f"{shown}: not updated: fix the errors below first")
            continue
        written = update_catalogue(template, path, language.locale)
        print(f"{shown}: {'updated' if written.changed else 'unchanged'}")
    report(problems)
    if any(problem.is_error for problem in problems):
        return 1
    print(f"next: translate the new and fuzzy strings, then check with {RUN} i18n status")
    return 0


def run_init(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n init LANG`: start the catalogue of a language in site.toml."""
    codes = [language.code for language in config.languages]
    if args.lang not in codes:
        report([Problem(CONFIG_NAME, None, f"no language '{args.lang}': add a [[languages]] table with "
                        f"code = \"{args.lang}\" first (languages now: {', '.join(codes)})")])
        return 1
    language = config.language(args.lang)
    path = po_path(config.root, language)
    shown = display_path(path, config.root)
    if path.exists():
        report([Problem(shown, None, f"already exists: to bring it up to date run {RUN} i18n update")])
        return 1
    template = config.root / TEMPLATE
    if not template.exists():
        write_template(config.root)
    init_catalogue(template, path, language.locale)
    print(f"{shown}: created for {language.name} ({language.locale}); translate its strings in a .po editor")
    return 0


def run_status(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n status`: the table (or JSON); exit 1 on errors, or on any work with --strict."""
    status = translation_status(config)
    if args.json:
        print(format_json(status))
    else:
        print(format_table(status))
        errors = [p for p in status.problems if p.is_error]
        report(errors)
    if any(p.is_error for p in status.problems):
        return 1
    return 1 if args.strict and status.needs_work else 0


def run_mark(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n mark PATH...`: record each translation's source digest."""
    problems = []
    for path in args.paths:
        translation, original, problem = source_of(config, path)
        if problem:
            problems.append(problem)
            continue
        try:
            digest, changed = mark_translated(translation.path, original.path)
        except ValueError as exc:
            problems.append(Problem(translation.shown, 1, str(exc)))
            continue
        page, _ = read_page(translation, include_drafts=True)
        note = "" if changed else " (already)"
        print(f"{translation.shown}: translated from {original.shown} at {digest}{note}")
        if page is not None and page.front.draft:
            print("  note: it is still a draft; delete 'draft: true' to publish it")
    report(problems)
    return 1 if problems else 0


def run_diff(args: argparse.Namespace, config: SiteConfig) -> int:
    """`i18n diff PATH`: how the source changed since the translated version."""
    translation, original, problem = source_of(config, args.path)
    if problem:
        report([problem])
        return 1
    page, problems = read_page(translation, include_drafts=True)
    if page is None:
        report(problems)
        return 1
    recorded = page.front.translated_from
    if recorded is None:
        report([Problem(translation.shown, None, "not marked yet, so there is no translated version to compare "
                        f"with; when it is up to date run {RUN} i18n mark {translation.shown}")])
        return 1
    try:
        change = find_source_change(config.root, original.path, recorded)
    except LookupError as exc:
        report([Problem(translation.shown, None, str(exc))])
        return 1
    if change.commit is None:
        print(f"{translation.shown} is up to date: {original.shown} has not changed since it was translated")
        return 0
    sys.stdout.write(change.diff)
    print(f"\nwhen {translation.shown} says the same again, run {RUN} i18n mark {translation.shown}")
    return 0
