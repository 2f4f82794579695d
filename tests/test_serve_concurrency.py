"""Pages requested while serve rebuilds: every answer whole and right, and in the end what `build` writes.

After a save the server's thread renders pages on request while the builder's thread renders the rest of
the same site, from the same memos (rendering_lock.py). In serve's process here, every call into a
rendering first pauses, as a thread switch may at any bytecode, and refuses to run beside another
thread's: without the lock, the pages requested during a rebuild come back as errors."""

from __future__ import annotations

import http.client
import threading
import time

from conftest import PROJECT, SiteMaker, all_languages, page
from serving import ServeProcess, assert_serves_as_built
from smallsite.build.pipeline import BuildOptions, build
from smallsite.speed.memo import DiskMemo
from smallsite.model.config import load_config
from smallsite.serve.rendering_lock import RenderingLock

STORIES = 12
TEMPLATE = "templates/story.html"

ONE_THREAD_AT_A_TIME = f"""
import functools, sys, threading, time
sys.path.insert(0, {str(PROJECT)!r})
from smallsite.build.pipeline import SiteRendering
import smallsite.speed.preview_memo as preview_memo

inside = {{}}  # thread -> calls under way; for every rendering at once, since they share caches and cards
noted = threading.Lock()

def alone(function):
    @functools.wraps(function)
    def call(*args, **kwargs):
        me = threading.get_ident()
        with noted:
            others = [thread for thread, depth in inside.items() if depth and thread != me]
            inside[me] = inside.get(me, 0) + 1
        try:
            if others:
                raise RuntimeError(f"{{function.__name__}} ran while another thread was in a rendering")
            time.sleep(0.002)
            return function(*args, **kwargs)
        finally:
            with noted:
                inside[me] -= 1
    return call

for name in ("document", "rendered", "cards", "links", "site_files", "media_so_far", "feed", "render_all",
             "result"):
    setattr(SiteRendering, name, alone(getattr(SiteRendering, name)))
preview_memo.next_cache = alone(preview_memo.next_cache)
"""


def story(number: int, text: str = "First text") -> str:
    """A story that links to the next one (its body then depends on that page's address), with a picture."""
    return page(f"Story {number}", f"{text} of story {number}. Next: [story {number + 1}](s{number + 1}.en.md).\n\n"
                f"![Picture {number % 4}](p{number % 4}.svg)\n\n"
                f"## Part one\n\n{'Words. ' * 40}\n\n## Part two\n\n{'More words. ' * 40}",
                date=f"2020-01-{number + 1:02d}")


def picture(number: int) -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{number + 1}" height="3"></svg>'.encode()


def concurrent_site(maker: SiteMaker):
    stories = {f"content/stories/s{number}.en.md": story(number) for number in range(STORIES)}
    stories[f"content/stories/s{STORIES}.en.md"] = page("Last", "The end.", date="2020-02-01")
    stories.update({f"content/stories/p{number}.svg": picture(number) for number in range(4)})
    stories.update({f"content/stories/s{number}.ko.md": page(f"이야기 {number}", "글.",
                                                               date=f"2020-01-{number + 1:02d}")
                    for number in range(0, STORIES, 3)})
    return maker.make({**all_languages("index", "Home"), **all_languages("about", "About"), **stories})


def built_files(root) -> dict[str, bytes]:
    """What `build` makes of the sources as they are now (as serve builds: with editors' notices)."""
    return build(load_config(root), BuildOptions(preview=True), DiskMemo(root, workers=1, preview=True, keep=False)).files


def whole_page(body: bytes) -> bool:
    """A whole HTML document, the preview's script added once before its end."""
    return body.startswith(b"<!doctype html>") and body.rstrip().endswith(b"</html>") \
        and body.count(b"</body>") == 1 and body.count(b"LiveReloadConnect") == 1


class Requester(threading.Thread):
    """A browser asking for every page and picture in turn, again and again, noting any answer that is not
    a whole page or the picture's bytes."""

    def __init__(self, port: int, paths: list[str], pictures: dict[str, bytes], offset: int):
        super().__init__(daemon=True)
        self.port, self.paths, self.pictures, self.offset = port, [*paths, *pictures], pictures, offset
        self.stop = threading.Event()
        self.answers = 0
        self.wrong: list[str] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        index = self.offset
        while not self.stop.is_set():
            path = self.paths[index % len(self.paths)]
            index += 1
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.wrong.append(f"{path}: {exc!r}")
                connection.close()
                continue
            self.answers += 1
            if response.status != 200 or not (body == self.pictures[path] if path in self.pictures
                                               else whole_page(body)):
                self.wrong.append(f"{path}: {response.status} {body[-300:]!r}")
        connection.close()


def test_pages_requested_while_saves_rebuild_are_whole_and_end_as_build_writes(site):
    concurrent_site(site)
    expected = built_files(site.root)
    moved = "/stories/s4/"  # its slug changes below
    paths = ["/" + name.removesuffix("index.html") for name in expected if name.endswith(".html")
             and name != "404.html" and moved not in name]
    pictures = {"/" + name: data for name, data in expected.items() if name.startswith("media/") and not name.startswith("media/cards/")}
    assert len(pictures) == 4
    server = ServeProcess(site.root, prelude=ONE_THREAD_AT_A_TIME)
    try:
        check_while_saving(server, site, paths, pictures)
    finally:
        stopped = server.stop()
    assert stopped == 0, server.output


def check_while_saving(server: ServeProcess, site: SiteMaker, paths: list[str], pictures: dict[str, bytes]):
    """Two browsers ask for every page while saves rebuild the site; then each page is what build writes."""
    requesters = [Requester(server.port, paths, pictures, offset) for offset in (0, len(paths) // 2)]
    try:
        for requester in requesters:
            requester.start()
        # One story's text; then three at once; then one whose address others link to; each while the
        # last save's pages are still being rendered, on request and in the background.
        site.write("content/stories/s1.en.md", story(1, "Second text"))
        server.wait_for_page("/en/stories/s1/", "Second text")
        for number in (2, 5, 8):
            site.write(f"content/stories/s{number}.en.md", story(number, "Third text"))
        server.wait_for_page("/en/stories/s8/", "Third text")
        site.write("content/stories/s4.en.md", story(4, "Fourth text").replace("title: Story 4",
                                                                               "title: Story 4\nslug: four"))
        server.wait_for_page("/en/stories/four/", "Fourth text")
        time.sleep(0.5)  # into the background build of that save
        path = site.root / TEMPLATE
        path.write_text(path.read_text(encoding="utf-8").replace("</article>", "<p>Thanks.</p></article>", 1),
                        encoding="utf-8")
        server.wait_for_output(rf"built \d+ pages in .* after {TEMPLATE}", timeout=30)
    finally:
        for requester in requesters:
            requester.stop.set()
        for requester in requesters:
            requester.join(30)
    wrong = [line for requester in requesters for line in requester.wrong]
    assert not wrong, "\n".join(wrong[:10]) + "\n" + server.output
    assert all(requester.answers > len(paths) for requester in requesters)  # each asked for every page
    assert "Traceback" not in server.output and "crashed" not in server.output, server.output
    expected = built_files(site.root)
    assert b"Thanks." in expected["en/stories/s0/index.html"]
    assert_serves_as_built(server, expected)


def test_a_request_waiting_for_the_lock_goes_before_the_builders_next_page():
    """Python's own locks would let the builder take it again at once, page after page of a whole build."""
    lock = RenderingLock()
    order = []

    def request() -> None:
        with lock.for_request():
            order.append("request")

    asking = threading.Thread(target=request)
    with lock.for_builder():
        asking.start()
        deadline = time.monotonic() + 10
        while not lock._asking and time.monotonic() < deadline:  # until the request waits for the lock
            time.sleep(0.001)
        order.append("page 1")
    with lock.for_builder():
        order.append("page 2")
    asking.join(10)
    assert order == ["page 1", "request", "page 2"]
