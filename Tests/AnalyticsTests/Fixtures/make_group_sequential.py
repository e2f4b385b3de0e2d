#!/usr/bin/env python3
"""Reference group-sequential boundaries, computed independently of Herald's recursive integration.

For each design, boundaries are found look by look so that P(|Z_j| < c_j for j < k, |Z_k| >= c_k)
under the null equals the alpha spent between looks k-1 and k, where (Z_1..Z_k) is multivariate
normal with corr(Z_i, Z_j) = sqrt(t_i / t_j); the rectangle probabilities come from SciPy's
multivariate normal CDF (Genz's algorithm), not from recursive integration.

Run from this folder: python3 make_group_sequential.py  (writes group_sequential.json)
"""
import json
import os

import numpy as np
from scipy import optimize, stats

HERE = os.path.dirname(os.path.abspath(__file__))


def spent(kind, t, alpha):
    if kind == "obf":
        return 4 - 4 * stats.norm.cdf(stats.norm.ppf(1 - alpha / 4) / np.sqrt(t))
    if kind == "pocock":
        return alpha * np.log(1 + (np.e - 1) * t)
    return alpha * t ** float(kind.split(":")[1])


def inside(bounds, t):
    """P(|Z_j| < c_j for every j) for looks at information fractions t."""
    k = len(bounds)
    cov = np.array([[np.sqrt(min(t[i], t[j]) / max(t[i], t[j])) for j in range(k)] for i in range(k)])
    upper = np.array(bounds)
    mvn = stats.multivariate_normal(mean=np.zeros(k), cov=cov, allow_singular=False,
                                    maxpts=2_000_000, abseps=1e-9, releps=1e-9)
    return float(mvn.cdf(upper, lower_limit=-upper))


def boundaries(t, alpha, kind):
    bounds = []
    previous_inside = 1.0
    previous_spent = 0.0
    for k, tk in enumerate(t):
        increment = spent(kind, tk, alpha) - previous_spent
        if k == 0:
            c = stats.norm.ppf(1 - increment / 2)
        else:
            target_inside = previous_inside - increment
            c = optimize.brentq(lambda c: inside(bounds + [c], t[: k + 1]) - target_inside, 0.5, 12, xtol=1e-7)
        bounds.append(float(c))
        previous_inside = inside(bounds, t[: k + 1])
        previous_spent = spent(kind, tk, alpha)
    return bounds


if __name__ == "__main__":
    designs = []
    for kind, t, alpha in [
        ("obf", [0.2, 0.4, 0.6, 0.8, 1.0], 0.05),
        ("pocock", [0.2, 0.4, 0.6, 0.8, 1.0], 0.05),
        ("power:2", [0.25, 0.5, 0.75, 1.0], 0.05),
        ("power:2", [0.1, 0.3, 0.45, 0.7, 1.0], 0.1),
        ("power:3", [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0], 0.05),
    ]:
        designs.append({"spending": kind, "fractions": t, "alpha": alpha, "boundaries": boundaries(t, alpha, kind)})
    with open(os.path.join(HERE, "group_sequential.json"), "w") as f:
        json.dump(designs, f, indent=1)
    for d in designs:
        print(d["spending"], [round(b, 4) for b in d["boundaries"]])
