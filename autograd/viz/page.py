"""The player page's style and script: pan, zoom, fit, keys, and frames applied to one SVG.

The script reads the frames from a JSON block next to it: ``e`` lists the SVG element ids a frame
may change, and frame ``k``'s ``d`` holds [element, status code, texts] for the elements that
differ from frame k − 1 (frame 0 lists them all); with grad_colors, ``k`` holds [element, fill] the
same way. No network, no libraries.
"""

from __future__ import annotations

STYLE = """
#__UID__ {font-family: Helvetica, Arial, sans-serif; outline: none; max-width: 100%; color: #111827}
#__UID__ .gg-bar {display: none; gap: 6px; align-items: center; margin: 4px 0; flex-wrap: wrap;
  position: sticky; top: 0; background: #fff; z-index: 2; padding: 2px 0}
#__UID__.gg-live .gg-bar {display: flex}
#__UID__.gg-live .gg-static {display: none}
#__UID__ .gg-bar button {font-size: 13px; padding: 2px 8px}
#__UID__ .gg-caption {font-size: 14px; margin: 4px 0; min-height: 2.8em; white-space: pre-line; line-height: 1.35}
#__UID__ .gg-main {display: flex; gap: 8px; align-items: stretch; flex-wrap: wrap}
#__UID__ .gg-view {flex: 1 1 480px; min-width: 300px; border: 1px solid #e5e7eb; overflow: hidden}
#__UID__.gg-live .gg-view {height: min(72vh, 640px); cursor: grab; touch-action: none}
#__UID__ .gg-view svg {display: block; width: 100%; height: auto}
#__UID__.gg-live .gg-view svg {height: 100%}
#__UID__ .gg-panel {display: none; flex: 0 1 300px; min-width: 220px; font-size: 12px; border: 1px solid #e5e7eb;
  padding: 6px; overflow: auto; white-space: pre; font-family: Menlo, Consolas, monospace}
#__UID__.gg-live .gg-panel {display: block; height: min(72vh, 640px); box-sizing: border-box}
#__UID__ .gg-static {font-size: 13px; color: #4b5563; margin: 4px 0}
#__UID__ .gg-pending {opacity: 0.3}
#__UID__ .edge.gg-pending {opacity: 0.2}
#__UID__ .gg-hidden {visibility: hidden}
#__UID__ .gg-current {filter: drop-shadow(0 0 5px #f59e0b)}
#__UID__ .node.gg-current ellipse {fill: #facc15; stroke-width: 3}
#__UID__ .edge.gg-active path {stroke-width: 3}
"""

# show(k) applies frame diffs to reach k; view() sets the viewBox from a centre and a scale (px per unit).
SCRIPT = """(function () {
var r = document.getElementById("__UID__"), D = JSON.parse(document.getElementById("__UID__-data").textContent);
var box = r.querySelector(".gg-view"), svg = box.querySelector("svg"), s = r.querySelector(".gg-slider");
var cap = r.querySelector(".gg-caption"), cnt = r.querySelector(".gg-count"), play = r.querySelector(".gg-play");
var panel = r.querySelector(".gg-panel"), n = D.f.length, cur = -1, timer = null;
var CODES = {p: "gg-pending", c: "gg-current", d: "gg-done", h: "gg-hidden", a: "gg-active", x: "gg-anomaly"};
var els = D.e.map(function (id) { return document.getElementById(id); });
var txt = els.map(function (e) { return e ? e.querySelectorAll("text") : []; });
r.classList.add("gg-live");
var vb = svg.viewBox.baseVal, base = {x: vb.x, y: vb.y, w: vb.width, h: vb.height};
var view = {cx: base.x + base.w / 2, cy: base.y + base.h / 2, s: 1};
function setView() { var W = box.clientWidth || 800, H = box.clientHeight || 500;
  svg.setAttribute("viewBox", [view.cx - W / 2 / view.s, view.cy - H / 2 / view.s, W / view.s, H / view.s].join(" ")); }
function fitScale() { return 0.96 * Math.min((box.clientWidth || 800) / base.w, (box.clientHeight || 500) / base.h); }
function fit() { view.s = fitScale(); view.cx = base.x + base.w / 2; view.cy = base.y + base.h / 2; setView(); }
function zoom(f, px, py) { var W = box.clientWidth, H = box.clientHeight; px = px === undefined ? W / 2 : px;
  py = py === undefined ? H / 2 : py; var ux = view.cx + (px - W / 2) / view.s, uy = view.cy + (py - H / 2) / view.s;
  view.s = Math.max(0.05, Math.min(20, view.s * f)); view.cx = ux - (px - W / 2) / view.s;
  view.cy = uy - (py - H / 2) / view.s; setView(); }
function minFont() { var m = 99; svg.querySelectorAll("text").forEach(function (t) {
  var f = parseFloat(t.getAttribute("font-size")); if (f && f < m) m = f; }); return m; }
function follow(id, center) { var e = id && document.getElementById(id); if (!e) return;
  var b = e.getBoundingClientRect(), v = box.getBoundingClientRect(), m = 30;
  var out = b.left < v.left + m || b.right > v.right - m || b.top < v.top + m || b.bottom > v.bottom - m;
  if (!out && !center) return; view.cx += (b.left + b.width / 2 - v.left - v.width / 2) / view.s;
  view.cy += (b.top + b.height / 2 - v.top - v.height / 2) / view.s; setView(); }
function apply(k) { D.f[k].d.forEach(function (d) { var e = els[d[0]]; if (!e) return;
  for (var c in CODES) e.classList.remove(CODES[c]); for (var j = 0; j < d[1].length; j++) e.classList.add(CODES[d[1][j]]);
  if (d[2]) { var t = txt[d[0]]; d[2].forEach(function (x, i) { if (t[i]) t[i].textContent = x; }); } });
  (D.f[k].k || []).forEach(function (d) { var e = els[d[0]], p = e && e.querySelector("polygon:not([fill=none])");
  if (p) p.setAttribute("fill", d[1]); }); }
function show(k) { k = Math.max(0, Math.min(n - 1, k)); if (k === cur) return;
  if (k < cur || cur < 0) { for (var j = 0; j <= k; j++) apply(j); } else { for (var j = cur + 1; j <= k; j++) apply(j); }
  cur = k; var F = D.f[k]; s.value = k; cap.textContent = F.c; cnt.textContent = (k + 1) + "/" + n;
  r.dataset.frame = k; r.dataset.node = F.n || ""; panel.textContent = F.p || "";
  if (F.n) follow(D.u + "_" + F.n, false); }
function stop() { clearInterval(timer); timer = null; play.textContent = "\\u25b6 play"; }
function toggle() { if (timer) { stop(); return; } play.textContent = "\\u275a\\u275a pause"; if (cur === n - 1) show(0);
  timer = setInterval(function () { if (cur >= n - 1) stop(); else show(cur + 1); }, D.t); }
function btn(sel, f) { r.querySelector(sel).onclick = function () { f(); r.focus({preventScroll: true}); }; }
btn(".gg-prev", function () { stop(); show(cur - 1); }); btn(".gg-next", function () { stop(); show(cur + 1); });
btn(".gg-play", toggle); btn(".gg-fit", fit); btn(".gg-zin", function () { zoom(1.25); });
btn(".gg-zout", function () { zoom(0.8); });
s.oninput = function () { stop(); show(+s.value); };
function key(e) { if (e.target === s && e.key !== " ") return; var k = e.key;
  if (k === "ArrowRight" || k === "ArrowLeft") { stop(); show(cur + (k === "ArrowRight" ? 1 : -1)); }
  else if (k === "Home" || k === "End") { stop(); show(k === "Home" ? 0 : n - 1); }
  else if (k === " " || k === "Spacebar") toggle(); else if (k === "+" || k === "=") zoom(1.25);
  else if (k === "-" || k === "_") zoom(0.8); else if (k === "f" || k === "0") fit(); else return;
  e.preventDefault(); e.stopPropagation(); }
(D.page ? document : r).addEventListener("keydown", key);
box.addEventListener("wheel", function (e) { e.preventDefault(); var b = box.getBoundingClientRect();
  zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - b.left, e.clientY - b.top); }, {passive: false});
var drag = null;
box.addEventListener("pointerdown", function (e) { drag = {x: e.clientX, y: e.clientY}; box.setPointerCapture(e.pointerId); });
box.addEventListener("pointermove", function (e) { if (!drag) return; view.cx -= (e.clientX - drag.x) / view.s;
  view.cy -= (e.clientY - drag.y) / view.s; drag = {x: e.clientX, y: e.clientY}; setView(); });
box.addEventListener("pointerup", function () { drag = null; });
fit(); var readable = 10.5 / minFont();
if (view.s < readable) { view.s = readable; view.cy = base.y + Math.min(base.h, box.clientHeight / readable) / 2;
  setView(); }
show(0); if (view.s > fitScale() && D.f[0].n) follow(D.u + "_" + D.f[0].n, true);
})();"""

__all__ = ["STYLE", "SCRIPT"]
