// The explorer's same-seed what-ifs, and the scenario exported as TOML and imported back.
// Loaded before app.js; uses its helpers ($, state, post, api, clone, round, Charts).
"use strict";

// ---- what-if, export, import ---------------------------------------------------------

function buildWhatif(meta) {
  const sel = $("wi-kind");
  for (const s of meta.relationship) sel.appendChild(new Option(`Relationship: ${s.label}`, `rel:${s.name}`));
  for (const k of Object.keys(meta.interventions)) sel.appendChild(new Option(`Add: ${k.replace(/_/g, " ")} (from year 2, 9 months)`, `iv:${k}`));
  for (const m of meta.mechanisms) sel.appendChild(new Option(`Switch off: ${m.name.replace(/_/g, " ")}`, `off:${m.name}`));
  const val = $("wi-value");
  const text = () => {
    const rel = sel.value.startsWith("rel:");
    const t = rel ? `${Charts.fmt(round(val.value))}` : "not needed for this change";
    val.setAttribute("aria-valuetext", t); $("wi-value-out").textContent = t;
  };
  const sync = () => {
    const [kind, name] = sel.value.split(":");
    const spec = meta.relationship.find(s => s.name === name);
    val.disabled = kind !== "rel";
    if (spec) {
      Object.assign(val, { min: spec.low, max: spec.high, step: spec.step });
      val.value = (state.scenario && state.scenario.relationship[name]) ?? spec.default;
    }
    text();
  };
  sel.addEventListener("change", sync);
  val.addEventListener("input", text);
  sync();
  $("wi-run").addEventListener("click", runWhatif);
  $("ending-run").addEventListener("click", runEnding);
}

function variantOf(sc) {
  const v = clone(sc);
  const [kind, name] = $("wi-kind").value.split(":");
  if (kind === "rel") v.relationship[name] = round($("wi-value").value);
  if (kind === "iv") v.interventions.push({ kind: name, start: 730, end: Math.min(v.days, 1000), intensity: 1.0 });
  if (kind === "off" && !v.ablate.includes(name)) v.ablate.push(name);
  return v;
}

async function compare(base, variant, fig, tableNode, labels) {
  const seq = ++api.seq;
  status("Running both versions…");
  const data = await post("/api/whatif", { base: { scenario: base, seed: state.seed, n: state.meta.n, seq, client: api.client }, variant }, "whatif");
  if (!data) return;
  const w = "ab"[data.withdrawer];
  const sb = data.sat;
  Charts.line(fig, {
    title: `Satisfaction, ${labels[0]} and ${labels[1]} (same couples)`, x: data.years, yLabel: "satisfaction (0 to 1)",
    desc: "Median satisfaction of each partner in both versions.",
    series: [
      { label: `A, ${labels[0]}`, color: COLOR.a, dash: "", y: sb[0].sat_a.q50 },
      { label: `A, ${labels[1]}`, color: COLOR.a, dash: "7 4", y: sb[1].sat_a.q50, lo: sb[1].sat_a.q25, hi: sb[1].sat_a.q75 },
      { label: `B, ${labels[0]}`, color: COLOR.b, dash: "2 3", y: sb[0].sat_b.q50 },
      { label: `B, ${labels[1]}`, color: COLOR.b, dash: "10 3 2 3", y: sb[1].sat_b.q50, lo: sb[1].sat_b.q25, hi: sb[1].sat_b.q75 },
    ],
  });
  fig.dataset.withdrawer = w;
  const t = document.createElement("table");
  t.innerHTML = "<caption></caption><thead><tr><th scope='col'>outcome</th><th scope='col'></th><th scope='col'></th><th scope='col'>difference</th><th scope='col'>95% interval</th></tr></thead><tbody></tbody>";
  t.querySelector("caption").textContent = `What changed: ${data.changes.join("; ") || "nothing"}`;
  const th = t.querySelectorAll("thead th"); th[1].textContent = labels[0]; th[2].textContent = labels[1];
  const f = (v, u) => v === null ? "–" : (u === "share" ? `${(v * 100).toFixed(1)}%` : Charts.fmt(v));
  for (const e of data.effects) {
    const r = t.tBodies[0].insertRow();
    const h = document.createElement("th"); h.scope = "row"; h.textContent = e.label; r.appendChild(h);
    const diff = e.unit === "share" && e.diff !== null ? `${e.diff > 0 ? "+" : ""}${(e.diff * 100).toFixed(1)} points` : f(e.diff, e.unit);
    const ci = e.low === null ? "–" : (e.unit === "share" ? `${(e.low * 100).toFixed(1)} to ${(e.high * 100).toFixed(1)}` : `${Charts.fmt(e.low)} to ${Charts.fmt(e.high)}`);
    for (const v of [f(e.a, e.unit), f(e.b, e.unit), diff + (e.clear ? " ✱" : ""), ci]) r.insertCell().textContent = v;
  }
  const note = document.createElement("p"); note.className = "small";
  note.textContent = "✱: the 95% interval leaves out zero.";
  tableNode.replaceChildren(t, note);
  status(`What-if done (server ${Math.round(data.server_ms)} ms).`);
}

async function runWhatif() {
  try { await compare(state.scenario, variantOf(state.scenario), $("fig-whatif"), $("whatif-table"), ["as is", "with the change"]); }
  catch (e) { if (e.name !== "AbortError") status(`Not run: ${e.message}`); }
}

async function runEnding() {
  const get = n => clone(state.meta.scenarios.find(s => s.name === n).scenario);
  try { await compare(get(state.meta.default_scenario), get("couples-therapy"), $("fig-ending"), $("ending-table"), ["the cycle", "couples therapy"]); }
  catch (e) { if (e.name !== "AbortError") status(`Not run: ${e.message}`); }
}

async function exportToml() {
  try {
    const sc = clone(state.scenario);
    if (JSON.stringify(sc) !== JSON.stringify(state.base) && !sc.name.endsWith("-explored")) sc.name += "-explored";
    const data = await post("/api/export", { scenario: sc });
    const url = URL.createObjectURL(new Blob([data.toml], { type: "application/toml" }));
    const a = document.createElement("a");
    a.href = url; a.download = data.filename; document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    status(`Exported ${data.filename}: run it with "closeloop run ${data.filename} --out out".`);
  } catch (e) { status(`Not exported: ${e.message}`); }
}

async function importToml(ev) {
  const file = ev.target.files[0];
  if (!file) return;
  try {
    const data = await post("/api/import", { toml: await file.text() });
    state.scenario = data.scenario;
    state.base = clone(data.scenario);
    syncControls();
    state.imported = file.name;
    status(`Imported ${file.name}.`);
    schedule();
  } catch (e) { status(`Not imported: ${e.message}`); }
  ev.target.value = "";
}

