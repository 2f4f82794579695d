// The reader's language. A language picked on the chooser or in the switcher is remembered in a cookie
// that the host reads too (nf_lang: Netlify's name, which the nginx configuration reads as well), so the
// root can answer in that language before any page loads. Nothing leaves the site.
// On the root chooser, for hosts that choose nothing, this script chooses as they would: the reader's
// pick, else the first language their browser asks for that the site has, else the chooser stays.
// On the site-wide 404 page (GitHub Pages shows it for every missing address) it sends a reader who
// was in a language's folder to that language's 404 page.
(function () {
  "use strict";
  var COOKIE = "nf_lang";
  var YEAR = 365 * 24 * 60 * 60;
  var script = document.currentScript;
  var base = (script && script.getAttribute("data-base")) || "/";

  function remember(code) {
    document.cookie = COOKIE + "=" + encodeURIComponent(code) + "; path=" + base + "; max-age=" + YEAR +
      "; samesite=lax" + (location.protocol === "https:" ? "; secure" : "");
  }

  function remembered() {
    var found = document.cookie.match(new RegExp("(?:^|;\\s*)" + COOKIE + "=([^;]*)"));
    try { return found ? decodeURIComponent(found[1]) : null; } catch (e) { return null; }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang-choice]");
    if (link) remember(link.getAttribute("data-lang-choice"));
  });

  if (!script || !script.hasAttribute("data-languages")) return;

  // "en=en ko=ko zh=zh-Hans": code=BCP 47 tag, in site.toml's order.
  var languages = script.getAttribute("data-languages").split(" ").map(function (pair) {
    var parts = pair.split("=");
    return { code: parts[0], tag: parts[1].toLowerCase() };
  });

  function known(code) {
    return languages.some(function (language) { return language.code === code; });
  }

  if (script.hasAttribute("data-not-found")) {
    var path = location.pathname;
    if (path.indexOf(base) !== 0) return;
    var folder = path.slice(base.length).split("/")[0];
    var page = base + folder + "/404.html";
    if (known(folder) && path !== page) location.replace(page);
    return;
  }

  // Exact tag first (zh-Hans), then the primary subtag (ko-KR -> ko, zh-CN -> zh).
  function match(wanted) {
    wanted = wanted.toLowerCase();
    var exact = languages.filter(function (l) { return l.tag === wanted || l.code === wanted; })[0];
    if (exact) return exact.code;
    var primary = wanted.split("-")[0];
    var loose = languages.filter(function (l) { return l.tag.split("-")[0] === primary; })[0];
    return loose ? loose.code : null;
  }

  var choice = remembered();
  if (!choice || !known(choice)) {
    choice = null;
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
    for (var i = 0; i < wanted.length && !choice; i++) choice = match(wanted[i]);
  }
  if (choice) location.replace(base + choice + "/");
})();
