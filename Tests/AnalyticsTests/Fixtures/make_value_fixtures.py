#!/usr/bin/env python3
"""Reference values for conversion value (revenue per impression) and the send-time rule, computed
independently with SciPy from raw data, not from Herald's sufficient statistics.

Run from this folder:  python3 make_value_fixtures.py   (writes value_stats.json)

- revenue: zero-heavy per-impression values (most impressions 0, a few conversions with log-normal
  values). The t interval of each mean is scipy.stats.ttest_1samp(...).confidence_interval, the log-scale
  interval mean * exp(+-t.ppf * scipy.stats.sem / mean); the difference
  to the control is scipy.stats.ttest_ind(..., equal_var=False) (Welch) with its confidence_interval.
  Herald gets only n, sum and sum of squares and must reproduce both.
- hypergeometric: one-sided Fisher exact p-values, scipy.stats.fisher_exact(alternative="greater") on the
  2x2 table (part vs rest), cross-checked against scipy.stats.hypergeom.sf.
- send_time: per-hour counts of a channel; each hour's one-sided Fisher p-value against all other hours,
  Holm-adjusted (written out here, step-down with running maximum), and the hours that stand out at 5%.
"""
import json
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def revenue_cases(rng):
    cases = []
    for name, n, rates, log_means, alpha in [
        ("two arms, 3% conversion, skewed values", (20_000, 20_000), (0.03, 0.033), (3.0, 3.0), 0.05),
        ("three arms, 1% conversion, different sizes", (8_000, 12_000, 5_000), (0.01, 0.01, 0.014), (3.5, 3.2, 3.5), 0.05),
        ("small arms, 90% level", (400, 500), (0.05, 0.08), (2.0, 2.2), 0.10),
    ]:
        arms = []
        samples = []
        for index, (size, rate, log_mean) in enumerate(zip(n, rates, log_means)):
            converted = rng.random(size) < rate
            values = np.where(converted, rng.lognormal(log_mean, 1.0, size), 0.0)
            samples.append(values)
            ci = stats.ttest_1samp(values, 0.0).confidence_interval(confidence_level=1 - alpha)
            # Delta method on log(mean): mean * exp(+-t * sem / mean), sem by scipy.stats.sem (ddof=1).
            factor = np.exp(stats.t.ppf(1 - alpha / 2, size - 1) * stats.sem(values) / values.mean())
            arms.append({
                "id": "ABC"[index],
                "n": int(size),
                "conversions": int(converted.sum()),
                "sum": float(values.sum()),
                "sum_squares": float((values * values).sum()),
                "mean": float(values.mean()),
                "ci": [float(ci.low), float(ci.high)],
                "log_ci": [float(values.mean() / factor), float(values.mean() * factor)],
            })
        for index in range(1, len(samples)):
            welch = stats.ttest_ind(samples[index], samples[0], equal_var=False)
            ci = welch.confidence_interval(confidence_level=1 - alpha)
            arms[index]["vs_control"] = {
                "difference": float(samples[index].mean() - samples[0].mean()),
                "ci": [float(ci.low), float(ci.high)],
                "p_value": float(welch.pvalue),
                "df": float(welch.df),
            }
        cases.append({"name": name, "alpha": alpha, "arms": arms})
    return cases


def fisher_greater(k, n, K, N):
    table = [[k, n - k], [K - k, (N - n) - (K - k)]]
    p = float(stats.fisher_exact(table, alternative="greater").pvalue)
    assert abs(p - float(stats.hypergeom.sf(k - 1, N, K, n))) <= 1e-9 * max(p, 1e-300) + 1e-15
    return p


def hypergeometric_cases():
    cases = []
    for k, n, K, N in [(30, 500, 200, 10_000), (5, 500, 200, 10_000), (12, 40, 60, 300), (0, 10, 5, 100),
                       (45, 700, 3_000, 100_000), (60, 900, 4_000, 120_000), (3, 3, 3, 10), (25, 600, 24 * 168, 168 * 600)]:
        cases.append({"successes": k, "draws": n, "population_successes": K, "population": N, "p_value": fisher_greater(k, n, K, N)})
    return cases


def holm(p):
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(len(p))
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[index]))
        adjusted[index] = running
    return adjusted


def send_time_case(rng):
    hours = []
    for hour in range(168):
        if hour % 24 < 6:
            continue
        trials = int(rng.integers(400, 1_500))
        rate = 0.03 * (1.8 if hour in (41, 42, 65) else 1.0)
        hours.append((hour, trials, int(rng.binomial(trials, rate))))
    N = sum(t for _, t, _ in hours)
    K = sum(s for _, _, s in hours)
    eligible = [(h, t, s) for h, t, s in hours if t >= 500]
    p = np.array([fisher_greater(s, t, K, N) for _, t, s in eligible])
    adjusted = holm(p)
    average = K / N
    standouts = sorted(
        [h for (h, t, s), a in zip(eligible, adjusted) if a < 0.05 and s / t > average],
    )
    return {
        "counts": [[h, t, s] for h, t, s in hours],
        "minimum_trials": 500,
        "alpha": 0.05,
        "eligible": [{"hour_of_week": h, "p_value": float(pv), "p_value_holm": float(a)} for (h, _, _), pv, a in zip(eligible, p, adjusted)],
        "standouts": standouts,
    }


if __name__ == "__main__":
    rng = np.random.default_rng(1313)
    out = {"revenue": revenue_cases(rng), "hypergeometric": hypergeometric_cases(), "send_time": send_time_case(rng)}
    with open(os.path.join(HERE, "value_stats.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("standouts:", out["send_time"]["standouts"])
