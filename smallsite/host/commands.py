"""`python build.py host ...`: print a host's configuration, written from the site's settings."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..commands.cli import configure, folder_argument, output_dir, report
from ..model.config import SiteConfig
from ..model.problems import BuildFailed
from .github_pages import github_pages_workflow
from .nginx import DEFAULT_LISTEN, HostError, nginx_config
from .plan import host_plan


def add_command(commands) -> None:
    """Register `host`."""
    parser = commands.add_parser(
        "host", help="print the configuration a host needs to serve the site",
        description="Print a host's configuration, written from site.toml. Netlify and Cloudflare Pages need "
        "none: every build writes _headers and _redirects into the output folder. See the README's Deploy "
        "section.")
    hosts = parser.add_subparsers(title="hosts", metavar="HOST")
    nginx = hosts.add_parser(
        "nginx", help="an nginx server block (caching, language at the root, 404 pages, security headers)",
        description="Print maps and a server { } block for nginx's http { } block (Debian: save it as "
        "/etc/nginx/conf.d/<site>.conf). It serves the output folder as built.")
    nginx.add_argument("--listen", default=DEFAULT_LISTEN, metavar="ADDR",
                       help=f"the port, or address and port, to listen on (default: {DEFAULT_LISTEN}; "
                       "127.0.0.1:8080)")
    nginx.add_argument("--folder", type=folder_argument, metavar="DIR",
                       help="where the server finds the site (default: the output folder, as an absolute path)")
    nginx.add_argument("--base-url", help="the URL the site is published at (default: base_url in site.toml)")
    nginx.add_argument("--out", type=folder_argument, help=argparse.SUPPRESS)
    nginx.set_defaults(run=run_nginx)
    pages = hosts.add_parser(
        "github-pages", help="a GitHub Actions workflow that builds and publishes the site",
        description="Print a workflow for .github/workflows/pages.yml: it builds the site at the address "
        "Pages gives it and publishes it.")
    pages.set_defaults(run=run_github_pages)
    parser.set_defaults(run=lambda args: parser.print_help() or 2)


def _settings(args: argparse.Namespace) -> SiteConfig | None:
    """site.toml with the command line's overrides, or None once its problems are printed."""
    try:
        return configure(args)
    except BuildFailed as failed:
        report(failed.problems)
        return None


def run_github_pages(args: argparse.Namespace) -> int:
    config = _settings(args)
    if config is None:
        return 1
    sys.stdout.write(github_pages_workflow(config.output_dir))
    return 0


def run_nginx(args: argparse.Namespace) -> int:
    config = _settings(args)
    if config is None:
        return 1
    folder = (args.folder or output_dir(args, config)).absolute()
    try:
        text = nginx_config(host_plan(config), Path(folder), args.listen)
    except HostError as refused:
        print(f"host nginx: {refused}", file=sys.stderr)
        return 1
    built_for = _built_for(folder)
    if built_for is None:
        print(f"note: {folder} holds no built site yet: run python build.py build", file=sys.stderr)
    elif built_for != config.base_url:
        # Its pages would ask for /campaign/static/... of a server that answers at /: a site without its
        # stylesheets. The build's robots.txt says which address it was made for.
        print(f"host nginx: {folder} was built for {built_for} (its robots.txt says so), not for "
              f"{config.base_url}: pass --base-url {built_for}, or build again", file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def _built_for(folder: Path) -> str | None:
    """The base URL the site in `folder` was built with, from its robots.txt's Sitemap line."""
    try:
        robots = (folder / "robots.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = re.search(r"^Sitemap: (\S+)sitemap\.xml$", robots, re.M)
    return found.group(1) if found else None
