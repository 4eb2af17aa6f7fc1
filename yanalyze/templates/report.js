(function () {
  "use strict";
  var table = document.getElementById("layer-table");
  var tbody = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function sortBy(col) {
    var th = headers[col];
    var numeric = th.getAttribute("data-type") === "num";
    var asc = th.getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
      if (numeric) { x = parseFloat(x); y = parseFloat(y); }
      var order = x < y ? -1 : x > y ? 1 : 0;
      return (asc ? order : -order) || (+a.getAttribute("data-index") - +b.getAttribute("data-index"));
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
  }
  Array.prototype.forEach.call(headers, function (th, col) {
    th.addEventListener("click", function () { sortBy(col); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(col); });
  });
  var filter = document.getElementById("module-filter");
  var count = document.getElementById("row-count");
  filter.addEventListener("input", function () {
    var q = filter.value.trim().toLowerCase(), shown = 0;
    Array.prototype.forEach.call(tbody.rows, function (r) {
      var hit = !q || r.getAttribute("data-module").toLowerCase().indexOf(q) >= 0;
      r.hidden = !hit;
      if (hit) shown++;
    });
    count.textContent = shown + " of " + tbody.rows.length + " layers";
  });
  function select(id) {
    document.querySelectorAll(".selected").forEach(function (el) { el.classList.remove("selected"); });
    var row = document.getElementById("row-" + id), node = document.getElementById(id);
    if (node) node.classList.add("selected");
    if (row) { row.classList.add("selected"); row.scrollIntoView({ block: "center" }); }
  }
  var sizeButton = document.getElementById("graph-size"), box = document.getElementById("graph-box");
  if (sizeButton && box) {
    sizeButton.addEventListener("click", function () {
      var fit = box.classList.toggle("fit");
      sizeButton.textContent = fit ? "Actual size" : "Fit to window";
      sizeButton.setAttribute("aria-pressed", fit ? "true" : "false");
    });
  }
  document.querySelectorAll(".graph g.node").forEach(function (node) {
    node.addEventListener("click", function () { select(node.id); });
  });
})();
