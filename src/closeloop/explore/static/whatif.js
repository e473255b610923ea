// The explorer's same-seed what-ifs, and the scenario exported as TOML and imported back.
// Loaded before app.js; uses its helpers ($, state, post, api, clone, round, Charts).
"use strict";

// ---- what-if, export, import ---------------------------------------------------------

// What a what-if can change, by the option's prefix: a setting of a table, or an intervention
// or a switched-off mechanism.
const TABLES = { rel: "relationship", world: "world", hist: "history" };
const PREFIX = { relationship: "Relationship", world: "World", history: "Early history" };

function ivStart(days) { return days >= 1000 ? 730 : Math.round(days / 4); }

function whatifOptions(meta, kind) {
  const sel = $("wi-kind");
  const opts = [];
  for (const [key, table] of Object.entries(TABLES)) {
    if ((table === "relationship" && kind !== "couple") || (table === "world" && kind !== "person")) continue;
    for (const s of meta[table]) opts.push(new Option(`${PREFIX[table]}: ${s.label}`, `${key}:${s.name}`));
  }
  const ivs = kind === "person" ? meta.person_interventions : meta.interventions;
  const when = kind === "person" ? "from a quarter of the way in, 9 months" : "from year 2, 9 months";
  for (const k of Object.keys(ivs)) opts.push(new Option(`Add: ${k.replace(/_/g, " ")} (${when})`, `iv:${k}`));
  for (const m of meta.mechanisms) opts.push(new Option(`Switch off: ${m.name.replace(/_/g, " ")}`, `off:${m.name}`));
  sel.replaceChildren(...opts);
  syncWhatif();
}

function whatifSpec() {
  const [kind, name] = $("wi-kind").value.split(":");
  const table = TABLES[kind];
  return table ? { table, spec: state.meta[table].find(s => s.name === name) } : null;
}

function whatifText() {
  const val = $("wi-value");
  const t = whatifSpec() ? `${Charts.fmt(round(val.value))}` : "not needed for this change";
  val.setAttribute("aria-valuetext", t); $("wi-value-out").textContent = t;
}

function syncWhatif() {
  const val = $("wi-value"), ts = whatifSpec();
  val.disabled = !ts;
  if (ts) {
    Object.assign(val, { min: ts.spec.low, max: ts.spec.high, step: ts.spec.step });
    val.value = ((state.scenario && state.scenario[ts.table]) || {})[ts.spec.name] ?? ts.spec.default;
  }
  whatifText();
}

function buildWhatif(meta) {
  $("wi-kind").addEventListener("change", syncWhatif);
  $("wi-value").addEventListener("input", whatifText);
  whatifOptions(meta, "couple");
  $("wi-run").addEventListener("click", runWhatif);
  $("ending-run").addEventListener("click", runEnding);
}

function variantOf(sc) {
  const v = clone(sc);
  const [kind, name] = $("wi-kind").value.split(":");
  if (TABLES[kind]) v[TABLES[kind]] = { ...(v[TABLES[kind]] || {}), [name]: round($("wi-value").value) };
  const start = ivStart(v.days);
  if (kind === "iv") v.interventions.push({ kind: name, start, end: Math.min(v.days, start + 270), intensity: 1.0 });
  if (kind === "off" && !v.ablate.includes(name)) v.ablate.push(name);
  return v;
}

async function compare(base, variant, fig, tableNode, labels) {
  const seq = ++api.seq;
  status("Running both versions…");
  const data = await post("/api/whatif", { base: { scenario: base, seed: state.seed, n: state.meta.n, seq, client: api.client }, variant }, "whatif");
  if (!data) return;
  if (data.kind === "person") {
    const db = data.deep;
    Charts.line(fig, {
      title: `Felt threat at the deepest levels, ${labels[0]} and ${labels[1]} (same people)`,
      ...Person.axis(data.years), yLabel: "felt threat (0 to 1)",
      desc: "Median felt threat at the two deepest depths across the simulated people in both versions, with the middle half of people for the changed one.",
      series: [
        { label: labels[0], color: C.blue, dash: "", y: db[0].q50 },
        { label: labels[1], color: C.vermillion, dash: "7 4", y: db[1].q50, lo: db[1].q25, hi: db[1].q75 },
      ],
    });
  } else {
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
  }
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

