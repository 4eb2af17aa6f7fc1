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

  var dataEl = document.getElementById("layer-data");
  var layers = dataEl ? JSON.parse(dataEl.textContent) : {};

  /* ---------- selection: a node in its graph box and its table row ---------- */
  function centerIn(box, target) {
    if (!box) return;
    var b = box.getBoundingClientRect(), t = target.getBoundingClientRect();
    box.scrollLeft += t.left + t.width / 2 - (b.left + box.clientWidth / 2);
    box.scrollTop += t.top + t.height / 2 - (b.top + box.clientHeight / 2);
  }

  function select(id, scrollGraph) {
    each(document.querySelectorAll(".selected"), function (e) { e.classList.remove("selected"); });
    var node = document.getElementById(id), row = document.getElementById("row-" + id);
    if (node) {
      node.classList.add("selected");
      if (scrollGraph) centerIn(node.closest("div.graph"), node);
    }
    if (row) row.classList.add("selected");
  }

  /* ---------- the layer panel: fixed beside the page, Esc or the close button shuts it ---------- */
  var panel = null, opener = null;

  function buildPanel() {
    panel = el("div", "layer-panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "layer-panel-title");
    panel.hidden = true;
    var head = el("div", "panel-head"), title = el("h2");
    title.id = "layer-panel-title";
    var close = el("button", "close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Close layer details");
    close.addEventListener("click", closePanel);
    head.appendChild(title);
    head.appendChild(close);
    panel.appendChild(head);
    panel.appendChild(el("div", "panel-body"));
    document.body.appendChild(panel);
  }

  function partsTable(parts) {
    var t = el("table", "parts"), hr = t.createTHead().insertRow(), body = t.createTBody();
    ["step", "detail", "repeats", "params", "GFLOPs", "mem"].forEach(function (h) {
      var th = el("th", "", h);
      th.scope = "col";
      hr.appendChild(th);
    });
    parts.forEach(function (p) {
      var tr = body.insertRow();
      [p.name, p.detail, p.count, p.params, p.gflops, p.mem].forEach(function (v) { tr.insertCell().textContent = v; });
    });
    return t;
  }

  function findRow(id) {
    var row = document.getElementById("row-" + id);
    if (!row) return;
    var table = row.closest("table");
    if (row.classList.contains("filtered-out") && table && table.clearFilter) table.clearFilter();
    select(id, false);
    row.scrollIntoView({ block: "center" });
  }

  function openPanel(id, from) {
    var info = layers[id];
    if (!info) return;
    if (!panel) buildPanel();
    panel.querySelector("h2").textContent = "Layer " + info.title;
    var body = panel.querySelector(".panel-body");
    body.textContent = "";
    var dl = el("dl");
    info.row.forEach(function (pair) { dl.appendChild(el("dt", "", pair[0])); dl.appendChild(el("dd", "", pair[1])); });
    body.appendChild(dl);
    if (info.parts.length) {
      body.appendChild(el("h3", "", "Block internals"));
      body.appendChild(partsTable(info.parts));
    }
    if (document.getElementById("row-" + id)) {
      var find = el("button", "find-row", "Find in table");
      find.type = "button";
      find.addEventListener("click", function () { findRow(id); });
      body.appendChild(find);
    }
    opener = from || null;
    panel.hidden = false;
    panel.querySelector(".close").focus({ preventScroll: true });
  }

  function closePanel() {
    if (!panel || panel.hidden) return;
    panel.hidden = true;
    if (opener && document.contains(opener)) opener.focus({ preventScroll: true });
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && panel && !panel.hidden) { e.preventDefault(); closePanel(); }
  });

  /* ---------- graph viewer: the box scrolls (pan), the SVG is resized (zoom) ---------- */
  function viewer(root) {
    var box = root.querySelector("div.graph"), svg = box && box.querySelector("svg");
    if (!svg || !svg.viewBox.baseVal) return;
    var level = root.querySelector(".zoom-level");
    var w = svg.viewBox.baseVal.width * 4 / 3, h = svg.viewBox.baseVal.height * 4 / 3;  // pt -> px
    var scale = 1, MIN = 0.1, MAX = 8;

    function fitWidth() { return (box.clientWidth - 2) / w; }
    function fitAll() { return Math.min(fitWidth(), (box.clientHeight - 2) / h); }

    // Zoom around a point on screen (the pointer, else the box centre): it stays under the pointer.
    function zoom(s, cx, cy) {
      s = Math.min(MAX, Math.max(MIN, s));
      var b = box.getBoundingClientRect(), r = svg.getBoundingClientRect();
      if (cx === undefined) { cx = b.left + box.clientWidth / 2; cy = b.top + box.clientHeight / 2; }
      var fx = (cx - r.left) / r.width, fy = (cy - r.top) / r.height;
      scale = s;
      svg.setAttribute("width", (w * s).toFixed(1));
      svg.setAttribute("height", (h * s).toFixed(1));
      var n = svg.getBoundingClientRect();
      box.scrollLeft += n.left + fx * n.width - cx;
      box.scrollTop += n.top + fy * n.height - cy;
      if (level) level.textContent = Math.round(s * 100) + "%";
      root.setAttribute("data-scale", s.toFixed(4));
    }

    var actions = {
      "in": function () { zoom(scale * 1.25); },
      "out": function () { zoom(scale / 1.25); },
      "width": function () { zoom(fitWidth()); },
      "all": function () { zoom(fitAll()); box.scrollTop = 0; box.scrollLeft = 0; },
      "actual": function () { zoom(1); }
    };
    each(root.querySelectorAll("[data-zoom]"), function (b) {
      b.addEventListener("click", function () { actions[b.getAttribute("data-zoom")](); });
    });

    // Ctrl/Cmd + wheel (and a trackpad pinch, which arrives as one) zooms; a plain wheel scrolls the box.
    box.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      zoom(scale * Math.pow(1.0015, -e.deltaY), e.clientX, e.clientY);
    }, { passive: false });

    // Two fingers pinch-zoom the graph around their midpoint; one finger scrolls the box natively.
    var pinch = null;
    function spread(t) { return Math.hypot(t[0].clientX - t[1].clientX, t[0].clientY - t[1].clientY) || 1; }
    box.addEventListener("touchstart", function (e) {
      if (e.touches.length === 2) pinch = { d: spread(e.touches), s: scale };
    }, { passive: true });
    box.addEventListener("touchmove", function (e) {
      if (!pinch || e.touches.length !== 2) return;
      e.preventDefault();
      var t = e.touches;
      zoom(pinch.s * spread(t) / pinch.d, (t[0].clientX + t[1].clientX) / 2, (t[0].clientY + t[1].clientY) / 2);
    }, { passive: false });
    box.addEventListener("touchend", function (e) { if (e.touches.length < 2) pinch = null; });

    var drag = null, dragged = false;
    box.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.pointerType === "touch") return;  // touch scrolls the box natively
      drag = { x: e.clientX, y: e.clientY, left: box.scrollLeft, top: box.scrollTop, id: e.pointerId };
      dragged = false;
    });
    box.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!dragged) { dragged = true; box.setPointerCapture(drag.id); box.classList.add("dragging"); }
      box.scrollLeft = drag.left - dx;
      box.scrollTop = drag.top - dy;
    });
    function endDrag() { drag = null; box.classList.remove("dragging"); }
    box.addEventListener("pointerup", endDrag);
    box.addEventListener("pointercancel", endDrag);
    box.addEventListener("click", function (e) {  // the click that ends a drag selects nothing
      if (dragged) { e.stopPropagation(); dragged = false; }
    }, true);

    box.addEventListener("keydown", function (e) {
      var step = e.shiftKey ? 200 : 40;
      if (e.key === "ArrowLeft") box.scrollLeft -= step;
      else if (e.key === "ArrowRight") box.scrollLeft += step;
      else if (e.key === "ArrowUp") box.scrollTop -= step;
      else if (e.key === "ArrowDown") box.scrollTop += step;
      else if (e.key === "+" || e.key === "=") actions["in"]();
      else if (e.key === "-") actions.out();
      else if (e.key === "0") actions.actual();
      else return;
      e.preventDefault();
    });

    each(svg.querySelectorAll("g.node"), function (node) {
      var info = layers[node.id];
      if (!info) return;
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "button");
      node.setAttribute("aria-label", "Layer " + info.title + ": show details");
      var activate = function () { select(node.id, false); openPanel(node.id, node); };
      node.addEventListener("click", activate);
      node.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); activate(); }
      });
    });

    // Default: the graph's width fills the box (never past 125%), so labels stay readable
    // on tall graphs and the box scrolls vertically.
    zoom(Math.min(fitWidth(), 1.25));
    box.scrollTop = 0;
    box.scrollLeft = 0;
  }
  each(document.querySelectorAll(".graph-viewer"), viewer);

  /* ---------- data tables: sort, filter, sums of the shown rows ---------- */
  function num(text) {
    var m = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kKMGT]?)/.exec(String(text).replace(/,/g, "").trim());
    if (!m) return NaN;
    return parseFloat(m[1]) * ({ "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 })[m[2]];
  }
  function cellValue(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim() : v;
  }
  function scaled(x, units) {
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(x) >= units[i][0]) return +(x / units[i][0]).toPrecision(3) + " " + units[i][1];
    }
    return null;
  }
  var FORMATS = {
    count: function (x) { return Math.round(x).toLocaleString("en-US"); },
    gflops: function (x) { return x.toFixed(2); },
    si: function (x) { return scaled(x, [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]]) || String(x); },
    bytes: function (x) { return scaled(x, [[1e12, "TB"], [1e9, "GB"], [1e6, "MB"], [1e3, "kB"]]) || x + " B"; }
  };
  var COMPARE = {
    "<": function (x, y) { return x < y; }, "<=": function (x, y) { return x <= y; },
    ">": function (x, y) { return x > y; }, ">=": function (x, y) { return x >= y; },
    "=": function (x, y) { return x === y; }, "!=": function (x, y) { return x !== y; }
  };

  function dataTable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    var heads = table.tHead.rows[table.tHead.rows.length - 1].cells;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var noun = table.getAttribute("data-noun") || "rows";
    rows.forEach(function (r, i) { r.setAttribute("data-order", i); });
    var numeric = Array.prototype.map.call(heads, function (th, col) {
      var type = th.getAttribute("data-type");
      if (type) return type === "num";
      // untyped columns (the diff's, the budget's) are numeric when every value but a
      // placeholder ("=", "-", "n/a") reads as a number such as "+1,200 (+5%)" or "-9.83 MB"
      var values = rows.map(function (r) { return cellValue(r.cells[col]); }).filter(function (v) {
        return v && !/^([=\-–—]|n\/a)$/i.test(v);
      });
      return values.length > 0 && values.every(function (v) { return !isNaN(num(v)); });
    });

    function sortBy(col) {
      var th = heads[col], asc = th.getAttribute("aria-sort") !== "ascending";
      each(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var key = function (r) {
        var v = cellValue(r.cells[col]);
        if (!numeric[col]) return { empty: v === "", v: v };
        var x = num(v);
        return { empty: isNaN(x), zero: x === 0, v: x };
      };
      var keyed = rows.map(function (r) { return { r: r, k: key(r) }; });
      keyed.sort(function (a, b) {
        if (a.k.empty !== b.k.empty) return a.k.empty ? 1 : -1;  // empty cells last, either way
        if (!asc && a.k.zero !== b.k.zero) return a.k.zero ? 1 : -1;  // descending: zeros last
        var order = a.k.v < b.k.v ? -1 : a.k.v > b.k.v ? 1 : 0;
        return (asc ? order : -order) || (+a.r.getAttribute("data-order") - +b.r.getAttribute("data-order"));
      });
      var body = table.tBodies[0];
      keyed.forEach(function (x) { body.appendChild(x.r); });
    }
    each(heads, function (th, col) {
      var b = el("button", "sort");
      b.type = "button";
      while (th.firstChild) b.appendChild(th.firstChild);
      th.appendChild(b);
      th.addEventListener("click", function () { sortBy(col); });
    });

    // The filter bar: a column (or all of them) and a text or a comparison such as >1e6.
    var tools = el("div", "table-tools interactive");
    var colLabel = el("label", "", "Filter "), pick = el("select");
    pick.appendChild(new Option("all columns", "all"));
    each(heads, function (th, col) { pick.appendChild(new Option(th.textContent.trim(), String(col))); });
    colLabel.appendChild(pick);
    var input = el("input");
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = "text, or >1e6 on numbers";
    input.setAttribute("aria-label", "Filter text or comparison");
    var count = el("span", "row-count");
    count.setAttribute("aria-live", "polite");
    [colLabel, input, count].forEach(function (e) { tools.appendChild(e); });
    var anchor = table.closest(".table-wrap") || table;
    anchor.parentNode.insertBefore(tools, anchor);

    var sumCells = table.tFoot ? table.tFoot.querySelectorAll("td[data-sum]") : [];
    var shownRow = null;
    if (sumCells.length) {
      var total = sumCells[0].parentNode;
      shownRow = el("tr", "shown");
      each(total.cells, function (c, i) { shownRow.appendChild(el("td", "", i === 0 ? "shown" : "")); });
      shownRow.hidden = true;
      total.parentNode.appendChild(shownRow);
    }

    function matches(r, col, op, target, text) {
      var cols = col === "all" ? Array.prototype.map.call(heads, function (_, i) { return i; }) : [+col];
      return cols.some(function (c) {
        var cell = r.cells[c];
        if (!cell) return false;
        if (op && numeric[c]) { var x = num(cellValue(cell)); return !isNaN(x) && COMPARE[op](x, target); }
        if (op && col === "all") return false;
        return cell.textContent.toLowerCase().indexOf(text) >= 0;
      });
    }

    function apply() {
      var q = input.value.trim(), m = /^(<=|>=|!=|<|>|=)\s*(.+)$/.exec(q);
      var op = m && !isNaN(num(m[2])) ? m[1] : null, target = op ? num(m[2]) : NaN;
      var shown = rows.filter(function (r) {
        var hit = !q || matches(r, pick.value, op, target, q.toLowerCase());
        r.classList.toggle("filtered-out", !hit);
        return hit && !r.hidden;
      });
      count.textContent = shown.length + " of " + rows.length + " " + noun;
      if (shownRow) {
        shownRow.hidden = !q;
        each(sumCells, function (c) {
          var i = c.cellIndex, sum = 0;
          shown.forEach(function (r) { var x = num(cellValue(r.cells[i])); if (!isNaN(x)) sum += x; });
          shownRow.cells[i].textContent = FORMATS[c.getAttribute("data-sum")](sum);
        });
      }
    }
    input.addEventListener("input", apply);
    pick.addEventListener("change", apply);
    table.clearFilter = function () { input.value = ""; apply(); };
    apply();

    // A row with a node in a graph selects it there (scrolling the graph box, not the page);
    // its index becomes a button that also opens the layer panel (with or without a graph).
    rows.forEach(function (r) {
      var id = r.getAttribute("data-node");
      if (!id || !layers[id]) return;
      var inGraph = !!document.getElementById(id);
      if (inGraph) r.addEventListener("click", function (e) { if (!e.target.closest("button")) select(id, true); });
      var first = r.cells[0], b = el("button", "cell-link", first.textContent);
      b.type = "button";
      b.setAttribute("aria-label", "Layer " + layers[id].title + (inGraph ? ": show in the graph and open details" : ": open details"));
      b.addEventListener("click", function () { select(id, true); openPanel(id, b); });
      first.textContent = "";
      first.appendChild(b);
    });
  }
  each(document.querySelectorAll("table.data-table"), dataTable);

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
