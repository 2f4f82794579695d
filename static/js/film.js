// A film's poster becomes the player only when the reader presses play: until then the page asks
// nothing of another website (issue 3). The link's address is the privacy-enhanced player.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.film__play");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    var frame = link.closest("[data-film-frame]");
    var player = document.createElement("iframe");
    player.src = link.href;
    player.title = link.getAttribute("data-film-title");
    player.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    player.referrerPolicy = "strict-origin-when-cross-origin";
    player.className = "film__player";
    frame.replaceChildren(player);
    frame.classList.add("is-playing");
    player.focus();
  });
})();
