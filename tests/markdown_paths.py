"""Both paths a build's Markdown can take: accelerated (speed/markdown_accelerator.py, on the releases it
knows) and Python-Markdown as it comes (MarkdownConverters without the hook). A test module that imports
`markdown_path` runs each of its tests on both, so `make test` (and CI) checks what editors see on each."""

import pytest

from smallsite.speed import markdown_accelerator
from smallsite.speed.markdown_cache import load_cache


@pytest.fixture(scope="module", params=["accelerated", "stock"], autouse=True)
def markdown_path(request):
    """The path this module's tests build with (module-wide, so module-scoped sites are built on it too)."""
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "stock":
            patch.setattr(markdown_accelerator, "accelerate", None)
        # The converters a build makes are the ones named (a renamed hook would make both paths one).
        assert (load_cache(None).converters.accelerate is None) == (request.param == "stock")
        yield request.param
