"""The person: a learned threat template over depths of closeness, and two routes of response.

Pure functions over immutable NamedTuple pytrees. They are written against the array API
namespace ``xp`` (``jax.numpy`` in the engine, ``numpy`` for reference runs), take their random
numbers as an argument, and are shape-polymorphic with the **structure axes first and the batch
axes last**: a scalar field has shape ``B`` (any batch shape, ``()`` for one person), a depth
field ``(K, *B)``, a context-by-depth field ``(C, K, *B)`` and the draws ``(N_PERSON_DRAWS, *B)``.
Batch-last keeps the units on the innermost, contiguous axis, so every operation is one long
vectorised loop over units (several times faster under XLA than tiny trailing axes of 5); and
values of different rank broadcast against each other without reshaping (a couple's per-couple
value (N,) against its per-member value (2, N)).

Every equation is documented in docs/model.md; the names below follow it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from closeloop.mechanisms import is_on
from closeloop.model import variants
from closeloop.params import SPECS, PersonParams

K = 5
"""Depths of closeness: 0 small talk, 1 opinions and plans, 2 everyday feelings,
3 fears and needs, 4 being fully known."""
DEPTH_NAMES = (
    "small talk",
    "opinions and plans",
    "everyday feelings",
    "fears and needs",
    "being fully known",
)

DAYS_PER_WEEK = 7
"""Days in a step of the early history (a week): the fading of safety is declared per day and
run for a step's days (``tick``), so one rate means the same time in both."""

C = 4
"""Contexts: 0 home (childhood), 1 partner, 2 friend, 3 therapy."""
HOME, PARTNER, FRIEND, THERAPY = 0, 1, 2, 3
CONTEXT_NAMES = ("home", "partner", "friend", "therapy")

BEHAVIOURS = (
    "shares",
    "gets busy",
    "less available",
    "deflects with a joke",
    "shuts down",
    "leaves early",
)
"""Observable response to an offer: 0 shares, 1-5 the forms withdrawal takes."""
SHARES, GETS_BUSY, LESS_AVAILABLE, DEFLECTS, SHUTS_DOWN, LEAVES_EARLY = range(len(BEHAVIOURS))


class PersonState(NamedTuple):
    """What a person carries from day to day.

    Attributes:
        V: (C, K, *B) excitatory threat association per context and depth, in [0, 1].
        I: (C, K, *B) inhibitory (extinction) association per context and depth, in [0, 1]:
            all of it, the labile part included.
        R: (K, *B) expected reward of sharing at each depth, in [0, 1].
        H: (K, *B) avoidance habit at each depth, in [0, 1].
        E: (*B) expectation that intensified seeking brings a response, in [0, 1].
        L: (*B) longing: unmet need for connection, in [0, 1].
        F: (C, K, *B) the labile part of I, recently learned safety not yet consolidated, in
            [0, I] (section 7.8); I - F is the consolidated part.
    """

    V: Any
    I: Any
    R: Any
    H: Any
    E: Any
    L: Any
    F: Any


class Offer(NamedTuple):
    """One moment when closeness is offered (or not) to the person.

    Attributes (each of shape B):
        offered: bool, whether closeness is offered this step.
        depth: int in [0, K), how deep the offer goes.
        context: int in [0, C), who offers it.
        pressure: felt pressure in [0, 1].
        importance: how much sharing matters this time, in [0, 1].
        warmth: probability the other responds warmly if the person shares.
        hurt_rate: probability the other responds with hurt if the person shares.
        protest_gain: how the other's warmth changes with the person's longing (seeking
            intensity): positive when intensified seeking works, negative when it is punished.
        forced: bool, the person shares whatever the routes say.
        salience: learning-rate multiplier (1 for ordinary moments, more for acute events).
        observe_boost: practised observation added to the trait.
        commit: commitment to face the fear, in [0, 1] (0 unless an intervention sets it).
        stress: current stress, in [0, 1]: weakens the retrieval of learned safety.
    """

    offered: Any
    depth: Any
    context: Any
    pressure: Any
    importance: Any
    warmth: Any
    hurt_rate: Any
    protest_gain: Any
    forced: Any
    salience: Any
    observe_boost: Any
    # float32 defaults: a Python float would widen NumPy runs to float64.
    commit: Any = np.float32(0.0)
    stress: Any = np.float32(0.0)


class Response(NamedTuple):
    """What happened at one offer (all fields of shape B).

    Attributes:
        offered: bool, whether there was an offer.
        approached: bool, the person shared.
        automatic: bool, the automatic route closed the door.
        noticed: bool, an automatic reaction was noticed and handed to the deliberate route.
        activation: threat at the offered depth amplified by pressure.
        threat: felt threat at the offered depth, before pressure (``effective_threat``).
        habit: the habit's push toward the automatic route at that depth (0 when ablated).
        arousal: observed arousal (activation plus noise), >= 0.
        behaviour: int index into BEHAVIOURS.
        outcome: int, -1 hurt, 0 neutral, 1 warm (what sharing brought or would have brought).
        distress: arousal endured while staying (sharing); 0 when the person withdrew, because
            escape ends it (the relief that feeds the habit).
        overwhelmed: bool, the person shared with arousal beyond their window of tolerance.
    """

    offered: Any
    approached: Any
    automatic: Any
    noticed: Any
    activation: Any
    threat: Any
    habit: Any
    arousal: Any
    behaviour: Any
    outcome: Any
    distress: Any = np.float32(0.0)
    overwhelmed: Any = np.False_


def initial_state(
    xp: Any, batch: tuple[int, ...] = (), p: PersonParams | None = None
) -> PersonState:
    """A newborn: no threat, no inhibition, no habit, no longing; expected reward and the
    expectation of seeking at ``p.reward_start`` and ``p.seek_start`` (their defaults without
    ``p``)."""
    f = xp.float32
    r0 = SPECS["reward_start"].default if p is None else p.reward_start
    e0 = SPECS["seek_start"].default if p is None else p.seek_start
    return PersonState(
        V=xp.zeros((C, K, *batch), dtype=f),
        I=xp.zeros((C, K, *batch), dtype=f),
        R=(xp.zeros((K, *batch), dtype=f) + r0).astype(f),
        H=xp.zeros((K, *batch), dtype=f),
        E=(xp.zeros(batch, dtype=f) + e0).astype(f),
        L=xp.zeros(batch, dtype=f),
        F=xp.zeros((C, K, *batch), dtype=f),
    )


def levels(xp: Any, n: int, like: Any) -> Any:
    """0 .. n-1 along a new leading axis, broadcastable against an array of ``like``'s shape."""
    return xp.arange(n).reshape((n,) + (1,) * xp.ndim(like))


def at_depth(xp: Any, x: Any, depth: Any) -> Any:
    """The value of a depth field x (K, *B) at each unit's depth (B): a select, not a gather."""
    return xp.sum(xp.where(levels(xp, K, depth) == depth, x, 0.0), axis=0)


def _in_context(xp: Any, s: PersonState, context: Any) -> Any:
    """(C, 1, *B) mask of the context row. The number of rows is the state's own: a kernel that
    only ever meets one context (the couple's) may carry that row alone."""
    context = xp.broadcast_to(context, s.V.shape[2:])  # one context for all, or one per unit
    return (levels(xp, s.V.shape[0], context) == context)[:, None]


def effective_threat(xp: Any, s: PersonState, context: Any, stress: Any = 0.0) -> Any:
    """Felt threat per depth in a context: excitation net of inhibition, clip(V - I(1 - stress)).

    Shape (K, *B). The summation of excitatory and inhibitory strength is Rescorla-Wagner's;
    stress weakens the retrieval of the inhibitory (extinction) memory, not the memory itself
    (Bouton 2004), so felt threat returns while stress lasts and recedes after.
    """
    oc = _in_context(xp, s, context)
    return xp.sum(xp.where(oc, xp.clip(s.V - s.I * (1.0 - stress), 0.0, 1.0), 0.0), axis=0)


def comfort_depth(
    xp: Any, p: PersonParams, s: PersonState, context: Any, flags: Any, lift: Any = 0.0
) -> Any:
    """Deepest depth (float, -1: none) below which every depth's felt threat plus habit in
    ``context`` stays under the automatic route's threshold (raised by ``lift``): the edge of
    what the person can meet without the door closing by itself."""
    T = effective_threat(xp, s, xp.zeros(p.threshold.shape, dtype=xp.int32) + context)
    drive = T + xp.where(is_on(flags, "relief_habit"), p.habit_weight * s.H, 0.0)
    blocked = (drive >= p.threshold + lift) & is_on(flags, "automatic_route")
    # Count the depths before the first blocked one.
    ok_run = xp.cumprod((~blocked).astype(xp.float32), axis=0)
    return xp.sum(ok_run, axis=0) - 1.0


def generalisation(xp: Any, width: Any, depth: Any, flags: Any) -> Any:
    """Weight (K, *B) with which an outcome at ``depth`` teaches each depth: exp(-|j-k|/width)."""
    j = levels(xp, K, depth).astype(xp.float32)
    dist = xp.abs(j - depth.astype(xp.float32))
    g = xp.exp(-dist / width)
    return xp.where(is_on(flags, "generalisation"), g, (dist == 0).astype(xp.float32))


def seeking_weight(xp: Any, s: PersonState, flags: Any) -> Any:
    """Attachment strategy: +1 pushes unmet need toward closeness, -1 away from it.

    A person who expects closeness to be met (mean R high) seeks; one who does not either
    hyperactivates (seeking was learned to work, E high) or deactivates (E low).
    """
    avail = xp.mean(s.R, axis=0)
    w = avail + (1.0 - avail) * (2.0 * s.E - 1.0)
    return xp.where(is_on(flags, "attachment_strategy"), w, 1.0)


def learn(
    xp: Any,
    p: PersonParams,
    s: PersonState,
    o: Offer,
    r: Response,
    flags: Any,
    variant: Any = None,
) -> PersonState:
    """Update threat, inhibition, reward, habit, seeking expectation and longing after a step.

    ``variant``: an adult variant's switch vector (``variants.switches``); None (the early
    history, and closeloop itself) learns by closeloop's rules.
    """
    f32 = xp.float32
    # Withdrawal means no outcome is experienced (protection from extinction); ablated, the
    # person learns from the outcome sharing would have had.
    experienced = r.approached | (r.offered & ~is_on(flags, "extinction_protection"))
    seen = experienced.astype(f32)
    g_act = generalisation(xp, p.gen_width, o.depth, flags)  # (K, *B)
    g = g_act * seen
    g_ext = generalisation(xp, p.ext_width, o.depth, flags) * seen
    oc = _in_context(xp, s, o.context)  # (C, 1, *B)
    # Being overwhelmed is an aversive outcome in its own right, even with a warm response.
    hurt = ((r.outcome == -1) | r.overwhelmed).astype(f32)
    warm = ((r.outcome == 1) & ~r.overwhelmed).astype(f32)
    sal = o.salience

    # Rescorla-Wagner prediction error at each depth, against the threat this context holds.
    stress = xp.where(is_on(flags, "stress_relapse"), o.stress, 0.0)
    T = effective_threat(xp, s, o.context)
    delta = hurt - T  # (K, *B)
    up = xp.maximum(delta, 0.0) * g
    down = xp.maximum(-delta, 0.0) * g_ext

    # Worse than predicted: the hurt first undoes safety learned in this context (reinstatement),
    # and what is left of the error raises the excitatory template.
    rise = xp.where(is_on(flags, "threat_learning"), xp.minimum(p.alpha_acq * sal, 1.0) * up, 0.0)
    I_here = xp.sum(xp.where(oc, s.I, 0.0), axis=0)
    undo = xp.minimum(I_here, rise)
    # Safer than predicted: new inhibitory learning beside the threat, never erasing it. Most of
    # it stays bound to this context; the share ext_transfer is learned in every context.
    # Under stress safety is learned less well, as it is retrieved less well.
    fall = xp.where(is_on(flags, "extinction"), xp.minimum(p.alpha_ext * sal, 1.0) * down, 0.0)
    fall = fall * (1.0 - stress)
    # Without a labile stage, a lesson enters the consolidated store at once, at the share of it
    # that consolidation would have kept (level-matched: the same safety in the long run).
    labile = is_on(flags, "labile_safety")
    fall = xp.where(labile, fall, fall * kept_share(xp, p, flags))
    transfer = xp.where(is_on(flags, "context_binding"), p.ext_transfer, 1.0)

    # Acquisition reaches every context's template unless shared_template is off.
    shared = xp.where(is_on(flags, "shared_template"), 1.0, oc.astype(f32))
    dV = (rise - undo)[None] * shared
    dI = (fall * transfer)[None] + xp.where(oc, (fall * (1.0 - transfer) - undo)[None], 0.0)
    V = xp.clip(s.V + dV, 0.0, 1.0)
    I = xp.clip(s.I + dI, 0.0, 1.0)
    # New safety enters the labile part (without a labile stage, none does); a hurt undoes the
    # labile part first (the most recent).
    dF = xp.where(labile, I - s.I, xp.minimum(I - s.I, 0.0))
    F = xp.clip(s.F + dF, 0.0, I)

    dR = xp.minimum(p.alpha_reward * sal, 1.0) * g * (warm - s.R)
    R = xp.clip(s.R + xp.where(is_on(flags, "reward_learning"), dR, 0.0), 0.0, 1.0)

    # Relief (the activation escaped) reinforces the avoidance habit; staying weakens it.
    withdrew = (r.offered & ~r.approached).astype(f32)
    dH = withdrew * p.habit_rate * r.activation * g_act * (1.0 - s.H)
    dH = dH - r.approached.astype(f32) * p.habit_decay * g_act * s.H
    H = xp.clip(s.H + xp.where(is_on(flags, "relief_habit"), dH, 0.0), 0.0, 1.0)

    # Seeking efficacy: does reaching out with need get a response?
    seeking = r.approached.astype(f32) * s.L
    E = xp.clip(s.E + p.alpha_seek * seeking * (warm - s.E), 0.0, 1.0)

    # A warm response to sharing meets part of the need, more so the deeper the sharing.
    kf = o.depth.astype(f32)
    met = r.approached.astype(f32) * warm * p.satisfy * (kf + 1.0) / K
    L = xp.clip(s.L - met * s.L, 0.0, 1.0)
    if variant is None:
        return PersonState(V=V, I=I, R=R, H=H, E=E, L=L, F=F)
    # One store (erasure): safety lowers the threat itself wherever acquisition reaches; the
    # inhibitory store, emptied at the start of adult life (variants.begin), stays empty.
    one = ~variants.separate(variant)
    V = xp.where(one, xp.clip(s.V + dV - fall[None] * shared, 0.0, 1.0), V)
    I = xp.where(one, s.I, I)
    F = xp.where(one, s.F, F)
    # No adult learning (static): only the need moves.
    fixed = ~variants.learns(variant)
    keep = [
        xp.where(fixed, a, b)
        for a, b in zip((s.V, s.I, s.R, s.H, s.E), (V, I, R, H, E), strict=True)
    ]
    return PersonState._make([*keep, L, xp.where(fixed, s.F, F)])


def kept_share(xp: Any, p: PersonParams, flags: Any) -> Any:
    """The share of a lesson of safety that ends in the consolidated store when nothing renews
    it: each day a fraction ``labile_fade`` of the labile part fades and a fraction
    ``consolidation`` of the rest is consolidated, so the share is c(1 - f) / (1 - (1 - f)(1 - c))
    (1 with ``spontaneous_recovery`` off, when nothing fades)."""
    f = xp.where(is_on(flags, "spontaneous_recovery"), p.labile_fade, 0.0)
    c = p.consolidation
    den = 1.0 - (1.0 - f) * (1.0 - c)
    # Neither fading nor consolidating, a lesson stays labile and whole.
    return xp.where(den > 0.0, c * (1.0 - f) / xp.where(den > 0.0, den, 1.0), 1.0)


def tick(
    xp: Any,
    p: PersonParams,
    s: PersonState,
    flags: Any,
    variant: Any = None,
    days: int = 1,
) -> PersonState:
    """The passing of one step of ``days`` days: unmet need grows toward 1 at a rate set by the
    drive, and learned safety fades unless renewed (spontaneous recovery; not in a variant
    without adult learning, ``variant`` as in ``learn``), on two timescales (section 7.8): the
    labile part fades fast or is consolidated, the consolidated part fades slowly. The rates are
    per day; a step of several days runs them day by day, so a week's step fades by exactly
    1 - (1 - k)^7."""
    L = xp.clip(s.L + p.longing_rate * p.drive * (1.0 - s.L), 0.0, 1.0)
    on = is_on(flags, "spontaneous_recovery")
    if variant is not None:
        on = on & variants.learns(variant)
    slow = xp.where(on, p.recovery, 0.0)
    fast = xp.where(on, p.labile_fade, 0.0)
    move = xp.where(is_on(flags, "labile_safety"), p.consolidation, 0.0)
    if variant is not None:
        move = xp.where(variants.learns(variant), move, 0.0)
    F, kept = s.F, s.I - s.F
    for _ in range(days):
        F = F * (1.0 - fast)
        kept = kept * (1.0 - slow) + move * F
        F = F * (1.0 - move)
    return s._replace(L=xp.where(is_on(flags, "unmet_need"), L, 0.0), I=kept + F, F=F)


def once(xp: Any, tree: Any, token: Any) -> Any:
    """``tree`` unchanged, computed once under XLA.

    XLA's CPU compiler fuses cheap elementwise producers into every consumer, so without a
    boundary the whole chain of the day's decisions (per member) is recomputed inside each of
    the many fusions that use it, five times over in the per-depth ones (measured: 2.4 times
    the work of the whole day). A conditional is a boundary XLA does not fuse across: its
    operands are computed once, into memory. (``lax.optimization_barrier`` would be the natural
    tool, but XLA's CPU pipeline removes it before fusion.) ``token`` is any traced value that
    is never negative, so the identity branch is the one taken; under NumPy this is the
    identity.
    """
    if xp.__name__ != "jax.numpy":
        return tree
    import jax

    return jax.lax.cond(token >= 0, lambda x: x, lambda x: jax.tree.map(xp.zeros_like, x), tree)
