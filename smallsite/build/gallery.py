"""A gallery (issue 16): a paragraph of nothing but two or more pictures is laid out as a list of figures,
each picture's Markdown title its caption.

    ![A puck on the court](puck.jpg "The first puck, bought in Nairobi")
    ![The team in 2018](team.jpg "The team, the year it began")

becomes `<ul class="gallery" role="list"><li><figure>{picture}<figcaption>{title}</figcaption></figure></li>...`.
No new Markdown syntax: the alt text and the caption live in each language's own Markdown, so each
language has its own. static/css/site.css lays the list out as a grid; nothing needs a script."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from markdown.treeprocessors import Treeprocessor

# What one picture of a gallery is shown at (static/css/site.css, .gallery): the text's column (40rem)
# in three columns once the screen is 44rem wide, two columns from 24rem, else the screen's width.
GALLERY_SIZES = "(min-width: 44rem) 13rem, (min-width: 24rem) 50vw, 100vw"


class GalleryMaker(Treeprocessor):
    """Turns each paragraph of only pictures into a gallery. Runs after the links are resolved (a photo is
    a <picture> by then) and before the toc and attr_list, which never look inside a gallery's figures."""

    def run(self, root: Element) -> None:
        for paragraph in list(root.iter("p")):
            if _only_pictures(paragraph):
                _as_gallery(paragraph)


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _only_pictures(paragraph: Element) -> bool:
    """Two or more images (or pictures made of them), and nothing but white space between them (line
    breaks too: a line that ends in two spaces is one): a picture in a sentence, or one picture alone,
    stays as it was written."""
    children = list(paragraph)
    return (len([child for child in children if child.tag != "br"]) >= 2 and _blank(paragraph.text)
            and all(child.tag in ("img", "picture", "br") and _blank(child.tail) for child in children))


def _as_gallery(paragraph: Element) -> None:
    """The paragraph, in place (so its place among its siblings and its tail stay), as the gallery's list."""
    pictures = [child for child in paragraph if child.tag != "br"]
    tail = paragraph.tail
    paragraph.clear()
    # role="list": Safari (VoiceOver) no longer announces a list it draws without bullets.
    paragraph.tag, paragraph.tail = "ul", tail
    paragraph.set("class", "gallery")
    paragraph.set("role", "list")
    for picture in pictures:
        picture.tail = None
        figure = SubElement(SubElement(paragraph, "li"), "figure")
        figure.append(picture)
        image = picture if picture.tag == "img" else picture.find("img")
        caption = image.attrib.pop("title", None) if image is not None else None
        for sized in (picture, *picture):
            if sized.get("sizes"):  # a photo's renditions: the browser picks one for a column's width
                sized.set("sizes", GALLERY_SIZES)
        if caption and caption.strip():
            SubElement(figure, "figcaption").text = caption.strip()
