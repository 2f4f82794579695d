"""GitHub Pages: the Actions workflow that builds the site and publishes it. Pages has one 404 page and
reads no headers: the root 404.html sends a reader in a language's folder to that language's 404 page
(static/js/lang.js), and the caching and security headers are GitHub's own."""

from __future__ import annotations

import json

from .plan import OWNED_RECORD

WORKFLOW = """\
# Build the site and publish it on GitHub Pages at every push to main.
# Written by `python build.py host github-pages` (smallsite, docs/deploy.md). In the repository's
# Settings -> Pages, set Source to "GitHub Actions".
name: Publish the site
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: false
jobs:
  publish:
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    env:
      SITE: __SITE__
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      # The share cards draw Korean, Japanese and Chinese titles in Noto Sans CJK.
      - run: sudo apt-get update && sudo apt-get install -y --no-install-recommends fonts-noto-cjk
      - run: pip install .
      - id: pages
        uses: actions/configure-pages@v5
      # The address Pages gives the site (https://<owner>.github.io/<repository>/, or your own domain).
      - run: python build.py build --strict --base-url "${{ steps.pages.outputs.base_url }}/"
      # Pages reads no _headers or _redirects, and the build's record of its files is not for readers.
      - run: rm -f -- "$SITE/_headers" "$SITE/_redirects" "$SITE/__RECORD__"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: __SITE__
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def github_pages_workflow(output_dir: str) -> str:
    """The workflow for a site whose build writes into `output_dir` (site.toml's, as written there)."""
    # JSON is YAML: any folder name is one safe scalar; the shell reads it from the environment.
    return WORKFLOW.replace("__SITE__", json.dumps(output_dir)).replace("__RECORD__", OWNED_RECORD)
