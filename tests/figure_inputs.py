"""Hand-built inputs for the figure tests: Kaplan-Meier blocks and cumulative-incidence dicts
in the ledger's shapes, from seeded random data (the figures only draw them)."""
from __future__ import annotations

import random


def km_block(seed: int, n: int, censor_every: int = 3, scale: float = 12.0, follow: float = 30.0,
             median: float | None = None) -> dict:
    """A survival block (curve, risk_table, median) from n random times; every censor_every-th censored,
    and everyone still alive at `follow` censored there."""
    rng = random.Random(seed)
    data = []
    for k in range(n):
        t = round(min(rng.expovariate(1 / scale), follow), 2)
        data.append((t, t < follow and k % censor_every != 0))
    times = sorted({t for t, _ in data})
    s, curve = 1.0, [{"time": 0.0, "n_at_risk": n, "events": 0, "censored": 0, "survival": 1.0,
                      "ci_low": None, "ci_high": None}]
    for t in times:
        r = sum(1 for u, _ in data if u >= t)
        d = sum(1 for u, e in data if u == t and e)
        c = sum(1 for u, e in data if u == t and not e)
        s *= (r - d) / r
        curve.append({"time": t, "n_at_risk": r, "events": d, "censored": c, "survival": s,
                      "ci_low": max(s - 0.1, 0), "ci_high": min(s + 0.1, 1)})
    risk = [{"time": float(t), "n_at_risk": sum(1 for u, _ in data if u >= t)} for t in range(0, int(follow) + 1, 6)]
    return {"n": n, "events": sum(e for _, e in data), "conf_type": "log-log", "confidence": 0.95,
            "median": {"estimate": median, "ci_low": None, "ci_high": None}, "landmarks": [],
            "curve": curve, "risk_table": risk}


def incidence_data(seed: int, n: int, rate: float = 0.05, competing_rate: float = 0.03,
                   follow: float = 36.0) -> list[tuple[float, int]]:
    """(time, status) per patient: 0 censored, 1 the event, 2 the competing event; times to 0.1, tied."""
    rng = random.Random(seed)
    data = []
    for _ in range(n):
        t1, t2, c = rng.expovariate(rate), rng.expovariate(competing_rate), rng.uniform(6, follow)
        t = round(min(t1, t2, c), 1)
        data.append((t, 0 if t == round(c, 1) else (1 if t1 < t2 else 2)))
    return data


def incidence_from(data: list[tuple[float, int]]) -> dict:
    """asdict(CumulativeIncidence) of the data (Aalen-Johansen; the CI is a stand-in band)."""
    surv, f1, f2, curve = 1.0, 0.0, 0.0, []
    for t in sorted({t for t, _ in data}):
        r = sum(1 for u, _ in data if u >= t)
        d1 = sum(1 for u, k in data if u == t and k == 1)
        d2 = sum(1 for u, k in data if u == t and k == 2)
        c = sum(1 for u, k in data if u == t and k == 0)
        f1, f2, surv = f1 + surv * d1 / r, f2 + surv * d2 / r, surv * (r - d1 - d2) / r
        curve.append({"time": t, "n_at_risk": r, "events": d1, "competing": d2, "censored": c, "estimate": f1,
                      "ci_low": max(f1 - 0.08, 0), "ci_high": min(f1 + 0.08, 1), "competing_estimate": f2})
    return {"n": len(data), "events": sum(k == 1 for _, k in data), "competing_events": sum(k == 2 for _, k in data),
            "conf_type": "log", "confidence": 0.95, "curve": curve,
            "landmarks": [{"time": 12.0, "estimate": None, "ci_low": None, "ci_high": None, "n_at_risk": 0}]}


def incidence(seed: int, n: int, rate: float = 0.05, competing_rate: float = 0.03, follow: float = 36.0) -> dict:
    return incidence_from(incidence_data(seed, n, rate, competing_rate, follow))


def large_km_block(seed: int, n: int, scale: float = 30.0, follow: float = 66.0, censor_rate: float = 0.02) -> dict:
    """A survival block of a large group (thousands of patients), as km_block's but in one pass over
    the sorted times: event times exponential with mean `scale`, censoring times exponential at
    `censor_rate` a month (dense censoring everywhere), everyone still at risk at `follow` censored."""
    rng = random.Random(seed)
    events, censored = {}, {}
    for _ in range(n):
        t, c = rng.expovariate(1 / scale), min(rng.expovariate(censor_rate), follow)
        time = round(min(t, c), 2)
        target = events if t < c else censored
        target[time] = target.get(time, 0) + 1
    s, r, curve = 1.0, n, [{"time": 0.0, "n_at_risk": n, "events": 0, "censored": 0, "survival": 1.0,
                            "ci_low": None, "ci_high": None}]
    for t in sorted(set(events) | set(censored)):
        d, c = events.get(t, 0), censored.get(t, 0)
        s *= (r - d) / r
        curve.append({"time": t, "n_at_risk": r, "events": d, "censored": c, "survival": s,
                      "ci_low": max(s - 0.02, 0), "ci_high": min(s + 0.02, 1)})
        r -= d + c
    risk = [{"time": float(t), "n_at_risk": next((row["n_at_risk"] for row in curve if row["time"] >= t), 0)}
            for t in range(0, int(follow) + 1, 12)]
    return {"n": n, "events": sum(events.values()), "conf_type": "log-log", "confidence": 0.95,
            "median": {"estimate": None, "ci_low": None, "ci_high": None}, "landmarks": [],
            "curve": curve, "risk_table": risk}
