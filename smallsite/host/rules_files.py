"""`_headers` and `_redirects`: the plan in the files Netlify reads from the top of the published folder
(Cloudflare Pages reads the same files, and what it does not support it leaves; docs/deploy.md)."""

from __future__ import annotations

from .plan import (HASHED_FOLDERS, IMMUTABLE, LANGUAGE_COOKIE, REVALIDATE, ROOT_VARY, SECURITY_HEADERS, HostPlan,
                   host_plan)
from ..build.output_folder import OWNED_RECORD
from ..model.config import SiteConfig


def host_files(config: SiteConfig) -> dict[str, bytes]:
    plan = host_plan(config)
    return {"_headers": headers_file(plan).encode("utf-8"), "_redirects": redirects_file(plan).encode("utf-8")}


def headers_file(plan: HostPlan) -> str:
    # A host adds every rule whose path matches, and joins two values of one header with a comma: so no
    # two rules that can match one path may set the same header (the rules below never overlap).
    base = plan.base_path
    blocks = [("# Written by smallsite's build (docs/deploy.md): edit site.toml or smallsite/host/, not this file.\n"
               "# Every answer: the pages load only their own files, and a film's player once the reader presses play.",
               base + "*", SECURITY_HEADERS)]
    for folder in HASHED_FOLDERS:
        blocks.append(("# Files whose names carry a digest of their bytes: a changed file gets a new name."
                       if folder == HASHED_FOLDERS[0] else "", base + folder + "*", (("Cache-Control", IMMUTABLE),)))
    for number, language in enumerate(plan.languages):
        blocks.append(("# A language's folder: its pages and feed change in place, so browsers ask again each time."
                       if number == 0 else "", f"{base}{language.code}/*",
                       (("Cache-Control", REVALIDATE), ("Content-Language", language.tag))))
    blocks.append((f"# The root's language depends on the {LANGUAGE_COOKIE} cookie and on Accept-Language "
                   "(_redirects).", base, (("Cache-Control", REVALIDATE), ("Vary", ROOT_VARY))))
    for name in plan.root_files:
        blocks.append(("", base + name, (("Cache-Control", REVALIDATE),)))
    lines = []
    for comment, path, headers in blocks:
        if comment:
            lines += ["", *comment.split("\n")] if lines else comment.split("\n")
        lines.append(path)
        lines += [f"  {name}: {value}" for name, value in headers]
    return "\n".join(lines) + "\n"


def redirects_file(plan: HostPlan) -> str:
    base = plan.base_path
    lines = ["# Written by smallsite's build (docs/deploy.md): edit site.toml or smallsite/host/, not this file.",
             "# The root sends a reader to their language: the one they picked (Netlify reads the "
             f"{LANGUAGE_COOKIE} cookie",
             "# the chooser sets), else the first language their browser lists; a reader matched by neither gets "
             "the chooser.",
             "# Forced (!): the chooser's index.html would otherwise answer first."]
    # Netlify compares the primary subtag of the browser's first language (zh for zh-CN), or the cookie's
    # value, which is the language's code: both are listed when they differ.
    for language in plan.languages:
        names = ",".join(dict.fromkeys((language.code, language.primary)))
        lines.append(f"{base}  {base}{language.code}/  302!  Language={names}")
    # (Netlify never publishes the rules files themselves.)
    lines += ["", "# The build's record of the files it wrote is not for readers.",
              f"{base}{OWNED_RECORD}  {plan.not_found}  404!"]
    lines += ["", "# A missing page in a language's folder: that language's 404 page, with the status 404."]
    lines += [f"{base}{language.code}/*  {plan.language_not_found(language)}  404" for language in plan.languages]
    lines += [f"{base}*  {plan.not_found}  404"]
    return "\n".join(lines) + "\n"
