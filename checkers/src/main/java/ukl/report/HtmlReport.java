package ukl.report;

import java.util.Map;

/**
 * The matrix as one self-contained HTML file: no network, styles and script inline. The page
 * draws everything from a JSON blob with DOM calls (textContent, setAttribute), never by
 * concatenating markup, so a path file or scenario name cannot inject markup or script. The
 * blob itself is written with '<', '>' and '&' escaped, so it cannot close its script element.
 */
public final class HtmlReport {
    private HtmlReport() {}

    public static String render(Map<String, Object> matrixJson, String title) {
        String data = ukl.cli.Json.write(matrixJson);
        return PAGE.replace("%%TITLE%%", escape(title)).replace("%%DATA%%", data);
    }

    /** HTML text escaping, for the one string placed in markup (the title). */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray())
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        return sb.toString();
    }


    private static final String PAGE = """
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>%%TITLE%%</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
#summary { color: #555; margin-bottom: 10px; }
table#matrix { border-collapse: collapse; font-size: 12px; }
#matrix th, #matrix td { border: 1px solid #ccc; padding: 3px 6px; white-space: nowrap; }
#matrix th { background: #f3f3f3; position: sticky; top: 0; z-index: 2; }
#matrix th:first-child { left: 0; z-index: 3; }
#matrix td.label { font-family: monospace; background: #fafafa; position: sticky; left: 0; z-index: 1; }
#matrix td.label.differs { background: #fff3c4; }
#matrix td.differs { box-shadow: inset 0 0 0 2px #b07d00; }
#matrix-box { max-height: 75vh; overflow: auto; }
#toolbar { margin: 6px 0; }
#toolbar input[type=search] { width: 22em; }
#toolbar label { margin-left: 10px; }
#matrix td.cell { cursor: default; text-align: center; font-family: monospace; }
#matrix td.safe { background: #d9f2d9; }
#matrix td.v1 { background: #ffd9a8; cursor: pointer; }
#matrix td.v2 { background: #ffb08a; cursor: pointer; }
#matrix td.v3 { background: #ff7b6b; cursor: pointer; }
#matrix td.incomplete { background: #e6e6e6; color: #666; }
#matrix td.na { background: #fff; color: #bbb; }
#matrix td.disagree { background: #c58af9; cursor: pointer; }
#matrix td.selected { outline: 3px solid #1a5fb4; }
#legend { margin: 8px 0; color: #555; font-size: 12px; }
#detail { margin-top: 14px; border-top: 2px solid #1a5fb4; padding-top: 8px; display: none; }
#detail h2 { font-size: 15px; margin: 0 0 6px; }
#tabs button { margin: 0 4px 6px 0; }
#tabs button.on { font-weight: bold; }
#why { margin: 4px 0 8px; color: #a00; }
#timeline-box { overflow-x: auto; border: 1px solid #ddd; }
#steptext { font-family: monospace; white-space: pre-wrap; background: #f7f7f7; padding: 6px; margin-top: 6px; }
svg text { font-family: monospace; font-size: 10px; }
</style>
</head>
<body>
<h1>%%TITLE%%</h1>
<div id="summary"></div>
<div id="toolbar"><input id="filter" type="search" placeholder="filter rows: preset, path file or option (e.g. NSS)">
<label>show <select id="show"><option value="all">every row</option><option value="unsafe">rows with a violation</option>
<option value="differs">rows that differ from their base</option><option value="incomplete">rows with an incomplete cell</option></select></label>
<label><input id="compact" type="checkbox" checked> compact timeline</label></div>
<div id="matrix-box"><table id="matrix"></table></div>
<div id="legend"></div>
<div id="detail">
  <h2 id="detail-title"></h2>
  <div id="tabs"></div>
  <div id="why"></div>
  <div id="timeline-box"></div>
  <div id="steptext">Click a step in the timeline to see every stack's live frames.</div>
</div>
<script type="application/json" id="data">%%DATA%%</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const NS = "http://www.w3.org/2000/svg";
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in (attrs || {})) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function sv(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in (attrs || {})) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
const S = D.summary;
document.getElementById("summary").textContent = S.cells + " cells: " + S.safe + " safe, " + S.violated + " with violations, "
  + S.incomplete + " incomplete" + (S.disagree ? ", " + S.disagree + " where the engines disagree" : "")
  + "; engine " + D.engine + "; options " + D.optionUniverse.join(", ") + (S.interrupted ? "; INTERRUPTED" : "");
const legend = [];
for (const k in D.abbreviations) legend.push(D.abbreviations[k] + " = " + k);
document.getElementById("legend").textContent = "Cells list the violated properties. " + legend.join(", ");

const table = document.getElementById("matrix");
const head = el("tr");
head.appendChild(el("th", {}, "preset {options}"));
for (const w of D.workloads) head.appendChild(el("th", {}, w));
table.appendChild(head);
const byLabel = {};
D.rows.forEach(r => { byLabel[r.label] = r; });
function sameCell(a, b) { return a.status === "n/a" || b.status === "n/a" || (a.status === b.status && a.violated.join(",") === b.violated.join(",")); }
const trs = [];
D.rows.forEach((row, ri) => {
  const tr = el("tr");
  const base = row.base ? byLabel[row.base] : null;
  let differs = false;
  if (base) row.cells.forEach((c, ci) => { if (!sameCell(c, base.cells[ci])) differs = true; });
  const lab = el("td", {"class": "label" + (differs ? " differs" : "")}, row.label + (base ? (differs ? "  ≠ " : "  = ") + row.base : ""));
  if (base) lab.title = differs ? "differs from " + row.base + " in the outlined cells" : "the same verdicts as " + row.base;
  tr.appendChild(lab);
  tr.dataset.text = row.label.toLowerCase();
  tr.dataset.unsafe = String(row.cells.some(c => c.status !== "safe" && c.status !== "incomplete"));
  tr.dataset.incomplete = String(row.cells.some(c => c.status === "incomplete"));
  tr.dataset.differs = String(differs);
  trs.push(tr);
  row.cells.forEach((c, ci) => {
    let cls = "cell ", word;
    if (c.status === "safe") { cls += "safe"; word = "safe"; }
    else if (c.status === "violated") { cls += "v" + Math.min(3, c.violated.length); word = c.violated.map(p => D.abbreviations[p]).join(","); }
    else if (c.status === "disagree") { cls += "disagree"; word = "DISAGREE"; }
    else if (c.status === "n/a") { cls += "na"; word = "-"; }
    else { cls += "incomplete"; word = "incomplete"; }
    const td = el("td", {"class": cls, "data-status": c.status, "data-row": String(ri), "data-col": String(ci)}, word);
    td.title = row.label + " / " + c.workload + ": " + (c.status === "violated" ? c.violated.join(", ")
      : c.status === "incomplete" ? (c.incomplete || "incomplete") : c.status === "disagree" ? c.disagreement : "no violation; " + (c.bound || ""));
    if (c.status === "violated" || c.status === "disagree") td.addEventListener("click", () => show(ri, ci, td));
    if (base && !sameCell(c, base.cells[ci])) { td.classList.add("differs"); td.title += " (the base: " + (base.cells[ci].violated.join(", ") || base.cells[ci].status) + ")"; }
    tr.appendChild(td);
  });
  table.appendChild(tr);
});

function applyFilter() {
  const q = document.getElementById("filter").value.trim().toLowerCase(), mode = document.getElementById("show").value;
  for (const tr of trs) {
    const ok = (!q || tr.dataset.text.includes(q)) && (mode === "all" || tr.dataset[mode] === "true");
    tr.style.display = ok ? "" : "none";
  }
}
document.getElementById("filter").addEventListener("input", applyFilter);
document.getElementById("show").addEventListener("change", applyFilter);
let current = null;
document.getElementById("compact").addEventListener("change", () => { if (current) draw(current); });

let selected = null;
function show(ri, ci, td) {
  if (selected) selected.classList.remove("selected");
  selected = td; td.classList.add("selected");
  const row = D.rows[ri], c = row.cells[ci];
  document.getElementById("detail").style.display = "block";
  document.getElementById("detail-title").textContent = row.label + " / " + c.workload;
  const tabs = document.getElementById("tabs");
  tabs.replaceChildren();
  const props = Object.keys(c.traces || {});
  const tr = p => D.traceTable[c.traces[p]];
  if (c.disagreement) tabs.appendChild(el("div", {}, "The engines disagree: " + c.disagreement));
  props.forEach((p, i) => {
    const b = el("button", {"type": "button", "data-property": p}, p);
    b.addEventListener("click", () => { for (const x of tabs.querySelectorAll("button")) x.classList.remove("on"); b.classList.add("on"); draw(tr(p)); });
    tabs.appendChild(b);
    if (i === 0) { b.classList.add("on"); draw(tr(p)); }
  });
  if (!props.length) { document.getElementById("timeline-box").replaceChildren(); document.getElementById("why").textContent = "No trace kept for this cell."; }
  document.getElementById("detail").scrollIntoView({block: "nearest"});
}

function draw(t) {
  current = t;
  // States arrive as deltas (only what changed since the step before); rebuild each step's whole state once.
  if (!t.rebuilt) {
    const cur = {};
    for (const s of t.steps) {
      for (const k in (s.delta || {})) { if (s.delta[k] === null) delete cur[k]; else cur[k] = s.delta[k]; }
      s.state = Object.assign({}, cur);
    }
    t.rebuilt = true;
  }
  const compact = document.getElementById("compact").checked;
  document.getElementById("why").textContent = t.property + (t.shortest ? " (shortest counterexample, " : " (counterexample, ")
    + t.steps.length + " steps): " + t.why;
  const box = document.getElementById("timeline-box");
  box.replaceChildren();
  const colW = compact ? 112 : 176, laneH = 96, left = 64, top = 34, chars = compact ? 16 : 27;
  const stackNames = new Set();
  for (const s of t.steps) for (const k in s.state) if (k.startsWith("stack.") && s.state[k] !== "[]") stackNames.add(k);
  const stacks = [...stackNames];
  const height = top + t.cpus * laneH + 20 + stacks.length * 16 + 20;
  const width = left + Math.max(1, t.steps.length) * colW + 20;
  const svg = sv("svg", {"width": width, "height": height, "viewBox": "0 0 " + width + " " + height, "id": "timeline"});
  for (let c = 0; c < t.cpus; c++) {
    const y = top + c * laneH;
    svg.appendChild(sv("rect", {"x": 0, "y": y, "width": width, "height": laneH - 4, "fill": c % 2 ? "#f4f7fb" : "#fbfbfb"}));
    svg.appendChild(sv("text", {"x": 6, "y": y + 16, "font-weight": "bold"}, "cpu" + c));
  }
  const sy = top + t.cpus * laneH + 14;
  svg.appendChild(sv("text", {"x": 6, "y": sy, "font-weight": "bold"}, "stacks"));
  stacks.forEach((k, i) => svg.appendChild(sv("text", {"x": 6, "y": sy + 14 + i * 16}, k.substring(6))));
  t.steps.forEach((s, i) => {
    const x = left + i * colW;
    const g = sv("g", {"class": "step" + (s.violating ? " breaking" : ""), "data-step": String(s.index)});
    g.appendChild(sv("text", {"x": x + 4, "y": 14, "font-weight": "bold", "fill": s.violating ? "#c00" : "#333"}, s.index + (s.violating ? "  breaks " + t.property : "")));
    for (let c = 0; c < t.cpus; c++) {
      const y = top + c * laneH, p = "cpu" + c + ".", st = s.state;
      const th = st[p + "running"], acting = s.cpu === c;
      g.appendChild(sv("rect", {"x": x + 2, "y": y + 2, "width": colW - 6, "height": laneH - 10, "rx": 4,
        "fill": acting ? (s.violating ? "#ffd6d6" : "#ffffff") : "none", "stroke": acting ? (s.violating ? "#c00" : "#1a5fb4") : "#ddd",
        "stroke-width": acting ? (s.violating ? 2.5 : 1.2) : 0.6}));
      const lines = [];
      if (acting) lines.push((s.thread || "") + ": " + s.action);
      lines.push("runs " + th + (acting ? "" : " (idle here)"));
      if (acting && s.path) {
        // file:path:line, the file's base name kept: a proposal's exc_pf:6 is not the preset's
        const parts = s.path.split(":"), path = parts.pop(), file = parts.join(":");
        lines.push((file ? file.substring(file.lastIndexOf("/") + 1) + ":" : "") + path + (s.line ? ":" + s.line : ""));
      }
      lines.push("on " + st[p + "sp"]);
      const mode = st[th + ".mode"];
      lines.push("IF=" + st[p + "if"] + (mode !== undefined ? " mode=" + mode : "") + (st[p + "nmiBlocked"] === "1" ? " NMI-blocked" : ""));
      lines.forEach((ln, j) => g.appendChild(sv("text", {"x": x + 7, "y": y + 16 + j * 13, "fill": acting ? "#111" : "#888"},
        ln.length > chars ? ln.substring(0, chars - 1) + "…" : ln)));
    }
    stacks.forEach((k, j) => {
      const v = s.state[k] || "[]";
      const n = v === "[]" ? 0 : v.split("), ").length;
      g.appendChild(sv("text", {"x": x + 7, "y": sy + 14 + j * 16, "fill": n ? "#222" : "#bbb"}, n ? n + (n === 1 ? " frame" : " frames") : "-"));
    });
    const hit = sv("rect", {"x": x, "y": 0, "width": colW - 2, "height": height, "fill": "transparent"});
    const tip = sv("title", {}, s.index + ". " + (s.thread || "") + ": " + s.action + (s.citation ? "\\n" + s.citation : ""));
    hit.appendChild(tip);
    hit.addEventListener("click", () => {
      const out = [s.index + ". cpu" + s.cpu + " " + (s.thread || "") + ": " + s.action + (s.path ? "   (" + s.path + (s.line ? ":" + s.line : "") + ")" : "")];
      if (s.citation) out.push("   " + s.citation);
      for (const k of stacks) out.push(k.substring(6) + ": " + (s.state[k] || "[]"));
      document.getElementById("steptext").textContent = out.join("\\n");
    });
    g.appendChild(hit);
    svg.appendChild(g);
  });
  box.appendChild(svg);
}
</script>
</body>
</html>
""";
}
