/* Shared by every yanalyze page. Driven by markup, not by one page's ids: every .graph-viewer
   pans and zooms, every node listed in #layer-data opens the layer panel, every
   table.data-table sorts, filters and sums. Config text only ever reaches the page as
   textContent. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

{% include "graph.js" %}

{% include "tables.js" %}

  /* ---------- a box that scrolls on its own must take keyboard focus to scroll by keys ---------- */
  function focusableScrollers() {
    each(document.querySelectorAll(".table-wrap, .levels, pre.dot, .drawing"), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);

  /* ---------- print: open every <details> but the DOT source, then restore ---------- */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open]):not(.dot-source)"),
                                         function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
