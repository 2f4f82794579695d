"""Our Markdown converter gives the HTML Python-Markdown itself gives: leaving out the inline patterns a
piece of text cannot match (markdown._TextPatterns) and the block processors a block cannot trigger
(markdown._BlockChoice), the processors kept in order as lists and the remembered block-level tags
change nothing."""

import random
from pathlib import Path

import markdown
import pytest

from smallsite.build.markdown import EXTENSIONS, _new_converter, accelerates, heading_id

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


def test_our_preprocessing_gives_python_markdowns_lines():
    """Preprocessors we spare a text (markdown._skip_needless_preprocessing) would have given these lines."""
    different = []
    converters = (_new_converter()[0], python_markdown())
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


def test_our_converter_gives_python_markdowns_html():
    trimmed, _ = _new_converter()
    trimmed.treeprocessors.deregister("smallsite_links")  # links between pages need a site
    whole = python_markdown()
    different = []
    for text in documents(3000, seed=6):
        outputs = []
        for converter in (trimmed, whole):
            converter.reset()
            outputs.append((converter.convert(text), converter.toc))
        if outputs[0] != outputs[1]:
            different.append(text)
    assert different == []


@pytest.mark.parametrize("release", [(3, 8, 0, "final", 0), (3, 12, 0, "final", 0), (3, 11, 0, "beta", 1)])
def test_a_release_the_accelerator_does_not_know_is_used_as_it_comes(monkeypatch, release):
    """Python-Markdown 3.5 and 3.6 had no abbr.AbbrBlockprocessor, and making a converter crashed: on a
    release it was not checked against, none of the accelerator's parts is put in, and pages convert
    as Python-Markdown converts them."""
    monkeypatch.setattr(markdown, "__version_info__", release)
    converter, _ = _new_converter()
    assert type(converter.parser.blockprocessors) is markdown.util.Registry
    assert "parseBlocks" not in vars(converter.parser)
    assert "smallsite_page_switches" not in converter.preprocessors
    assert converter.serializer is markdown.serializers.to_html_string
    converter.treeprocessors.deregister("smallsite_links")
    whole = python_markdown()
    for text in documents(200, seed=7):
        converter.reset(), whole.reset()
        assert (converter.convert(text), converter.toc) == (whole.convert(text), whole.toc)


def test_the_releases_the_accelerator_knows():
    assert accelerates((3, 8, 1, "final", 0)) and accelerates((3, 11, 3, "final", 0))
    assert not accelerates((3, 7, 0, "final", 0)) and not accelerates((3, 12, 0, "final", 0))
