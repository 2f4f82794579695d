// The reader's language: remember an explicit choice, and on the root page send a first-time
// reader to the language their browser asks for. Nothing leaves the browser.
(function () {
  "use strict";
  var KEY = "smallsite-language";

  function remember(code) {
    try { localStorage.setItem(KEY, code); } catch (e) { /* storage off: nothing to remember */ }
  }

  function remembered() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-lang-choice]");
    if (link) remember(link.getAttribute("data-lang-choice"));
  });

  var script = document.currentScript;
  if (!script || !script.hasAttribute("data-choose")) return;

  // "en=en ko=ko zh=zh-Hans": code=BCP 47 tag, in site.toml's order.
  var languages = script.getAttribute("data-languages").split(" ").map(function (pair) {
    var parts = pair.split("=");
    return { code: parts[0], tag: parts[1].toLowerCase() };
  });
  var base = script.getAttribute("data-base");

  function known(code) {
    return languages.some(function (language) { return language.code === code; });
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
  location.replace(base + (choice || script.getAttribute("data-default")) + "/");
})();
