/* Data tables: sort, filter, sums of the shown rows; included by report.js, inside its scope. */
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
    ms: function (x) { return x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : x >= 1 ? 2 : 3); },
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
