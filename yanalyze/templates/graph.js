/* The graph viewer and the layer panel; included by report.js, inside its scope. */
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
