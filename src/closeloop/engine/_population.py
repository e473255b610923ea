"""Units at the start of adult life: drawn from the population tables, then raised from birth
to adulthood by the weekly history scan. Batch-last throughout (``person.py``'s convention)."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import ndtri

from closeloop.engine._keys import categorical, draws, fold, unit_keys
from closeloop.mechanisms import is_on
from closeloop.model.couple import initial_couple
from closeloop.model.history import (
    HISTORY_STEPS,
    MAX_EVENTS,
    N_CONTINGENCY,
    N_HISTORY_DRAWS,
    WEEKS_PER_YEAR,
    HistoryDraws,
    care_change_prob,
    contingency_terms,
    history_offer,
    learned_anxiety,
    next_care,
    protest_slope,
)
from closeloop.model.person import PersonState, initial_state
from closeloop.model.response import N_PERSON_DRAWS, person_step
from closeloop.model.world import N_WORLD_DRAWS
from closeloop.params import HISTORY, SPECS, TRAITS, CoupleParams, HistoryParams, PersonParams

N_DRAWS = N_PERSON_DRAWS + max(N_HISTORY_DRAWS, N_WORLD_DRAWS)
"""Uniforms per person-step: the person's, then those of the world (or history) around them."""

xp = jnp


def _sample_unit(
    key: jax.Array, age_jitter: jax.Array, tab: dict[str, jax.Array]
) -> tuple[Any, ...]:
    """Draw a unit's preset, caregiving style, traits and event weeks (their ages varied by
    ``age_jitter`` years either side) from the population tables, and the individual jitter of
    its learned anxiety."""
    # Jitter draws for the traits only (the later person fields never vary), so the draws, and
    # with them every run, stay those of before those fields were declared.
    n_p, n_t = tab["traits"].shape[1], len(TRAITS)
    u = jax.random.uniform(key, (2 + n_t + MAX_EVENTS,), minval=1e-7, maxval=1.0 - 1e-7)
    pre = categorical(u[0], tab["probs"])
    style = categorical(u[1], tab["styles"][pre])
    z = jnp.concatenate([ndtri(u[2 : 2 + n_t]), jnp.zeros(n_p - n_t, dtype=u.dtype)])
    traits = jnp.clip(tab["traits"][pre] + tab["trait_sd"] * z, tab["low"], tab["high"])
    kind = tab["ev_kind"][pre]
    age = tab["ev_age"][pre] + (u[2 + n_t :] - 0.5) * 2.0 * age_jitter
    age = jnp.clip(age, 0.0, HISTORY_STEPS / WEEKS_PER_YEAR - 0.1)
    step = jnp.where(kind >= 0, (age * WEEKS_PER_YEAR).astype(jnp.int32), -1)
    i_anx = TRAITS.index("anxiety")
    return pre, style, traits, step, kind, tab["trait_sd"][i_anx] * z[i_anx]


def sample(
    keys: jax.Array, tab: dict[str, jax.Array], fixed: jax.Array, hp: HistoryParams = HISTORY
) -> tuple[Any, ...]:
    """Preset and style (*B), traits as PersonParams of (*B) arrays, event weeks and kinds
    (MAX_EVENTS, *B) for every key of (*B, 2) keys, and (*B) whether and with what jitter the
    adult anxiety is learned from the history (``adult_traits``).

    ``fixed``: (P, *B) per-unit trait values that replace the drawn ones where not NaN (a sweep
    or a fit setting a trait unit by unit); the draws are made either way, so fixing one trait
    leaves every other draw of the unit as it was. ``hp``: the history's parameters (scalars or
    (*B)), of which the event ages' jitter is used here.
    """
    f: Any = partial(_sample_unit, tab=tab)
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    age_jitter = jnp.broadcast_to(hp.event_age_jitter, keys.shape[:-1])
    pre, style, traits, step, kind, jitter = f(keys, age_jitter)
    last = partial(jnp.moveaxis, source=-1, destination=0)
    # Learned unless the scenario sets the trait for this preset, or a sweep or fit for this unit.
    learn = (tab["learn_anxiety"][pre] > 0) & jnp.isnan(fixed[TRAITS.index("anxiety")])
    traits = jnp.where(jnp.isnan(fixed), last(traits), fixed)
    return pre, style, PersonParams(*traits), last(step), last(kind), (learn, jitter)


def adult_traits(
    p: PersonParams, hp: HistoryParams, slope: jax.Array, learn: tuple[Any, Any]
) -> PersonParams:
    """The traits at the start of adult life: ``anxiety`` learned from the history's protest
    contingency (``history.learned_anxiety``, plus the unit's jitter) where ``learn`` says so."""
    on, jitter = learn
    spec = SPECS["anxiety"]
    anx = jnp.clip(learned_anxiety(xp, hp, slope) + jitter, spec.low, spec.high)
    return p._replace(anxiety=jnp.where(on, anx, p.anxiety).astype(p.anxiety.dtype))


def history(
    keys: jax.Array,
    p: PersonParams,
    hp: HistoryParams,
    style: Any,
    ev_step: Any,
    ev_kind: Any,
    tab: dict[str, jax.Array],
    flags: jax.Array,
    child_weeks: tuple[int, ...] = (),
    care_weights: Any = None,
) -> tuple[PersonState, jax.Array, jax.Array, dict[str, Any]]:
    """Run birth to adulthood for a batch B of people (keys (*B, 2)); return the adult state,
    (4, *B) counts: approaches, hurt when approaching, withdrawals, hurt experienced when
    withdrawing, (*B) the learned protest contingency (``history.protest_slope``), and the
    child snapshots: at the start of each week of ``child_weeks`` (static; empty: none, and the
    program is the one without them) the state's fields and the protest contingency so far,
    each with a leading snapshot axis. ``hp``: the history's parameters, scalars or one value
    per unit (B), shared by a couple's members. ``care_weights``: (S, *B) the caregiving styles
    a change of caregiving draws from (``history.next_care``; None: the population of ``tab``)."""
    batch = style.shape
    protected = is_on(flags, "extinction_protection")
    changing = is_on(flags, "caregiving_change")
    if care_weights is None:
        care_weights = population_styles(tab, batch)
    care_cum = jnp.cumsum(care_weights, axis=0)

    def keep(snaps: Any, s: PersonState, cont: jax.Array, t: jax.Array) -> Any:
        # The state as the week begins, kept where the week is one asked for.
        now = (s, protest_slope(xp, hp, cont))
        return tuple(
            jax.tree.map(lambda b, x, w=w: jnp.where(t == w, x, b), snap, now)
            for snap, w in zip(snaps, child_weeks, strict=True)
        )

    def week(carry: tuple[Any, ...], t: jax.Array) -> Any:
        s, acc, cont, care = carry[:4]
        snaps = keep(carry[4], s, cont, t) if child_weeks else None
        u = draws(keys, t, N_DRAWS)
        p_change = care_change_prob(xp, hp, t, changing)
        care = next_care(xp, care, care_cum, p_change, HistoryDraws.of(u[N_PERSON_DRAWS:]).care)
        o = history_offer(
            xp,
            hp,
            t,
            care,
            ev_step,
            ev_kind,
            tab["style_table"],
            tab["event_table"],
            u[N_PERSON_DRAWS:],
        )
        s2, r = person_step(xp, p, s, o, u, flags, token=t)
        hurt = (r.outcome == -1).astype(jnp.float32)
        app = r.approached.astype(jnp.float32)
        wd = (r.offered & ~r.approached).astype(jnp.float32)
        acc = acc + jnp.stack([app, app * hurt, wd, wd * hurt * jnp.where(protected, 0.0, 1.0)])
        cont = cont + contingency_terms(xp, o, r, s.L)
        return ((s2, acc, cont, care, snaps) if child_weeks else (s2, acc, cont, care)), None

    zeros = jnp.zeros
    s0 = initial_state(xp, batch, p)
    init: tuple[Any, ...] = (s0, zeros((4, *batch)), zeros((N_CONTINGENCY, *batch)), style)
    if child_weeks:
        init = (*init, tuple((s0, zeros(batch)) for _ in child_weeks))
    out, _ = jax.lax.scan(week, init, jnp.arange(HISTORY_STEPS))
    s, acc, cont = out[:3]
    child: dict[str, Any] = {}
    if child_weeks:
        stack = lambda *xs: jnp.stack(xs)  # noqa: E731  (snapshot axis first)
        states, slopes = (
            jax.tree.map(stack, *out[4])
            if len(out[4]) > 1
            else (jax.tree.map(lambda x: x[None], out[4][0]))
        )
        child = {**states._asdict(), "slope": slopes}
    return s, acc, protest_slope(xp, hp, cont), child


def population_styles(tab: dict[str, jax.Array], batch: tuple[int, ...]) -> jax.Array:
    """(S, *batch) the population's share of each caregiving style: the presets' styles weighted
    by the presets' shares (what a change of caregiving draws from)."""
    w = tab["probs"] @ tab["styles"]
    return jnp.broadcast_to(w.reshape((-1,) + (1,) * len(batch)), (w.shape[0], *batch))


def person_start(
    indices: jax.Array,
    seed_key: jax.Array,
    tab: dict[str, jax.Array],
    fixed: jax.Array,
    flags: jax.Array,
    hp: HistoryParams = HISTORY,
    child_weeks: tuple[int, ...] = (),
) -> dict[str, Any]:
    """The people of ``indices`` at the start of adult life (their history by ``hp``: scalars
    or one value per unit, batch-last), batch-last: ``p`` (traits),
    ``state`` (the adult template), ``history`` (counts), ``key`` (adult keys (*B, 2)),
    ``preset``, ``style``, ``event_week``, ``event_kind``, and ``child`` (the history's
    snapshots at ``child_weeks``, ``history``; empty without them)."""
    keys = unit_keys(seed_key, indices)
    k_pop, k_hist, k_adult = (fold(keys, j) for j in range(3))
    pre, style, p, ev_step, ev_kind, learn = sample(k_pop, tab, fixed, hp)
    s0, hist, slope, child = history(
        k_hist, p, hp, style, ev_step, ev_kind, tab, flags, child_weeks
    )
    p = adult_traits(p, hp, slope, learn)
    return {
        "p": p,
        "state": s0,
        "history": hist,
        "key": k_adult,
        "preset": pre,
        "style": style,
        "event_week": ev_step,
        "event_kind": ev_kind,
        "child": child,
    }


def couple_start(
    indices: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    flags: jax.Array,
    therapy: bool = False,
    fixed: jax.Array | None = None,
    cp: CoupleParams | None = None,
    hp: HistoryParams = HISTORY,
) -> dict[str, Any]:
    """The couples of ``indices`` at the start of their relationship, batch-last.

    Each couple's key is fold_in(seed_key, index); from it come both members' presets, traits
    and histories (member a from ``tab_a``, b from ``tab_b``; the style and event tables are
    shared) and the key of its adult days. ``fixed``: (2, P, *B) per-member trait values that
    replace the drawn ones where not NaN (None: none). ``cp``: the relationship's settings (its
    starting levels; their defaults without it). ``hp``: the history's parameters, scalars or
    one value per couple (B), shared by its members.

    Returns:
        ``pp`` (traits, fields (2, *B)), ``state`` (``couple.initial_couple``), ``key`` (adult
        keys (*B, 2)), ``preset`` and ``style`` ((2, *B)).
    """
    keys = unit_keys(seed_key, indices)
    k = [fold(keys, j) for j in range(5)]
    if fixed is None:
        n_p = tab_a["traits"].shape[1]
        fixed = jnp.full((2, n_p, *indices.shape), jnp.nan, dtype=jnp.float32)
    pre_a, style_a, p_a, ev_a, kind_a, learn_a = sample(k[0], tab_a, fixed[0], hp)
    pre_b, style_b, p_b, ev_b, kind_b, learn_b = sample(k[1], tab_b, fixed[1], hp)
    both = lambda a, b: jnp.stack([a, b])  # noqa: E731
    pp = jax.tree.map(both, p_a, p_b)
    persons, _, slope, _ = history(
        jnp.stack([k[2], k[3]]),
        pp,
        hp,
        jnp.stack([style_a, style_b]),
        jnp.stack([ev_a, ev_b], axis=1),  # (MAX_EVENTS, 2, *B)
        jnp.stack([kind_a, kind_b], axis=1),
        tab_a,
        flags,
        care_weights=jnp.stack(
            [population_styles(t, indices.shape) for t in (tab_a, tab_b)], axis=1
        ),  # (S, 2, *B): each member's caregiving changes within their own population
    )
    pp = adult_traits(pp, hp, slope, jax.tree.map(both, learn_a, learn_b))
    return {
        "pp": pp,
        "state": initial_couple(xp, persons, therapy, cp),
        "key": k[4],
        "preset": jnp.stack([pre_a, pre_b]),
        "style": jnp.stack([style_a, style_b]),
    }
