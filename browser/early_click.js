/* The widget before Python is up (a few seconds on a cold load): the button already works.
 * A click is remembered here and the browser shell (browser/widget.py) runs it once ready; the theme
 * param is applied before the first paint. Everything else is the browser shell's. (A file, not inline: the page's CSP forbids inline.)
 */
(function () {
  "use strict";
  var root = document.documentElement;
  var params = location.search + "&" + location.hash.slice(1);
  var theme = /(?:^|[?&])theme=(light|dark)(?:&|$)/.exec(params);
  if (theme) root.setAttribute("data-theme", theme[1]);
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest || !target.closest("#chatdump-download")) return;
    if (root.getAttribute("data-chatdump-state") !== "loading") return;
    root.setAttribute("data-chatdump-pending", "download");
    var status = document.getElementById("chatdump-status");
    if (status) status.textContent = "Starting…";
  });
})();
