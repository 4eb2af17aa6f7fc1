/* The sweep page: a click on a dot or a front row shows that point in the panel (as text only). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sweep-data").textContent);
  var cfg = JSON.parse(document.getElementById("sweep-cfg").textContent);
  var panel = document.getElementById("point-panel");
  var count = function (x) { return Math.round(x).toLocaleString("en-US"); };
  var bytes = function (x) {
    var units = [[1e12, "TB"], [1e9, "GB"], [1e6, "MB"], [1e3, "kB"]];
    for (var i = 0; i < units.length; i++) if (x >= units[i][0]) return +(x / units[i][0]).toPrecision(3) + " " + units[i][1];
    return x + " B";
  };
  function quote(text) { return /^[\w@%+=:,./-]+$/.test(text) ? text : "'" + text.replace(/'/g, "'\\''") + "'"; }
  function show(k) {
    var p = data[k];
    if (!p) return;
    var rows = [["depth_multiple", String(p[0])], ["width_multiple", String(p[1])],
                ["image size", p[2] === p[3] ? String(p[2]) : p[2] + " x " + p[3]], ["params", count(p[4])],
                ["GFLOPs", p[5].toFixed(2)], ["GFLOPs fused", p[6].toFixed(2)], ["memory", bytes(p[7])],
                ["peak activation", bytes(p[8])], ["Pareto front", p[9] ? "yes" : "no"]];
    if (p.length > 10) rows.splice(8, 0, ["latency", p[10].toFixed(2) + " ms"]);
    var dl = panel.querySelector("dl");
    dl.textContent = "";
    rows.forEach(function (r) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = r[0]; dd.textContent = r[1];
      dl.appendChild(dt); dl.appendChild(dd);
    });
    panel.querySelector(".yaml").textContent = "depth_multiple: " + p[0] + "\nwidth_multiple: " + p[1];
    panel.querySelector(".cmd").textContent = "yanalyze " + quote(cfg) + " --imgsz " + p[2] + "," + p[3] + " --html report.html";
    Array.prototype.forEach.call(panel.querySelectorAll("[hidden]"), function (e) { e.hidden = false; });
    panel.querySelector(".empty").hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll(".chosen"), function (e) { e.classList.remove("chosen"); });
    Array.prototype.forEach.call(document.querySelectorAll('[data-k="' + k + '"]'), function (e) { e.classList.add("chosen"); });
  }
  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-k]") : null;
    if (!t) return;
    show(+t.getAttribute("data-k"));
    if (t.tagName === "TR") panel.scrollIntoView({ block: "nearest" });
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.matches && ev.target.matches("tr[data-k]")) {
      ev.preventDefault();
      show(+ev.target.getAttribute("data-k"));
      panel.scrollIntoView({ block: "nearest" });
    }
  });
})();
