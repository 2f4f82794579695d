"""The URLs the build writes for its output's names: percent-encoded UTF-8."""

from __future__ import annotations

import re
from urllib.parse import quote

# RFC 3986's unreserved characters, and the '/' between segments: what a URL path carries as it is.
_AS_IT_IS = re.compile(r"[A-Za-z0-9/._~-]*")


def encode_path(path: str) -> str:
    """An output path as every URL the build writes spells it: 'en/stories/with space/' ->
    'en/stories/with%20space/'. Sitemaps and feeds need RFC 3986 URIs (a raw space or 'é' is invalid
    there); encoding the same way in pages too keeps canonical, hreflang, og:url and the sitemap's <loc>
    one string for one page. Every character but '/' and the unreserved ones is encoded, '%' included:
    a name is never taken as already encoded."""
    return path if _AS_IT_IS.fullmatch(path) else quote(path, safe="/")

