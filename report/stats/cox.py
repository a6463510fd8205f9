"""The Cox model of arms (Efron ties), converged to the exact maximum-likelihood estimate.

Equal to R's `coxph(Surv(time, event) ~ arm, ties = "efron")` run to convergence
(`coxph.control(eps = 1e-14)`): Newton-Raphson from zero with step-halving, stopped only
when a Newton step is below 1e-11, where the next one would be below 1e-20 (the method
converges quadratically). The covariates are arm indicators, so the partial likelihood
needs only counts: at each event time, how many of each arm are at risk and how many die.

Whether the estimate exists at all is decided exactly, not by watching the iterations:
the likelihood is monotone (some ratio runs off to 0 or infinity) unless every arm reaches
every other in the graph where arm a points to arm b when a patient of arm a has an event
while one of arm b is at risk. (A direction in which no term decreases is a score per arm
with score(a) >= score(b) on every such edge; only constant scores satisfy all of them
exactly when the graph is strongly connected.)

Stratified (`coxph(Surv(time, event) ~ arm + strata(s))`): the partial likelihood is a sum
over strata, so the risk tables of the strata are stacked (each row a time within one
stratum) and the rest is unchanged; an edge of the graph may come from any stratum.
The overall tests of R's summary.coxph come with the fit: likelihood ratio
2 (l(beta) - l(0)), Wald beta' I(beta) beta, and score U(0)' I(0)^-1 U(0) (Efron's
information at zero, as R's "Score (logrank) test").
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_STEPS = 100
CONVERGED = 1e-11  # largest Newton step (log hazard ratio) at which the fit stops
HALVINGS = 60


@dataclass(frozen=True)
class CoxFit:
    coef: np.ndarray  # log hazard ratio of each arm 1.. against arm 0
    se: np.ndarray  # Wald standard errors: the inverse information at the estimate
    likelihood_ratio: float = float("nan")  # 2 (l(beta) - l(0)), chi-square on len(coef) df
    wald: float = float("nan")  # beta' I(beta) beta
    score: float = float("nan")  # U(0)' I(0)^-1 U(0)


def fit_arms(time, event, group, n_groups: int, strata=None) -> CoxFit | None:
    """The fit of arms 1..n_groups-1 against arm 0 (`group` holds 0..n_groups-1), within
    `strata` (a label per patient) if given; None where the maximum-likelihood estimate
    does not exist (monotone likelihood)."""
    at_risk, deaths = stratified_risk_table(time, event, group, n_groups, strata)
    if not strongly_connected(at_risk, deaths):
        return None
    weights, died = efron_weights(at_risk, deaths), deaths.sum(axis=0)[1:]
    try:
        beta = newton_raphson(weights, died)
        if beta is None:
            return None
        log_likelihood, _, information = partial_likelihood(beta, weights, died)
        se = np.sqrt(np.diag(np.linalg.inv(information)))
        null, score, null_information = partial_likelihood(np.zeros(len(died)), weights, died)
        score_test = float(score @ np.linalg.solve(null_information, score))
    except np.linalg.LinAlgError:  # singular information: not seen with a strongly connected graph
        return None
    if not (np.all(np.isfinite(se)) and np.all(np.isfinite(beta))):
        return None
    return CoxFit(beta, se, 2 * (log_likelihood - null), float(beta @ information @ beta), score_test)


def score_test(time, event, group, n_groups: int, strata=None) -> float | None:
    """R's score test of arms (U(0)' I(0)^-1 U(0)), which exists also where the estimate
    does not; None without events or with a singular information at zero."""
    at_risk, deaths = stratified_risk_table(time, event, group, n_groups, strata)
    if not deaths.sum():
        return None
    weights, died = efron_weights(at_risk, deaths), deaths.sum(axis=0)[1:]
    _, score, information = partial_likelihood(np.zeros(len(died)), weights, died)
    try:
        value = float(score @ np.linalg.solve(information, score))
    except np.linalg.LinAlgError:
        return None
    return value if np.isfinite(value) else None


def stratified_risk_table(time, event, group, n_groups: int, strata=None) -> tuple[np.ndarray, np.ndarray]:
    """The risk tables of each stratum stacked: a row per event time within a stratum."""
    time, event, group = np.asarray(time, float), np.asarray(event, bool), np.asarray(group, int)
    if strata is None:
        return risk_table(time, event, group, n_groups)
    labels = np.asarray(strata, dtype=object)
    tables = [risk_table(time[mine], event[mine], group[mine], n_groups)
              for mine in (labels == s for s in dict.fromkeys(labels.tolist()))]
    return np.vstack([t[0] for t in tables]), np.vstack([t[1] for t in tables])


def risk_table(time: np.ndarray, event: np.ndarray, group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """At each distinct event time (rows), the number at risk and the events, by arm (columns)."""
    times = np.unique(time[event])
    at_risk = np.zeros((len(times), n_groups))
    deaths = np.zeros((len(times), n_groups))
    for g in range(n_groups):
        mine = np.sort(time[group == g])
        at_risk[:, g] = len(mine) - np.searchsorted(mine, times, side="left")
        died = np.sort(time[(group == g) & event])
        deaths[:, g] = np.searchsorted(died, times, side="right") - np.searchsorted(died, times, side="left")
    return at_risk, deaths


def strongly_connected(at_risk: np.ndarray, deaths: np.ndarray) -> bool:
    """Whether every arm reaches every other through 'an event of a while b is at risk'."""
    edges = ((deaths > 0).T.astype(int) @ (at_risk > 0).astype(int)) > 0
    reach = edges | np.eye(len(edges), dtype=bool)
    while True:
        wider = (reach.astype(int) @ reach.astype(int)) > 0
        if (wider == reach).all():
            return bool(reach.all())
        reach = wider


def efron_weights(at_risk: np.ndarray, deaths: np.ndarray) -> np.ndarray:
    """One row per event (the k-th of d tied at a time): each arm's weight in Efron's
    denominator, at risk less k/d of that arm's tied events."""
    rows = []
    for n, d in zip(at_risk, deaths):
        total = int(d.sum())
        rows += [n - (k / total) * d for k in range(total)]
    return np.array(rows)


def partial_likelihood(beta: np.ndarray, weights: np.ndarray, died: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information at beta."""
    full = np.concatenate(([0.0], beta))
    shift = full.max()
    risk = np.exp(full - shift)
    denominators = weights @ risk
    shares = weights[:, 1:] * risk[1:] / denominators[:, None]
    log_likelihood = float(died @ beta - np.log(denominators).sum() - len(weights) * shift)
    score = died - shares.sum(axis=0)
    information = np.diag(shares.sum(axis=0)) - shares.T @ shares
    return log_likelihood, score, information


def newton_raphson(weights: np.ndarray, died: np.ndarray) -> np.ndarray | None:
    """The maximum of the partial likelihood, from zero; None if it is not reached."""
    beta = np.zeros(len(died))
    log_likelihood, score, information = partial_likelihood(beta, weights, died)
    for _ in range(MAX_STEPS):
        step = np.linalg.solve(information, score)
        if not np.all(np.isfinite(step)):
            return None
        if np.abs(step).max() <= CONVERGED:
            return beta + step
        beta, log_likelihood, score, information = _ascend(beta, step, log_likelihood, weights, died)
    return None


def _ascend(beta, step, log_likelihood, weights, died):
    """beta + step, halved while it lowers the likelihood (beyond rounding)."""
    for _ in range(HALVINGS):
        trial = beta + step
        new, score, information = partial_likelihood(trial, weights, died)
        if new >= log_likelihood - 1e-12 * abs(log_likelihood):
            return trial, new, score, information
        step = step / 2
    return trial, new, score, information
