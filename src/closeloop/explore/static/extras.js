// The explorer's optional pieces: guess-then-see in two chapters, a month-by-month scrubber
// over the sandbox's run (pause, step, play on request only), and small multiples across one
// relationship setting. Loaded before app.js; uses its helpers ($, state, post, api, Charts).
"use strict";

const Extras = (() => {
  // A change within a tenth of where it started reads as "about the same" in the verdicts.
  const SAME = 0.1;
  const PLAY_MS = 400;
  const reduced = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // ---- guess, then see ------------------------------------------------------------------

  const GUESSES = {
    relief: {
      options: [["fall", "it falls"], ["same", "it stays about the same"], ["rise", "it rises"]],
      answer(d) {
        const w = d.withdrawer, k = d.depths.length - 1;
        const a = d.threat.start[w][k], b = d.threat.end[w][k];
        const key = b < a * (1 - SAME) ? "fall" : (b > a * (1 + SAME) ? "rise" : "same");
        return { key, detail: `${d.names[w]}'s median felt threat at the deepest level (${d.depths[k]}) went from ${Charts.fmt(a)} at the start to ${Charts.fmt(b)} at the end of the run` };
      },
      after: "Where the deepest closeness is stepped away from, the old expectation is seldom put to the test against a partner who might respond well, so nothing unlearns it.",
    },
    giveup: {
      options: [["few", "few (under 1 in 10)"], ["some", "some (1 to 4 in 10)"], ["many", "many (over 4 in 10)"]],
      answer(d) {
        const s = d.population.gave_up_share;
        const key = s < 0.1 ? "few" : (s <= 0.4 ? "some" : "many");
        return { key, detail: `the reaching partner gave up reaching in ${pct(s)} of the ${d.n} simulated couples` };
      },
      after: "Giving up can look like calm from outside; in the model it is the point where the reaching partner's hope has run out.",
    },
  };

  function buildGuess(name) {
    const g = GUESSES[name], box = $(`guess-${name}`);
    const fs = box.querySelector("fieldset");
    g.options.forEach(([key, text]) => {
      const id = `guess-${name}-${key}`;
      const w = document.createElement("div"); w.className = "check";
      const r = document.createElement("input"); Object.assign(r, { type: "radio", name: `guess-${name}`, id, value: key });
      const l = document.createElement("label"); l.htmlFor = id; l.textContent = text;
      w.append(r, l); fs.appendChild(w);
    });
    box.querySelector("button").addEventListener("click", () => reveal(name));
  }

  function reveal(name) {
    const g = GUESSES[name], d = state.first;
    if (!d) return;
    const picked = document.querySelector(`input[name=guess-${name}]:checked`);
    const ans = g.answer(d);
    const said = g.options.find(o => o[0] === ans.key)[1];
    let text = `In this run ${ans.detail}: ${said}.`;
    if (picked) {
      const guess = g.options.find(o => o[0] === picked.value)[1];
      text = `Your guess: ${guess}. ` + (picked.value === ans.key ? "The model agrees. " : "The model went another way. ") + text;
    }
    $(`guess-${name}`).querySelector(".verdict").textContent = `${text} ${g.after}`;
    for (const e of $(`ch-${name}`).querySelectorAll(".concealed")) e.classList.remove("concealed");
    $(`guess-${name}`).dataset.revealed = picked ? picked.value : "skipped";
  }

  // ---- month by month -------------------------------------------------------------------

  let timer = null;
  let shown = null;  // the sandbox's run the scrubber moves over

  function stop() {
    clearInterval(timer); timer = null;
    $("scrub-play").setAttribute("aria-pressed", "false");
    $("scrub-play").textContent = "Play";
  }

  function at(i) {
    const d = shown;
    if (!d) return;
    const s = $("scrub");
    i = Math.max(0, Math.min(Number(s.max), i));
    s.value = i;
    const years = d.years[i];
    const label = `month ${i + 1} (year ${Charts.fmt(years)})`;
    s.setAttribute("aria-valuetext", label);
    $("scrub-out").textContent = label;
    Charts.line($("fig-sat"), { ...state.satChart, marks: [{ x: years, label: `month ${i + 1}` }] });
    const med = k => Charts.fmt(d.bands[k].q50[i]);
    $("scrub-text").textContent =
      `At ${label}: median satisfaction ${d.members[0]} ${med("sat_a")}, ${d.members[1]} ${med("sat_b")}; ` +
      `median pursuit ${med("pursuit_a")} and ${med("pursuit_b")}; ${pct(d.ended_share[i])} of couples had ended.`;
  }

  function play() {
    if (timer) { stop(); return; }
    const s = $("scrub");
    if (Number(s.value) >= Number(s.max)) at(0);
    $("scrub-play").setAttribute("aria-pressed", "true");
    $("scrub-play").textContent = "Pause";
    timer = setInterval(() => {
      if (Number(s.value) >= Number(s.max)) { stop(); return; }
      at(Number(s.value) + 1);
    }, PLAY_MS);
  }

  function buildScrub() {
    $("scrub").addEventListener("input", () => { stop(); at(Number($("scrub").value)); });
    $("scrub-back").addEventListener("click", () => { stop(); at(Number($("scrub").value) - 1); });
    $("scrub-fwd").addEventListener("click", () => { stop(); at(Number($("scrub").value) + 1); });
    $("scrub-play").addEventListener("click", play);
    if (reduced()) {
      // No moving picture for readers who asked their system for less motion: step instead.
      $("scrub-play").disabled = true;
      $("scrub-note").textContent = "Play is off because your system asks for reduced motion; use the steps.";
    }
  }

  function sandbox(d) {
    stop();
    shown = d;
    const s = $("scrub");
    s.max = d.years.length - 1;
    at(d.years.length - 1);
  }

  // ---- small multiples ------------------------------------------------------------------

  function buildMultiples(meta) {
    const sel = $("mult-param");
    for (const s of meta.relationship) sel.appendChild(new Option(s.label, s.name));
    sel.value = meta.relationship.some(s => s.name === "criticism") ? "criticism" : meta.relationship[0].name;
    $("mult-run").addEventListener("click", runMultiples);
  }

  async function runMultiples() {
    const spec = state.meta.relationship.find(s => s.name === $("mult-param").value);
    const values = [0, 0.25, 0.5, 0.75, 1].map(f => round(spec.low + f * (spec.high - spec.low)));
    const seq = ++api.seq;
    status(`Running ${values.length} versions of the same couples…`);
    try {
      const data = await post("/api/multiples", {
        base: { scenario: state.scenario, seed: state.seed, n: state.meta.n, seq, client: api.client },
        param: spec.name, values,
      }, "multiples");
      if (!data) return;
      const box = $("mult-panels"); box.replaceChildren();
      for (const p of data.panels) {
        const fig = document.createElement("figure"); fig.className = "panel";
        const div = document.createElement("div"); div.className = "chart";
        const cap = document.createElement("figcaption");
        cap.textContent = `${spec.label}: ${Charts.fmt(p.value)}. Ended by the end: ${pct(p.final_shares.ended)}.`;
        fig.append(div, cap); box.appendChild(fig);
        // Every panel on the same scale (0 to 1, the same years), so they compare by eye.
        Charts.line(div, {
          title: `Satisfaction with ${spec.label} at ${Charts.fmt(p.value)}`, x: p.years,
          yLabel: "satisfaction", width: 320, height: 210, right: 40, yMin: 0, yMax: 1,
          desc: `Median satisfaction of partners A and B, with the middle half of couples, when ${spec.label} is ${Charts.fmt(p.value)}.`,
          series: ["a", "b"].map((m, k) => ({
            label: "AB"[k], color: COLOR[m], dash: k ? "7 4" : "", y: p.sat[m].q50, lo: p.sat[m].q25, hi: p.sat[m].q75,
          })),
        });
      }
      box.dataset.param = data.param;
      status(`Small multiples done (server ${Math.round(data.server_ms)} ms).`);
    } catch (e) { if (e.name !== "AbortError") status(`Not run: ${e.message}`); }
  }

  function build(meta) {
    for (const name of Object.keys(GUESSES)) buildGuess(name);
    buildScrub();
    buildMultiples(meta);
  }

  function chapters() {
    for (const name of Object.keys(GUESSES)) {
      // Already revealed (an earlier start of the page): keep showing the run.
      if ($(`guess-${name}`).dataset.revealed) reveal(name);
    }
  }

  return { build, sandbox, chapters, reveal };
})();
