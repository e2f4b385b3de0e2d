#!/usr/bin/env python3
"""Reference values for Herald's statistics, computed independently with SciPy.

Run from this folder:  python3 make_fixtures.py
Writes special_functions.json and score_cases.json next to this script.

P(best) and expected loss are integrated with scipy.integrate.quad; for two arms with
integer parameters, P(B > A) is also checked against Evan Miller's exact closed-form sum.
"""
import json
import math
import os

import numpy as np
from scipy import integrate, special, stats
from scipy.stats import contingency

HERE = os.path.dirname(os.path.abspath(__file__))


def special_functions():
    incbeta = []
    for a, b, x in [(1, 1, 0.3), (0.5, 0.5, 0.01), (0.5, 3, 0.2), (2, 5, 0.4), (10, 20, 0.33),
                    (421, 9581, 0.042), (4201, 95801, 0.0415), (50000.5, 950000.5, 0.05),
                    (3, 0.7, 0.999), (1, 10001, 0.0001)]:
        incbeta.append({"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))})
    quantiles = []
    for a, b, p in [(1, 1, 0.025), (0.5, 0.5, 0.975), (2, 5, 0.5), (421, 9581, 0.025), (421, 9581, 0.975),
                    (1, 10001, 0.975), (1, 10001, 1e-6), (50000.5, 950000.5, 0.001), (3, 0.7, 0.999)]:
        quantiles.append({"a": a, "b": b, "p": p, "value": float(stats.beta.ppf(p, a, b))})
    normal = [{"p": p, "value": float(stats.norm.ppf(p))} for p in [1e-12, 1e-5, 0.01, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999]]
    chi2 = [{"df": df, "x": x, "value": float(stats.chi2.sf(x, df))}
            for df, x in [(1, 0.5), (1, 10.83), (2, 13.8), (3, 2.0), (5, 30.0), (19, 25.0)]]
    chi2_quantiles = [{"df": df, "p": p, "value": float(stats.chi2.ppf(p, df))}
                      for df, p in [(1, 0.95), (2, 0.999), (4, 0.5), (10, 0.01), (30, 0.975)]]
    return {"incomplete_beta": incbeta, "beta_quantile": quantiles, "normal_quantile": normal, "chi2_sf": chi2,
            "chi2_quantile": chi2_quantiles}


def p_best(params):
    out = []
    for i, (a, b) in enumerate(params):
        lo = stats.beta.ppf(1e-15, a, b)
        hi = stats.beta.isf(1e-15, a, b)

        def f(x, i=i, a=a, b=b):
            v = stats.beta.pdf(x, a, b)
            for j, (aj, bj) in enumerate(params):
                if j != i:
                    v *= stats.beta.cdf(x, aj, bj)
            return v

        value, _ = integrate.quad(f, lo, hi, limit=1000, epsabs=1e-14, epsrel=1e-12,
                                  points=[stats.beta.mean(a, b)])
        out.append(value)
    return out


def expected_max(params):
    lo = min(stats.beta.ppf(1e-15, a, b) for a, b in params)
    hi = max(stats.beta.isf(1e-15, a, b) for a, b in params)

    def g(x):
        prod = 1.0
        for a, b in params:
            prod *= stats.beta.cdf(x, a, b)
        return 1 - prod

    value, _ = integrate.quad(g, lo, hi, limit=1000, epsabs=1e-14, epsrel=1e-12,
                              points=[stats.beta.mean(a, b) for a, b in params])
    return lo + value


def miller_b_beats_a(aa, ba, ab, bb):
    """Exact P(p_B > p_A) for integer Beta parameters (Evan Miller, 2015)."""
    total = 0.0
    for i in range(int(ab)):
        total += math.exp(special.betaln(aa + i, ba + bb) - math.log(bb + i) - special.betaln(1 + i, bb)
                          - special.betaln(aa, ba))
    return total


def holm(ps):
    order = sorted(range(len(ps)), key=lambda k: ps[k])
    adjusted = [1.0] * len(ps)
    running = 0.0
    for rank, k in enumerate(order):
        running = max(running, min(1.0, (len(ps) - rank) * ps[k]))
        adjusted[k] = running
    return adjusted


def score_case(name, arms, control=None, alpha=0.05, prior=(1.0, 1.0), weights=None):
    control = control or arms[0][0]
    params = [(prior[0] + s, prior[1] + n - s) for _, n, s in arms]
    pb = p_best(params)
    emax = expected_max(params)
    c = next(a for a in arms if a[0] == control)
    z = stats.norm.ppf(1 - alpha / 2)
    out_arms, pvals = [], []
    for (arm_id, n, s), (a, b), p in zip(arms, params, pb):
        entry = {"id": arm_id, "trials": n, "successes": s, "rate": s / n if n else 0.0,
                 "posterior": {"alpha": a, "beta": b, "mean": a / (a + b),
                               "ci": [float(stats.beta.ppf(alpha / 2, a, b)), float(stats.beta.ppf(1 - alpha / 2, a, b))]},
                 "wilson_ci": list(map(float, stats.binomtest(s, n).proportion_ci(confidence_level=1 - alpha, method="wilson"))) if n else [0.0, 1.0],
                 "p_best": p, "expected_loss": max(0.0, emax - a / (a + b)), "vs_control": None}
        if arm_id != control:
            pt, pc = s / n, c[2] / c[1]
            d = pt - pc
            se = math.sqrt(pt * (1 - pt) / n + pc * (1 - pc) / c[1])
            pooled = (s + c[2]) / (n + c[1])
            se0 = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / c[1]))
            pv = float(2 * stats.norm.sf(abs(d / se0)))
            pvals.append(pv)
            entry["vs_control"] = {"absolute": d, "relative": d / pc if pc else None,
                                   "ci": [d - z * se, d + z * se], "p_value": pv}
            if s > 0 and c[2] > 0:
                rr = contingency.relative_risk(s, n, c[2], c[1]).confidence_interval(confidence_level=1 - alpha)
                entry["vs_control"]["relative_ci"] = [float(rr.low) - 1, float(rr.high) - 1]
            else:
                entry["vs_control"]["relative_ci"] = None
        out_arms.append(entry)
    adjusted = holm(pvals)
    bh = stats.false_discovery_control(pvals, method="bh") if pvals else []
    k = 0
    for entry in out_arms:
        if entry["vs_control"] is not None:
            entry["vs_control"]["p_value_holm"] = adjusted[k]
            entry["vs_control"]["p_value_bh"] = float(bh[k])
            k += 1
    trials = [n for _, n, _ in arms]
    w = weights or [1.0] * len(arms)
    expected = [sum(trials) * wi / sum(w) for wi in w]
    srm_p = float(stats.chisquare(trials, expected).pvalue)
    inp = {"control": control, "arms": [{"id": i, "trials": n, "successes": s} for i, n, s in arms],
           "alpha": alpha, "prior": {"alpha": prior[0], "beta": prior[1]}}
    if weights:
        for arm, wi in zip(inp["arms"], weights):
            arm["weight"] = wi
    if len(arms) == 2 and all(float(x).is_integer() for x in params[0] + params[1]):
        exact = miller_b_beats_a(params[0][0], params[0][1], params[1][0], params[1][1])
        assert abs(exact - pb[1]) < 1e-9, (name, exact, pb[1])
    assert abs(sum(pb) - 1) < 1e-9, (name, sum(pb))
    return {"name": name, "input": inp, "expected": {"arms": out_arms, "srm": {"p_value": srm_p, "detected": srm_p < 0.001}}}


def score_cases():
    return [
        score_case("two arms, clear winner", [("A", 10000, 420), ("B", 10000, 520)]),
        score_case("two arms, close", [("A", 3000, 120), ("B", 3000, 131)]),
        score_case("three arms", [("A", 10000, 420), ("B", 9900, 455), ("C", 10100, 400)], control="A"),
        score_case("small counts", [("A", 50, 3), ("B", 40, 5)]),
        score_case("zero successes", [("ctl", 200, 0), ("new", 200, 2)], control="ctl"),
        score_case("jeffreys prior", [("A", 120, 7), ("B", 130, 12)], prior=(0.5, 0.5), alpha=0.1),
        score_case("srm with weights", [("A", 12000, 480), ("B", 10000, 410)], weights=[0.5, 0.5]),
        score_case("planned 70/30", [("A", 7000, 280), ("B", 3000, 130)], weights=[0.7, 0.3]),
        score_case("five arms large", [("A", 200000, 8000), ("B", 200000, 8150), ("C", 200000, 7900),
                                       ("D", 200000, 8400), ("E", 200000, 8020)]),
    ]


def mean_case(name, arms, control=None, alpha=0.05):
    """arms: (id, n, mean, sd) -> sufficient statistics and SciPy's Welch test, t interval and P(best)."""
    control = control or arms[0][0]
    c = next(a for a in arms if a[0] == control)
    inp = {"control": control, "alpha": alpha, "arms": []}
    params = []
    for arm_id, n, mean, sd in arms:
        total = mean * n
        sum_squares = sd * sd * (n - 1) + total * total / n
        inp["arms"].append({"id": arm_id, "n": n, "sum": total, "sum_squares": sum_squares})
        params.append((mean, sd / np.sqrt(n)))
    out = []
    for (arm_id, n, mean, sd), (m, se) in zip(arms, params):
        lo = min(mu - 9 * s for mu, s in params)
        hi = max(mu + 9 * s for mu, s in params)
        pb, _ = integrate.quad(lambda x: stats.norm.pdf(x, m, se) * np.prod([stats.norm.cdf(x, mu, s) for (mu, s) in params if (mu, s) != (m, se)]),
                               m - 9 * se, m + 9 * se, limit=500, epsabs=1e-13)
        entry = {"id": arm_id, "mean": mean, "sd": sd, "p_best": pb, "vs_control": None}
        if arm_id != control:
            test = stats.ttest_ind_from_stats(mean, sd, n, c[2], c[3], c[1], equal_var=False)
            vt, vc = sd * sd / n, c[3] * c[3] / c[1]
            df = (vt + vc) ** 2 / (vt * vt / (n - 1) + vc * vc / (c[1] - 1))
            half = stats.t.ppf(1 - alpha / 2, df) * np.sqrt(vt + vc)
            entry["vs_control"] = {"absolute": mean - c[2], "p_value": float(test.pvalue), "df": df,
                                   "ci": [mean - c[2] - half, mean - c[2] + half]}
        out.append(entry)
    return {"name": name, "input": inp, "expected": {"arms": out}}


def mean_cases():
    return [
        mean_case("revenue per impression", [("A", 20000, 0.051, 1.9), ("B", 19800, 0.066, 2.4)]),
        mean_case("comments, small", [("A", 40, 0.3, 0.6), ("B", 35, 0.7, 1.1), ("C", 50, 0.25, 0.5)]),
    ]


if __name__ == "__main__":
    with open(os.path.join(HERE, "mean_cases.json"), "w") as f:
        json.dump(mean_cases(), f, indent=1)
    with open(os.path.join(HERE, "special_functions.json"), "w") as f:
        json.dump(special_functions(), f, indent=1)
    with open(os.path.join(HERE, "score_cases.json"), "w") as f:
        json.dump(score_cases(), f, indent=1)
    print("wrote special_functions.json and score_cases.json")
