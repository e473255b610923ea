// The sandbox's charts for a person scenario: one person's felt threat by depth, the deep
// threat and the pull-back point over time with the population's spread, and closeness taken
// up or turned down by depth. Loaded before app.js; uses its helpers ($, Charts, pct).
"use strict";

const Person = (() => {
  const C = Charts.OKABE;
  // One colour and one dash per depth (shallow to deep): two cues, not one.
  const DEPTH = [C.sky, C.green, C.orange, C.blue, C.vermillion];
  const DASH = ["1 5", "2 3", "10 3 2 3", "7 4", ""];

  function spread(b, label, color, dash) {
    return { label, color, dash, y: b.q50, lo: b.q25, hi: b.q75, lo2: b.q05, hi2: b.q95 };
  }

  // Runs under two years are drawn in months, so the axis has more than one tick.
  function axis(years) {
    const short = years[years.length - 1] < 2;
    return short ? { x: years.map(y => y * 12), xLabel: "months of adult life" } : { x: years, xLabel: "years of adult life" };
  }

  function paragraphs(node, texts) {
    node.replaceChildren(...texts.map(t => { const p = document.createElement("p"); p.textContent = t; return p; }));
  }

  function render(d) {
    const k = d.depths.length, ex = d.example, end = d.years.length - 1;
    const flat = v => d.years.map(() => v);
    const { x, xLabel } = axis(d.years);
    Charts.line($("fig-p-threat"), {
      title: `One simulated person's felt threat by depth (${ex.profile} profile)`, x, xLabel,
      yLabel: "felt threat (0 to 1)", right: 190,
      desc: `Month by month, the felt threat of a partner's closeness at each of the ${k} depths for one simulated person, with their alarm threshold; where a line is above the threshold, the automatic route closes the door more often than not.`,
      series: [
        ...d.depths.map((name, i) => ({ label: `${i} ${name}`, color: DEPTH[i % 5], dash: DASH[i % 5], y: ex.threat[i] })),
        { label: "alarm threshold", color: C.black, dash: "3 3", width: 1.5, y: flat(ex.threshold) },
      ],
    });
    $("cap-p-threat").textContent = `From a real run of the model: the person closest to the most common path (see the story). Depths: ${d.depths.map((x, i) => `${i} ${x}`).join("; ")}.`;
    Charts.line($("fig-p-deep"), {
      title: "Felt threat at the deepest levels, across all simulated people", x, xLabel,
      yLabel: "felt threat (0 to 1)",
      desc: `Median felt threat at the two deepest depths across the ${d.n} simulated people, with bands for the middle half and nine in ten, and the one person's own line.`,
      series: [
        spread(d.deep, "all people (median)", C.blue, ""),
        { label: "the one person", color: C.vermillion, dash: "7 4", y: ex.deep },
      ],
    });
    $("cap-p-deep").textContent = "Median; dark band: middle half of people, light band: nine in ten.";
    const names = v => (v >= k ? "none" : `${Math.round(v)}`);
    Charts.line($("fig-p-pullback"), {
      title: "The pull-back point over time", x, xLabel, yMin: 0, yMax: k,
      yTicks: [...Array(k + 1).keys()], yFormat: names, yLabel: "depth (none: no pulling back)",
      desc: `The first depth at which a partner's closeness sets the alarm off past its threshold (${k}, none, when no depth does), month by month: the median person with bands for the middle half and nine in ten, and the one person.`,
      series: [
        spread(d.pullback, "all people (median)", C.blue, ""),
        { label: "the one person", color: C.vermillion, dash: "7 4", y: ex.pullback },
      ],
    });
    $("cap-p-pullback").textContent =
      `Higher is deeper. ${pct(d.pullback_share[0])} of people pulled back at some depth at the start of adult life, ` +
      `${pct(d.pullback_share[end])} at the end of the run.`;
    const took = d.acceptance.mean;
    Charts.bars($("fig-p-accept"), {
      title: `Closeness a ${d.context} offered: taken up or turned down, by depth`, groups: d.depths.map((x, i) => `${i}`),
      xLabel: "depth (0 small talk … 4 fully known)", yLabel: "share of offers", right: 200,
      desc: `For each depth, the average share of a ${d.context}'s offers the simulated people took up (with the 5th to 95th percentile across people) and turned down, and the one person's share taken up.`,
      series: [
        { label: "taken up, average", color: C.green, values: took, lo: d.acceptance.low, hi: d.acceptance.high, spread: "5th to 95th percentile" },
        { label: "turned down, average", color: C.vermillion, values: took.map(v => (v === null ? null : 1 - v)), hatch: true },
        { label: "taken up, the one person", color: C.blue, values: ex.acceptance },
      ],
    });
    $("cap-p-accept").textContent = "Whiskers: the middle 90% of people. Hatched: turned down.";
    paragraphs($("p-story"), d.story);
    paragraphs($("p-summary"), d.summary);
  }

  return { render, axis };
})();
