"""Cox models of categorical covariates (Efron ties) and the likelihood-ratio test of an
interaction: the subgroup analyses of a forest plot.

Every covariate is categorical, so patients fall into cells (one per combination of
levels) and the partial likelihood needs only each cell's numbers at risk and events at
each event time (report.stats.cox). A model is a design matrix over the cells: the
linear predictor of cell c is X[c] @ gamma, cell 0 the reference (its row zero). The
saturated model (a parameter per cell but the first) is report.stats.cox's model of
arms; a model with fewer columns is a restriction of it.

Equal to R's `coxph(Surv(time, event) ~ arm + subgroup)` and `~ arm * subgroup`, and
`anova(additive, interaction)` for the interaction's likelihood-ratio test, each fit run
to convergence as report.stats.cox does (Newton-Raphson from zero with step-halving, a
Newton step below 1e-11). The maximum exists where the saturated model's does (its
likelihood is then bounded in every direction, so is any restriction's); else None.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from .cox import CONVERGED, HALVINGS, MAX_STEPS, efron_weights, risk_table, strongly_connected


@dataclass(frozen=True)
class InteractionTest:
    statistic: float  # 2 (log L interaction - log L additive)
    df: int
    p_value: float


def interaction_test(time, event, arm, subgroup) -> InteractionTest | None:
    """The likelihood-ratio test of arm x subgroup interaction (R: anova(coxph(Surv ~ arm +
    subgroup), coxph(Surv ~ arm * subgroup))); None where the saturated fit does not exist or
    there is nothing to test (one arm or one subgroup level present)."""
    arms, subgroups = _codes(arm), _codes(subgroup)
    n_arms, n_levels = int(arms.max()) + 1, int(subgroups.max()) + 1
    if n_arms < 2 or n_levels < 2:
        return None
    cells = arms * n_levels + subgroups
    at_risk, deaths = risk_table(np.asarray(time, float), np.asarray(event, bool), cells, n_arms * n_levels)
    present = at_risk.sum(axis=0) > 0 if len(at_risk) else np.zeros(n_arms * n_levels, bool)
    if not present.all() or not strongly_connected(at_risk, deaths):
        return None  # an empty cell, or a monotone likelihood
    weights, died = efron_weights(at_risk, deaths), deaths.sum(axis=0)
    additive = log_likelihood_at_maximum(weights, died, additive_design(n_arms, n_levels))
    full = log_likelihood_at_maximum(weights, died, np.eye(n_arms * n_levels)[:, 1:])
    if additive is None or full is None:
        return None
    statistic = max(2 * (full - additive), 0.0)
    df = (n_arms - 1) * (n_levels - 1)
    return InteractionTest(statistic, df, float(special.chdtrc(df, statistic)))


def additive_design(n_arms: int, n_levels: int) -> np.ndarray:
    """Cells (arm-major) by columns: arm 1.. indicators, then subgroup level 1.. indicators."""
    rows = []
    for a in range(n_arms):
        for s in range(n_levels):
            rows.append([float(a == k) for k in range(1, n_arms)] + [float(s == k) for k in range(1, n_levels)])
    return np.array(rows)


def log_likelihood_at_maximum(weights: np.ndarray, died: np.ndarray, design: np.ndarray) -> float | None:
    """The maximised log partial likelihood of the model `design` (cells x parameters)."""
    gamma = np.zeros(design.shape[1])
    value, score, information = partial_likelihood(gamma, weights, died, design)
    for _ in range(MAX_STEPS):
        try:
            step = np.linalg.solve(information, score)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(step)):
            return None
        if np.abs(step).max() <= CONVERGED:
            return partial_likelihood(gamma + step, weights, died, design)[0]
        gamma, value, score, information = _ascend(gamma, step, value, weights, died, design)
    return None


def partial_likelihood(gamma: np.ndarray, weights: np.ndarray, died: np.ndarray,
                       design: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information in gamma (Efron weights per cell)."""
    eta = design @ gamma
    shift = eta.max()
    risk = np.exp(eta - shift)
    denominators = weights @ risk
    shares = weights * risk / denominators[:, None]  # event rows x cells
    log_likelihood = float(died @ eta - np.log(denominators).sum() - len(weights) * shift)
    score = design.T @ (died - shares.sum(axis=0))
    information = design.T @ (np.diag(shares.sum(axis=0)) - shares.T @ shares) @ design
    return log_likelihood, score, information


def _ascend(gamma, step, value, weights, died, design):
    """gamma + step, halved while it lowers the likelihood (beyond rounding)."""
    for _ in range(HALVINGS):
        trial = gamma + step
        new, score, information = partial_likelihood(trial, weights, died, design)
        if new >= value - 1e-12 * abs(value):
            return trial, new, score, information
        step = step / 2
    return trial, new, score, information


def _codes(values) -> np.ndarray:
    """0, 1, ... in order of the sorted distinct values (the first is the reference)."""
    values = np.asarray(values, dtype=object)
    levels = sorted(set(values.tolist()), key=str)
    index = {v: i for i, v in enumerate(levels)}
    return np.array([index[v] for v in values], dtype=int)
