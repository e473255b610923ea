// Plain-SVG charts for the closeloop explorer: line charts with spread bands, grouped bars.
// Every chart carries a title and description for screen readers, and its data as a table.
// Colours are Okabe-Ito; each series also differs by dash pattern and a direct label.
"use strict";

const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const OKABE = {
    orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
    blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", black: "#000000",
  };
  const DASHES = ["", "7 4", "2 3", "10 3 2 3", "4 2", "1 5"];
  let uid = 0;

  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  }

  function frame(container, opts) {
    container.replaceChildren();
    const W = opts.width || 640, H = opts.height || 260;
    const m = { l: 52, r: opts.right || 170, t: 12, b: 40 };
    const id = "c" + (++uid);
    const svg = el("svg", {
      viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`,
      class: "svgchart", preserveAspectRatio: "xMinYMin meet",
    }, container);
    el("title", { id: `${id}-t` }, svg).textContent = opts.title;
    el("desc", { id: `${id}-d` }, svg).textContent = opts.desc || "";
    return { svg, W, H, m, iw: W - m.l - m.r, ih: H - m.t - m.b };
  }

  function axes(f, xs, ys, xLabel, yLabel, xTicks, yTicks, yFormat) {
    const g = el("g", { class: "axes" }, f.svg);
    for (const t of yTicks) {
      const y = ys(t);
      el("line", { x1: f.m.l, x2: f.m.l + f.iw, y1: y, y2: y, class: "grid" }, g);
      el("text", { x: f.m.l - 6, y: y + 4, "text-anchor": "end" }, g).textContent = (yFormat || fmt)(t);
    }
    for (const t of xTicks) {
      const x = xs(t);
      el("line", { x1: x, x2: x, y1: f.m.t + f.ih, y2: f.m.t + f.ih + 4, class: "tick" }, g);
      el("text", { x, y: f.m.t + f.ih + 16, "text-anchor": "middle" }, g).textContent = fmt(t);
    }
    el("line", { x1: f.m.l, x2: f.m.l + f.iw, y1: f.m.t + f.ih, y2: f.m.t + f.ih, class: "axis" }, g);
    el("text", { x: f.m.l + f.iw / 2, y: f.H - 6, "text-anchor": "middle", class: "label" }, g).textContent = xLabel;
    el("text", { x: 12, y: f.m.t + f.ih / 2, transform: `rotate(-90 12 ${f.m.t + f.ih / 2})`, "text-anchor": "middle", class: "label" }, g).textContent = yLabel;
  }

  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    if (Math.abs(v) >= 10 || Number.isInteger(v)) return String(Math.round(v * 10) / 10);
    return Math.abs(v) < 0.01 ? String(Number(v.toPrecision(2))) : v.toFixed(2);
  }

  function path(xs, ys, x, y) {
    let d = "", pen = false;
    for (let i = 0; i < x.length; i++) {
      if (y[i] === null || y[i] === undefined) { pen = false; continue; }
      d += (pen ? "L" : "M") + xs(x[i]).toFixed(1) + "," + ys(y[i]).toFixed(1);
      pen = true;
    }
    return d;
  }

  function area(xs, ys, x, lo, hi) {
    // One polygon per run of defined values.
    const parts = [];
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        const top = run.map(i => `${xs(x[i]).toFixed(1)},${ys(hi[i]).toFixed(1)}`);
        const bot = run.slice().reverse().map(i => `${xs(x[i]).toFixed(1)},${ys(lo[i]).toFixed(1)}`);
        parts.push("M" + top.join("L") + "L" + bot.join("L") + "Z");
      }
      run = [];
    };
    for (let i = 0; i < x.length; i++) {
      if (lo[i] === null || hi[i] === null) flush(); else run.push(i);
    }
    flush();
    return parts.join("");
  }

  function table(container, caption, head, rows) {
    const d = document.createElement("details");
    d.className = "datatable";
    const s = document.createElement("summary");
    s.textContent = "Data as a table";
    d.appendChild(s);
    const t = document.createElement("table");
    const c = document.createElement("caption");
    c.textContent = caption;
    t.appendChild(c);
    const tr = document.createElement("tr");
    for (const h of head) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.appendChild(th); }
    const thead = document.createElement("thead"); thead.appendChild(tr); t.appendChild(thead);
    const tb = document.createElement("tbody");
    for (const r of rows) {
      const row = document.createElement("tr");
      r.forEach((v, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = typeof v === "number" ? fmt(v) : (v === null ? "–" : v);
        row.appendChild(cell);
      });
      tb.appendChild(row);
    }
    t.appendChild(tb);
    d.appendChild(t);
    container.appendChild(d);
  }

  // series: [{label, color, dash, y, lo, hi, lo2, hi2}]
  function line(container, opts) {
    const f = frame(container, opts);
    const x = opts.x;
    const x0 = 0, x1 = Math.max(...x);
    const yMax = opts.yMax ?? 1, yMin = opts.yMin ?? 0;
    const xs = v => f.m.l + (v - x0) / (x1 - x0 || 1) * f.iw;
    const ys = v => f.m.t + f.ih - (v - yMin) / (yMax - yMin || 1) * f.ih;
    const step = x1 > 6 ? 2 : 1;
    const xt = []; for (let t = 0; t <= x1 + 1e-9; t += step) xt.push(t);
    const yt = opts.yTicks || [0, 0.25, 0.5, 0.75, 1].map(v => yMin + v * (yMax - yMin));
    axes(f, xs, ys, opts.xLabel || "years together", opts.yLabel, xt, yt, opts.yFormat);
    const labels = [];
    opts.series.forEach((s, k) => {
      if (s.lo2) el("path", { d: area(xs, ys, x, s.lo2, s.hi2), fill: s.color, "fill-opacity": 0.12 }, f.svg);
      if (s.lo) el("path", { d: area(xs, ys, x, s.lo, s.hi), fill: s.color, "fill-opacity": 0.25 }, f.svg);
      el("path", {
        d: path(xs, ys, x, s.y), fill: "none", stroke: s.color, "stroke-width": s.width || 2.5,
        "stroke-dasharray": s.dash ?? DASHES[k % DASHES.length],
      }, f.svg);
      let last = s.y.length - 1;
      while (last >= 0 && (s.y[last] === null || s.y[last] === undefined)) last--;
      if (last >= 0) labels.push({ y: ys(s.y[last]), text: s.label, color: s.color, dash: s.dash ?? DASHES[k % DASHES.length] });
    });
    // Direct labels at the line ends, nudged apart so they do not overlap.
    labels.sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + 14);
    for (const l of labels) {
      // A short sample of the line (colour and dash) beside each label: two cues, not one.
      const x0 = f.m.l + f.iw + 4;
      el("line", { x1: x0, x2: x0 + 16, y1: l.y, y2: l.y, stroke: l.color, "stroke-width": 3, "stroke-dasharray": l.dash }, f.svg);
      el("text", { x: x0 + 20, y: l.y + 4, class: "direct", fill: darker(l.color) }, f.svg).textContent = l.text;
    }
    for (const mk of opts.marks || []) {
      const xv = xs(mk.x);
      el("line", { x1: xv, x2: xv, y1: f.m.t, y2: f.m.t + f.ih, class: "mark" }, f.svg);
      el("text", { x: xv + 3, y: f.m.t + 10 + (mk.row || 0) * 12, class: "marklabel" }, f.svg).textContent = mk.label;
    }
    const every = Math.max(1, Math.round(x.length / 20));
    const rows = [];
    for (let i = 0; i < x.length; i += every) rows.push([x[i], ...opts.series.map(s => s.y[i])]);
    table(container, opts.title, [opts.xLabel || "years together", ...opts.series.map(s => s.label)], rows);
  }

  // groups: category labels; series: [{label, color, values, hatch, lo, hi}] (lo/hi: a whisker
  // per bar, the population's spread); refs: [{label, value, color}]
  function bars(container, opts) {
    const f = frame(container, opts);
    const n = opts.groups.length, k = opts.series.length;
    const ys = v => f.m.t + f.ih - v * f.ih;
    const gw = f.iw / n, bw = gw * 0.8 / k;
    axes(f, i => f.m.l + (i + 0.5) * gw, ys, opts.xLabel, opts.yLabel, [], [0, 0.25, 0.5, 0.75, 1]);
    opts.groups.forEach((g, i) => {
      el("text", { x: f.m.l + (i + 0.5) * gw, y: f.m.t + f.ih + 16, "text-anchor": "middle", class: "small" }, f.svg).textContent = g;
    });
    const defs = el("defs", {}, f.svg);
    opts.series.forEach((s, j) => {
      let fill = s.color;
      if (s.hatch) {
        const pid = `h${++uid}`;
        const p = el("pattern", { id: pid, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
        el("rect", { width: 6, height: 6, fill: "#fff" }, p);
        el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: s.color, "stroke-width": 4 }, p);
        fill = `url(#${pid})`;
      }
      s.values.forEach((v, i) => {
        const x = f.m.l + i * gw + gw * 0.1 + j * bw;
        el("rect", { x, y: ys(v ?? 0), width: bw - 2, height: f.ih - (ys(v ?? 0) - f.m.t), fill, stroke: s.color, "stroke-width": 1.5 }, f.svg);
        if (s.lo && s.lo[i] !== null && s.hi[i] !== null) {
          const cx = x + (bw - 2) / 2;
          el("line", { x1: cx, x2: cx, y1: ys(s.lo[i]), y2: ys(s.hi[i]), class: "whisker" }, f.svg);
          for (const w of [s.lo[i], s.hi[i]]) el("line", { x1: cx - 4, x2: cx + 4, y1: ys(w), y2: ys(w), class: "whisker" }, f.svg);
        }
      });
    });
    (opts.refs || []).forEach((r, j) => {
      el("line", { x1: f.m.l, x2: f.m.l + f.iw, y1: ys(r.value), y2: ys(r.value), stroke: r.color, "stroke-width": 2, "stroke-dasharray": "6 4" }, f.svg);
      el("text", { x: f.m.l + f.iw + 6, y: ys(r.value) + 4 + j * 13, class: "direct", fill: darker(r.color) }, f.svg).textContent = r.label;
    });
    const ly = f.m.t + 20 + (opts.refs || []).length * 0;
    opts.series.forEach((s, j) => {
      const y = ly + 40 + j * 18;
      el("rect", { x: f.m.l + f.iw + 6, y: y - 9, width: 12, height: 12, fill: s.hatch ? "#fff" : s.color, stroke: s.color, "stroke-width": s.hatch ? 3 : 1 }, f.svg);
      el("text", { x: f.m.l + f.iw + 22, y: y + 1, class: "direct", fill: darker(s.color) }, f.svg).textContent = s.label;
    });
    // A series with whiskers gets two more columns: its spread is data too.
    const head = opts.series.flatMap(s => s.lo ? [s.label, `${s.spread || "spread"}: low`, `${s.spread || "spread"}: high`] : [s.label]);
    table(container, opts.title, [opts.xLabel, ...head],
      opts.groups.map((g, i) => [g, ...opts.series.flatMap(s => s.lo ? [s.values[i], s.lo[i], s.hi[i]] : [s.values[i]])]));
  }

  function darker(hex) {
    // Text in the series colour, darkened until it reads on white (contrast for small text).
    if (!hex.startsWith("#")) return hex;
    const c = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16) * 0.55);
    return "#" + c.map(v => Math.round(v).toString(16).padStart(2, "0")).join("");
  }

  return { line, bars, OKABE, fmt };
})();
