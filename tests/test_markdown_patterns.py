"""Our Markdown converters give the HTML Python-Markdown itself gives, with the accelerator
(speed/markdown_accelerator.py) and without it (build/markdown.py alone). With it: leaving out the inline
patterns a piece of text cannot match (markdown_patterns.TextPatterns) and the block processors a block
cannot trigger (markdown_patterns.BlockChoice), the processors kept in order as lists, the remembered
block-level tags and our serializer change nothing. The accelerator runs only on the releases it knows,
and each of its parts only where Python-Markdown's private parts are as it expects."""

import random
import subprocess
import sys
from pathlib import Path

import markdown
import pytest
from markdown.treeprocessors import InlineProcessor

from smallsite.build.markdown import EXTENSIONS, _new_converter, heading_id
from smallsite.speed import markdown_accelerator
from smallsite.speed.markdown_accelerator import accelerate, accelerates
from smallsite.speed.markdown_cache import load_cache

PROJECT = Path(__file__).resolve().parent.parent

# Pieces of Markdown that use every inline pattern, and the characters they need, alone and together.
PIECES = ["`code`", "``a`b``", "\\*", "\\[", "\\\\", "\\`", "[link](/x)", "[ref][r]", "[r]", "[r]: /u", "![i](p.png)",
          "![alt][r]", "[^1]", "[^1]: note", "<http://example.org/a>", "<a@b.org>", "  \n", "<b>bold</b>",
          "<!-- c -->", "&amp;", "&#42;", "&copy;", "*em*", "**strong**", "_u_", "__uu__", "***both***",
          "*[AB]: Alpha Beta", "AB", '<div markdown="1">*in*</div>', "[TOC]", "## Head", "{: .c }",
          "```\n<x>\n```", "    code <y>", "1. one", "- item", "> quote", "| a | b |\n|---|---|\n| 1 | 2 |",
          "term\n: definition", "[*em* and `c`](/x)", "**bold [link](/y) &amp;**", "*a **b** c*", "_x [r] y_",
          "[![i](p.png) <b>t</b>](/z)", "---", "* * *", "___", "Title\n=====", "Sub\n---", "2. two\n3. three",
          "+ plus", "* star", "> > nested", "    indented", "-", "#", "|", "=", ".", "1.", "a | b", "[x]:",
          "<div>\nblock\n</div>", "{: #anchor .wide hidden }", '{: data-x="a&b<c>" title="q\\"" }', "&lt;",
          "a > b & c < d", "<script>x<y</script>", "~~~\ntilde <z>\n~~~", "\n   ", "a &amp b", "x\ty", "word", "한국어 [링크](/k)", "日本語", "\u00e9", "!", "[", "]", "(", ")", "<", ">", "&", ";", "*", "_", "`",
          "\\", "^", "@", "/", ":", "\n", "\n\n", " ", "\t",
          "\x02", "\x03", "\r"]  # STX and ETX: Python-Markdown removes them from the text first


def documents(count: int, seed: int) -> list[str]:
    """Random documents from PIECES (every mix of present and absent characters), and our own pages."""
    rng = random.Random(seed)
    made = ["".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 40))) for _ in range(count)]
    made += [path.read_text(encoding="utf-8") for path in sorted((PROJECT / "content").rglob("*.md"))]
    # A toc marker that only Python-Markdown's own clean-up makes: it drops STX and ETX first.
    made += ["[TO\x02C]\n\n## Head\n\nText.", "\x03[TOC]\x02\n\n## Head", "[TOC\r]\n\n## Head"]
    return made


def python_markdown() -> markdown.Markdown:
    """Python-Markdown as it comes, with the same extensions: every pattern tried, its own registries."""
    return markdown.Markdown(extensions=[*EXTENSIONS, "toc"], output_format="html",
                             extension_configs={"toc": {"slugify": heading_id, "toc_depth": "2-3"}})


# Both paths a build can take: Python-Markdown as it comes with our extensions, and accelerated.
BOTH_PATHS = pytest.mark.parametrize("hook", [None, accelerate], ids=["stock", "accelerated"])

# Whether the installed Python-Markdown is one the accelerator knows (else it must put in nothing).
KNOWN_RELEASE = accelerates(markdown.__version_info__)
ALL_PARTS = {"text patterns", "block choice", "page switches", "sorted registries", "remembered block tags",
             "skipped preprocessing", "serializer"}


def accelerator_parts(converter: markdown.Markdown) -> set[str]:
    """Which of the accelerator's parts a Markdown instance has (none: Python-Markdown as it comes)."""
    registries = (converter.preprocessors, converter.parser.blockprocessors, converter.treeprocessors,
                  converter.postprocessors)
    found = {
        "text patterns": "_InlineProcessor__handleInline" in vars(converter.treeprocessors["inline"]),
        "block choice": "parseBlocks" in vars(converter.parser),
        "page switches": "smallsite_page_switches" in converter.preprocessors,
        "sorted registries": all(type(registry) is not markdown.util.Registry for registry in registries),
        "remembered block tags": "is_block_level" in vars(converter),
        "skipped preprocessing": "run" in vars(converter.preprocessors["normalize_whitespace"]),
        "serializer": converter.serializer is not markdown.serializers.to_html_string,
    }
    return {part for part, present in found.items() if present}


def expected_parts(*left_out: str) -> set[str]:
    """The parts the accelerator puts in on the installed release: none on a release it does not know;
    on one it knows, all but `left_out` and the serializer where its private parts differ (before 3.11,
    Python-Markdown wrote every attribute whose value is its name in the short form, and had no
    BOOLEAN_ATTRIBUTES)."""
    if not KNOWN_RELEASE:
        return set()
    lacking = {"serializer"} if markdown_accelerator._HTML_SERIALIZER is None else set()
    return ALL_PARTS - lacking - set(left_out)


def assert_python_markdowns_html(converter: markdown.Markdown, count: int = 200) -> None:
    """The converter gives Python-Markdown's HTML and table of contents for random documents and our pages."""
    converter.treeprocessors.deregister("smallsite_links")  # links between pages need a site
    converter.treeprocessors.deregister("smallsite_gallery")  # ours: Python-Markdown makes no gallery
    whole = python_markdown()
    different = []
    for text in documents(count, seed=7):
        converter.reset(), whole.reset()
        if (converter.convert(text), converter.toc) != (whole.convert(text), whole.toc):
            different.append(text)
    assert different == []


@BOTH_PATHS
def test_our_preprocessing_gives_python_markdowns_lines(hook):
    """Preprocessors the accelerator spares a text (_skip_needless_preprocessing) would have given these lines."""
    different = []
    converters = (_new_converter(hook)[0], python_markdown())
    for text in documents(3000, seed=6):
        outputs = []
        for converter in converters:
            converter.reset()
            lines = text.split("\n")
            for processor in converter.preprocessors:
                lines = processor.run(lines)
            outputs.append(lines)
        if outputs[0] != outputs[1]:
            different.append(text)
    assert different == []


@BOTH_PATHS
def test_our_converter_gives_python_markdowns_html(hook):
    assert_python_markdowns_html(_new_converter(hook)[0], count=3000)


GALLERIES = ['![A](a.png "Caption & <more>")\n![B](b.png)\n![C](c.png "&copy; 2018 \\"q\\"")',
             '![퍽](a.png "나이로비의 첫 퍽")  \n![チーム](b.png \'チーム\')', "Text\n\n![A](a.png \"t\") ![B](b.png)\n\n## H",
             '> ![A](a.png "x")\n> ![B](b.png "y")']
# Pictures that are not a paragraph of their own, or with words between them: no gallery.
NOT_GALLERIES = ["- ![A](a.png)\n  ![B](b.png)", '![A](a.png "t") and ![B](b.png)', "![A](a.png)\n\n![B](b.png)"]


def test_a_gallery_is_the_same_html_on_both_paths():
    """Our gallery (build/gallery.py), which Python-Markdown does not make: the same bytes accelerated."""
    html = []
    for hook in (None, accelerate):
        converter = _new_converter(hook)[0]
        converter.treeprocessors.deregister("smallsite_links")  # links between pages need a site
        html.append([(converter.reset().convert(text), converter.toc) for text in GALLERIES + NOT_GALLERIES])
    assert html[0] == html[1]
    assert [page.count('<ul class="gallery" role="list">') for page, _ in html[0]] == [1] * 4 + [0] * 3


def test_a_build_accelerates_on_a_release_the_accelerator_knows():
    """The converters a build uses (the Markdown cache's) have every part on a known release; without
    the hook, none (Python-Markdown as it comes)."""
    converters = load_cache(None).converters
    converters.make_ready()
    [(converter, _)] = converters._idle
    assert accelerator_parts(converter) == expected_parts()
    assert accelerator_parts(_new_converter()[0]) == set()


@pytest.mark.parametrize("release", [(3, 8, 0, "final", 0), (3, 12, 0, "final", 0), (3, 11, 0, "beta", 1),
                                     (3, 7, 0, "final", 0), (4, 0, 0, "final", 0)])
def test_a_release_the_accelerator_does_not_know_is_used_as_it_comes(monkeypatch, release):
    """Python-Markdown 3.5 and 3.6 had no abbr.AbbrBlockprocessor, and making a converter crashed: on a
    release it was not checked against, none of the accelerator's parts is put in, and pages convert
    as Python-Markdown converts them."""
    monkeypatch.setattr(markdown, "__version_info__", release)
    converters = load_cache(None).converters
    converters.make_ready()
    [(converter, _)] = converters._idle
    assert accelerator_parts(converter) == set()
    assert_python_markdowns_html(converter)


@pytest.mark.parametrize("check, value, part", [("_REGISTRY_AS_KNOWN", False, "sorted registries"),
                                                ("_HTML_SERIALIZER", None, "serializer"),
                                                ("_PLACEHOLDER_CHARACTERS", None, "text patterns")])
def test_a_part_whose_private_parts_are_not_as_known_is_left_out(monkeypatch, check, value, part):
    """On a known release whose private parts still differ from what a part needs, Python-Markdown's own
    is used for that part alone, with the same HTML."""
    monkeypatch.setattr(markdown_accelerator, check, value)
    converter = _new_converter(accelerate)[0]
    assert accelerator_parts(converter) == expected_parts(part)
    assert_python_markdowns_html(converter)


def test_an_inline_processor_without_its_text_handler_keeps_its_patterns(monkeypatch):
    """The inline processor's (name-mangled) text handler is what TextPatterns stands in for: without
    it, the inline processor is left as it comes, and the rest is still accelerated."""
    monkeypatch.setattr(InlineProcessor, "_InlineProcessor__handleInline", None)
    converter = _new_converter(accelerate)[0]
    monkeypatch.undo()  # Python-Markdown's own text handler back, for the conversions below
    assert accelerator_parts(converter) == expected_parts("text patterns")
    assert type(converter.treeprocessors["inline"].inlinePatterns) is markdown.util.Registry
    assert_python_markdowns_html(converter)


def test_the_releases_the_accelerator_knows():
    assert accelerates((3, 8, 1, "final", 0)) and accelerates((3, 11, 3, "final", 0)) and accelerates((3, 10, 0))
    assert not accelerates((3, 7, 0, "final", 0)) and not accelerates((3, 12, 0, "final", 0))
    assert not accelerates((3, 8, 0, "final", 0)) and not accelerates((3, 9, 0, "rc", 1))


def test_stock_markdown_needs_nothing_from_speed():
    """build/markdown.py is Python-Markdown with our extensions: importing it (and all it imports) loads
    nothing of speed/, so deleting speed/ leaves it whole."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, smallsite.build.markdown; print(*sorted(sys.modules))"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert "smallsite.build.markdown" in loaded
    assert [name for name in loaded if name.startswith("smallsite.speed")] == []
