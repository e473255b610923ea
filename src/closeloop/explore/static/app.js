// The closeloop explorer page: controls generated from the parameter specification, each
// change sent to the same simulate() the command line runs; only the newest request counts.
"use strict";

const C = Charts.OKABE;
const COLOR = { a: C.blue, b: C.vermillion };
const $ = id => document.getElementById(id);
const api = {
  client: Math.random().toString(36).slice(2, 12),
  seq: 0,
  controllers: {},
};
const state = { meta: null, base: null, scenario: null, seed: 0, first: null, last: null };
const perf = { redraws: [], server: [], engine: [], pendingSince: null };
window.__explorer = perf;

function clone(x) { return JSON.parse(JSON.stringify(x)); }
function round(v) { return Number(Number(v).toPrecision(6)); }
function pct(v) { return v === null || v === undefined ? "–" : Math.round(v * 100) + "%"; }

async function post(path, body, channel) {
  if (channel) {
    if (api.controllers[channel]) api.controllers[channel].abort();
    api.controllers[channel] = new AbortController();
  }
  const r = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    signal: channel ? api.controllers[channel].signal : undefined,
  });
  const data = await r.json();
  if (r.status === 409) return null;  // superseded by a newer request: drop it
  if (!r.ok) throw new Error(data.error || `request failed (${r.status})`);
  return data;
}

function status(text) { $("status").textContent = text; }

// ---- controls from the specification -------------------------------------------------

function slider(parent, spec, table, member) {
  const id = `${table}-${spec.name}`;
  const wrap = document.createElement("div");
  wrap.className = "control";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = spec.label;
  const input = document.createElement("input");
  Object.assign(input, { type: "range", id, min: spec.low, max: spec.high, step: spec.step });
  input.dataset.table = table;
  input.dataset.name = spec.name;
  const out = document.createElement("output");
  out.htmlFor = id;
  out.id = `${id}-out`;
  const help = document.createElement("span");
  help.className = "sr";
  help.id = `${id}-help`;
  help.textContent = spec.meaning;
  input.setAttribute("aria-describedby", help.id);
  input.addEventListener("input", () => show(input, spec, true));
  input.addEventListener("change", () => {
    state.scenario[table] = state.scenario[table] || {};
    state.scenario[table][spec.name] = round(input.value);
    show(input, spec, true);
    schedule();
  });
  wrap.append(label, input, out, help);
  parent.appendChild(wrap);
  return { input, spec, table, member };
}

function show(input, spec, set) {
  const v = round(input.value);
  const unit = spec.unit === "1" ? "" : ` ${spec.unit}`;
  const own = input.dataset.table.startsWith("traits") ? "the profile's own" : "default";
  const text = set ? `${Charts.fmt(v)}${unit}` : `${Charts.fmt(spec.default)}${unit} (${own})`;
  input.setAttribute("aria-valuetext", text);
  $(`${input.id}-out`).textContent = text;
}

const controls = [];

function buildControls(meta) {
  for (const s of meta.relationship) controls.push(slider($("relationship"), s, "relationship"));
  for (const m of ["a", "b"]) for (const s of meta.traits) controls.push(slider($(`traits_${m}`), s, `traits_${m}`));
  // Person scenarios: the world and everyone's traits; both kinds: early history and change.
  for (const table of ["world", "history", "change"]) for (const s of meta[table]) controls.push(slider($(table), s, table));
  for (const s of meta.traits) controls.push(slider($("traits"), s, "traits"));
  const sel = $("scenario-select");
  const couples = document.createElement("optgroup"); couples.label = "Couple scenarios";
  const people = document.createElement("optgroup"); people.label = "Person scenarios (one person at a time)";
  for (const s of meta.scenarios) (s.kind === "couple" ? couples : people).appendChild(new Option(s.name, s.name));
  sel.append(couples, people);
  sel.addEventListener("change", () => { loadScenario(sel.value); schedule(); });
  for (const m of ["a", "b"]) {
    const ps = $(`preset-${m}`);
    for (const p of meta.presets) ps.appendChild(new Option(`${p.name}: ${p.summary}`, p.name));
    ps.addEventListener("change", () => { state.scenario[m] = { [ps.value]: 1.0 }; schedule(); });
  }
  const pop = $("population-select");
  pop.appendChild(new Option("the scenario's own mix", ""));
  for (const p of meta.presets) pop.appendChild(new Option(`${p.name}: ${p.summary}`, p.name));
  pop.addEventListener("change", () => {
    const own = state.meta.scenarios.find(x => x.name === state.scenario.name);
    state.scenario.population = pop.value ? { [pop.value]: 1.0 } : clone(own ? own.scenario.population : state.base.population);
    schedule();
  });
  $("years").addEventListener("input", () => yearsText());
  $("years").addEventListener("change", () => { state.scenario.days = 365 * Number($("years").value); yearsText(); schedule(); });
  $("seed").addEventListener("change", () => {
    const v = Number($("seed").value);
    if (Number.isInteger(v) && v >= 0) { state.seed = v; schedule(); }
  });
  $("iv-add").addEventListener("click", addIntervention);
  for (const m of meta.mechanisms) {
    const w = document.createElement("div"); w.className = "check";
    const box = document.createElement("input"); box.type = "checkbox"; box.id = `off-${m.name}`; box.value = m.name;
    const l = document.createElement("label"); l.htmlFor = box.id;
    l.textContent = `${m.name.replace(/_/g, " ")}: ${m.summary}`;
    box.addEventListener("change", () => {
      const set = new Set(state.scenario.ablate);
      if (box.checked) set.add(m.name); else set.delete(m.name);
      state.scenario.ablate = meta.mechanisms.map(x => x.name).filter(n => set.has(n));
      schedule();
    });
    w.append(box, l); $("ablate").appendChild(w);
  }
  $("reset").addEventListener("click", () => { loadScenario(meta.default_scenario); state.seed = 0; $("seed").value = 0; schedule(); });
  $("export").addEventListener("click", exportToml);
  $("import").addEventListener("change", importToml);
  buildWhatif(meta);
  Extras.build(meta);
}

function yearsText() {
  const y = Number($("years").value);
  const t = `${y} year${y === 1 ? "" : "s"}`;
  $("years-out").textContent = t;
  $("years").setAttribute("aria-valuetext", t);
}

function loadScenario(name) {
  const s = state.meta.scenarios.find(x => x.name === name);
  state.base = clone(s.scenario);
  state.scenario = clone(s.scenario);
  syncControls();
}

// The controls, results and what-ifs that apply to the scenario's kind; the rest are hidden.
function applyKind(kind) {
  if (state.kind === kind) return;
  state.kind = kind;
  const person = kind === "person";
  for (const e of document.querySelectorAll(".couple-only")) e.hidden = person;
  for (const e of document.querySelectorAll(".person-only")) e.hidden = !person;
  $("years-label").textContent = person ? "Years of adult life" : "Years together";
  $("seed-label").textContent = `Seed (which simulated ${person ? "people" : "couples"})`;
  const ivs = person ? state.meta.person_interventions : state.meta.interventions;
  $("iv-kind").replaceChildren(...Object.keys(ivs).map(k => new Option(k.replace(/_/g, " "), k)));
  $("mult-run").disabled = person;
  $("mult-note").hidden = !person;
  whatifOptions(state.meta, kind);
}

function syncControls() {
  const sc = state.scenario;
  applyKind(sc.kind);
  $("scenario-select").value = state.meta.scenarios.some(s => s.name === sc.name) ? sc.name : state.meta.default_scenario;
  const desc = state.meta.scenarios.find(s => s.name === sc.name);
  $("scenario-desc").textContent = sc.description || (desc ? desc.description : "");
  for (const c of controls) {
    const v = (sc[c.table] || {})[c.spec.name];
    c.input.value = v ?? c.spec.default;
    show(c.input, c.spec, v !== undefined);
  }
  if (sc.kind === "person") {
    const names = Object.keys(sc.population);
    $("population-select").value = names.length === 1 ? names[0] : "";
  } else {
    for (const m of ["a", "b"]) $(`preset-${m}`).value = Object.keys(sc[m])[0];
  }
  $("years").value = Math.max(1, Math.round(sc.days / 365));
  yearsText();
  for (const m of state.meta.mechanisms) $(`off-${m.name}`).checked = sc.ablate.includes(m.name);
  listInterventions();
}

function listInterventions() {
  const ul = $("iv-list"); ul.replaceChildren();
  state.scenario.interventions.forEach((iv, i) => {
    const li = document.createElement("li");
    li.textContent = `${iv.kind.replace(/_/g, " ")}, days ${iv.start} to ${iv.end}` + (iv.who ? `, for ${iv.who}` : "") + " ";
    const b = document.createElement("button"); b.type = "button"; b.textContent = "Remove";
    b.setAttribute("aria-label", `Remove ${iv.kind.replace(/_/g, " ")}`);
    b.addEventListener("click", () => { state.scenario.interventions.splice(i, 1); listInterventions(); schedule(); });
    li.appendChild(b); ul.appendChild(li);
  });
}

function addIntervention() {
  const start = 365 * Number($("iv-start").value);
  const end = Math.min(state.scenario.days, start + 30 * Number($("iv-months").value));
  if (end <= start) { status("The intervention must start before the end of the run."); return; }
  const iv = { kind: $("iv-kind").value, start, end, intensity: 1.0 };
  if ($("iv-who").value && state.scenario.kind === "couple") iv.who = $("iv-who").value;
  state.scenario.interventions.push(iv);
  listInterventions();
  schedule();
}

// ---- running the model ---------------------------------------------------------------

let timer = null;
function schedule() {
  perf.pendingSince = performance.now();
  clearTimeout(timer);
  // A burst of key presses sends one request; the server drops any it supersedes anyway.
  timer = setTimeout(run, 50);
}

async function run() {
  const seq = ++api.seq;
  const since = perf.pendingSince ?? performance.now();
  const note = state.imported ? `Imported ${state.imported}. ` : "";  // kept through the run
  status(`${note}Running the model…`);
  try {
    const data = await post("/api/simulate", { scenario: state.scenario, seed: state.seed, n: state.meta.n, seq, client: api.client }, "simulate");
    if (!data || data.seq !== api.seq) return;
    state.last = data;
    if (data.kind === "person") Person.render(data); else renderSandbox(data);
    await new Promise(resolve => requestAnimationFrame(() => resolve()));  // until drawn
    const ms = performance.now() - since;
    perf.redraws.push(ms); perf.server.push(data.server_ms); perf.engine.push(data.engine_ms);
    state.imported = null;
    const who = data.kind === "person" ? "people" : "couples";
    status(`${note}Updated: ${data.n} simulated ${who} over ${Math.round(state.scenario.days / 365)} years (server ${Math.round(data.server_ms)} ms, redraw ${Math.round(ms)} ms).`);
    document.body.dataset.runs = String(perf.redraws.length);
  } catch (e) {
    if (e.name !== "AbortError") status(`Not run: ${e.message}`);
  }
}

function band(data, key, label, color, dash) {
  const b = data.bands[key];
  return { label, color, dash, y: b.q50, lo: b.q25, hi: b.q75, lo2: b.q05, hi2: b.q95 };
}

function names(data) { return { w: "ab"[data.withdrawer], r: "ab"[data.reacher], W: data.names[data.withdrawer], R: data.names[data.reacher] }; }

function renderSandbox(d) {
  state.satChart = {
    title: "Satisfaction over the years, both partners", x: d.years, yLabel: "satisfaction (0 to 1)",
    desc: "Median satisfaction of partners A and B across simulated couples still together, with bands for the middle half and nine in ten.",
    series: [band(d, "sat_a", `${d.members[0]}`, COLOR.a, ""), band(d, "sat_b", `${d.members[1]}`, COLOR.b, "7 4")],
  };
  // Drawn once, by the scrubber (Extras.sandbox), with its marker at the last month.
  $("cap-sat").textContent = `Median satisfaction; dark band: middle half of couples, light band: nine in ten. ${pct(d.final_shares.ended)} of relationships had ended by the end.`;
  loopChart($("fig-sand-loop"), d);
  $("cap-sand-loop").textContent = "The cycle: how much one partner presses, and how much of it the other turns away.";
  const story = $("story"); story.replaceChildren();
  for (const p of d.story) { const e = document.createElement("p"); e.textContent = p; story.appendChild(e); }
  $("population").textContent = d.population_text;
  Extras.sandbox(d);
}

function loopChart(node, d) {
  const n = names(d);
  Charts.line(node, {
    title: `The loop: ${n.R}'s pursuit and ${n.W}'s turning away`, x: d.years, yLabel: "0 to 1",
    desc: `Median pursuit of the partner who reached more (${n.R}) and share of bids turned away by the partner who pulled back more (${n.W}), across couples.`,
    series: [band(d, `pursuit_${n.r}`, `${n.R} presses`, COLOR[n.r], ""), band(d, `withdrawal_${n.w}`, `${n.W} turns away`, COLOR[n.w], "7 4")],
  });
}

function renderChapters(d) {
  const n = names(d), ex = d.example;
  $("hook-text").textContent =
    `Meet ${n.W} and ${n.R}, one simulated couple from a run of ${d.n}; they are not real people. ` +
    `Over their years together ${n.W} turned away ${pct(ex.decline_share[d.withdrawer])} of ${n.R}'s bids for closeness, ` +
    `while ${n.R}'s pressing for closeness rose as high as ${Charts.fmt(ex.peak_pursuit[d.reacher])} on a scale of 0 to 1.`;
  Charts.line($("fig-hook"), {
    title: `${n.R} reaching, ${n.W} pulling back: one simulated couple`, x: d.years, yLabel: "0 to 1",
    desc: `Month by month, ${n.R}'s pursuit and the share of ${n.R}'s bids ${n.W} turned away, for one couple.`,
    series: [
      { label: `${n.R} reaches`, color: COLOR[n.r], dash: "", y: ex.series[`pursuit_${n.r}`] },
      { label: `${n.W} pulls back`, color: COLOR[n.w], dash: "7 4", y: ex.series[`withdrawal_${n.w}`] },
    ],
    marks: ex.events.slice(0, 4).map((e, i) => ({ x: e.years, label: e.label, row: i })),
  });
  $("cap-hook").textContent = "From a real run of the model (the couple closest to the run's most common path). Vertical lines mark turning points.";
  const t = d.threat;
  Charts.bars($("fig-threat"), {
    title: "Felt threat by depth of closeness, at the start of the relationship", groups: d.depths.map((x, i) => `${i}`),
    xLabel: "depth (0 small talk … 4 fully known)", yLabel: "felt threat (0 to 1)",
    desc: `Median felt threat at each depth for ${d.members.join(" and ")}, with each one's median alarm threshold.`,
    series: [{ label: d.members[0], color: COLOR.a, values: t.start[0] }, { label: d.members[1], color: COLOR.b, values: t.start[1], hatch: true }],
    refs: [{ label: `${n.W}'s pull-back point`, value: t.threshold[d.withdrawer], color: COLOR[n.w] }],
  });
  $("cap-threat").textContent = `Depths: ${d.depths.map((x, i) => `${i} ${x}`).join("; ")}.`;
  Charts.bars($("fig-relief"), {
    title: `${n.W}'s felt threat: start of the relationship and end of the run`, groups: d.depths.map((x, i) => `${i}`),
    xLabel: "depth", yLabel: "felt threat (0 to 1)",
    desc: `Median felt threat by depth for ${n.W}, at the start and after ${Math.round(Math.max(...d.years))} years.`,
    series: [{ label: "start", color: COLOR[n.w], values: t.start[d.withdrawer] }, { label: "end", color: C.black, values: t.end[d.withdrawer], hatch: true }],
  });
  $("cap-relief").textContent = "Solid: at the start. Hatched: at the end. Where the threat is avoided, it is rarely tested, so it stays.";
  Charts.line($("fig-personal"), {
    title: "How hard each partner presses for closeness", x: d.years, yLabel: "pursuit (0 to 1)",
    desc: "Median pursuit of each partner across couples still together, with bands.",
    series: [band(d, `pursuit_${n.r}`, `${n.R}`, COLOR[n.r], ""), band(d, `pursuit_${n.w}`, `${n.W}`, COLOR[n.w], "7 4")],
  });
  $("cap-personal").textContent = "Median pursuit; bands: middle half and nine in ten of couples.";
  loopChart($("fig-loop"), d);
  $("cap-loop").textContent = "Both lines at once: pressing and turning away feed each other.";
  $("giveup-text").textContent = `By the end of the run ${pct(d.population.ended_share)} of the relationships had ended.`;
  Charts.line($("fig-giveup"), {
    title: "Felt stability and endings", x: d.years, yLabel: "0 to 1",
    desc: "Median felt stability of each partner, and the share of couples who have ended.",
    series: [band(d, `stability_${n.r}`, `${n.R}'s stability`, COLOR[n.r], ""), band(d, `stability_${n.w}`, `${n.W}'s stability`, COLOR[n.w], "7 4"),
      { label: "ended (share)", color: C.black, dash: "2 3", y: d.ended_share }],
  });
  $("cap-giveup").textContent = "Stability can stay high while reaching stops: quiet is not the same as close.";
  const classes = Object.keys(d.class_shares);
  const palette = [C.green, C.orange, C.purple, C.vermillion, C.black];
  Charts.line($("fig-quiet"), {
    title: "Share of couples in each pattern", x: d.class_years, yLabel: "share of couples",
    desc: "For each year, the share of simulated couples in each trajectory pattern.",
    series: classes.map((k, i) => ({ label: k.replace(/-/g, " "), color: palette[i % 5], y: d.class_shares[k] })),
  });
  $("cap-quiet").textContent = `At the end: ${classes.map(k => `${k.replace(/-/g, " ")} ${pct(d.final_shares[k])}`).join(", ")}.`;
}

async function main() {
  const r = await fetch("/api/meta");
  state.meta = await r.json();
  buildControls(state.meta);
  loadScenario(state.meta.default_scenario);
  $("present").addEventListener("click", () => {
    const on = document.body.classList.toggle("present");
    $("present").setAttribute("aria-pressed", String(on));
  });
  $("print").addEventListener("click", () => window.print());
  const data = await post("/api/simulate", { scenario: state.scenario, seed: 0, n: state.meta.n, seq: ++api.seq, client: api.client }, "simulate");
  state.first = data;
  renderChapters(data);
  Extras.chapters(data);
  renderSandbox(data);
  status(`Ready: ${data.n} simulated couples (server ${Math.round(data.server_ms)} ms).`);
  document.body.dataset.ready = "1";
}

main().catch(e => status(`The explorer could not start: ${e.message}`));
