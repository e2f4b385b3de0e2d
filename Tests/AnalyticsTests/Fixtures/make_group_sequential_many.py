#!/usr/bin/env python3
"""Reference boundaries for designs with many looks (hourly for six weeks, daily with uneven traffic).

Independent of Herald's lattices: the classic recursion of Armitage, McPherson & Rowe as Jennison & Turnbull
(2000, ch. 19) describe it, on a fresh uniform grid per look spanning the continuation region [-c*sqrt(t), c*sqrt(t)]
end to end, Simpson weights, the Gaussian kernel evaluated at the points (no interpolation), every boundary by
scipy.optimize.brentq to 1e-12. The grid has 24 points per standard deviation of the steps into and out of a look:
three times finer than the implementation before the lattices (8), whose error this reduces 80-fold (to about 1e-8).

Run from this folder: python3 make_group_sequential_many.py  (writes group_sequential_many.json; about a minute)
"""
import json
import os

import numpy as np
from scipy import optimize, special, stats

HERE = os.path.dirname(os.path.abspath(__file__))
POINTS_PER_SD = 24
REACH = 9.0


def spent(kind, t, alpha):
    t = min(max(t, 0.0), 1.0)
    if kind == "obf":
        return 4 * stats.norm.sf(stats.norm.isf(alpha / 4) / np.sqrt(t))
    if kind == "pocock":
        return alpha * np.log(1 + (np.e - 1) * t)
    return alpha * t ** float(kind.split(":")[1])


def simpson_grid(edge, spacing):
    n = max(41, int(2 * edge / spacing) | 1)
    grid = np.linspace(-edge, edge, n)
    step = grid[1] - grid[0]
    weights = np.full(n, 2.0)
    weights[1::2] = 4.0
    weights[0] = weights[-1] = 1.0
    return grid, weights * step / 3


def convolve(grid, mass, targets, sd):
    """sum_j mass_j * phi((s - u_j)/sd)/sd at each target s, over points within REACH sd."""
    spacing = grid[1] - grid[0]
    width = int(np.ceil(REACH * sd / spacing))
    first = np.clip(np.floor((targets - grid[0]) / spacing).astype(int) - width, 0, len(grid) - 1)
    index = np.minimum(first[:, None] + np.arange(2 * width + 2)[None, :], len(grid) - 1)
    valid = (first[:, None] + np.arange(2 * width + 2)[None, :]) < len(grid)
    x = (targets[:, None] - grid[index]) / sd
    kernel = np.where(valid, np.exp(-x * x / 2), 0.0)
    return (kernel * mass[index]).sum(axis=1) / (sd * np.sqrt(2 * np.pi))


def boundaries(t, alpha, kind):
    bounds = []
    grid = mass = None
    previous_t = previous_spent = 0.0
    for k, tk in enumerate(t):
        increment = max(spent(kind, tk, alpha) - previous_spent, 1e-300)
        sd = np.sqrt(tk - previous_t)
        if k == 0 or increment < 1e-15:
            # Herald's convention where next to nothing is spent (O'Brien-Fleming's first looks): the single look's.
            c = stats.norm.isf(increment / 2)
        else:
            root = np.sqrt(tk)

            def excess(c):
                edge = c * root
                return float((mass * (special.ndtr((grid - edge) / sd) + special.ndtr((-edge - grid) / sd))).sum()) - increment

            c = optimize.brentq(excess, 0.5, 40, xtol=1e-12, rtol=1e-14)
        bounds.append(float(c))
        if k + 1 == len(t):
            break
        edge = c * np.sqrt(tk)
        next_sd = np.sqrt(t[k + 1] - tk)
        new_grid, weights = simpson_grid(edge, min(sd, next_sd) / POINTS_PER_SD)
        if k == 0:
            density = np.exp(-new_grid**2 / (2 * tk)) / np.sqrt(2 * np.pi * tk)
        else:
            density = convolve(grid, mass, new_grid, sd)
        grid, mass = new_grid, density * weights
        previous_t, previous_spent = tk, spent(kind, tk, alpha)
    return bounds


def uneven_days(days, seed):
    """Cumulative traffic of `days` days, each 0.8 to 1.2 of the plan (a fixed LCG, so Swift can check the fractions)."""
    state = seed
    totals, total = [], 0
    for _ in range(days):
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        total += 2000 + (state >> 11) % 801 - 400
        totals.append(total)
    horizon = 2000 * days
    return [x / horizon for x in totals]


if __name__ == "__main__":
    hourly = [i / 1000 for i in range(1, 1001)]
    daily = uneven_days(42, 7)
    designs = []
    for kind, t, alpha in [
        ("power:2", hourly, 0.05),
        ("obf", hourly, 0.05),
        ("pocock", hourly, 0.05),
        ("power:2", daily, 0.05),
        ("power:3", daily, 0.1),
    ]:
        b = boundaries(t, alpha, kind)
        designs.append({"spending": kind, "fractions": t, "alpha": alpha, "boundaries": b})
        print(kind, len(t), [round(x, 6) for x in b[:3]], "...", [round(x, 6) for x in b[-3:]], flush=True)
    with open(os.path.join(HERE, "group_sequential_many.json"), "w") as f:
        json.dump(designs, f)
