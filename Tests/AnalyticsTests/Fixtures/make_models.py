#!/usr/bin/env python3
"""Reference fit for feature effects: binomial logistic regression by direct maximisation of the
log-likelihood with SciPy (BFGS from a different start than Herald's IRLS), standard errors from
the inverse of the analytic Fisher information at the optimum.

Run from this folder: python3 make_models.py  (writes feature_effects.json)
"""
import json
import os

import numpy as np
from scipy import optimize, special

HERE = os.path.dirname(os.path.abspath(__file__))


def fit(x, trials, successes):
    design = np.column_stack([np.ones(len(x)), x])

    def negative_log_likelihood(beta):
        eta = design @ beta
        return -np.sum(successes * eta - trials * np.logaddexp(0, eta))

    def gradient(beta):
        p = special.expit(design @ beta)
        return -design.T @ (successes - trials * p)

    result = optimize.minimize(negative_log_likelihood, np.zeros(design.shape[1]), jac=gradient, method="BFGS",
                               options={"gtol": 1e-11, "maxiter": 10_000})
    beta = result.x
    p = special.expit(design @ beta)
    information = design.T @ (design * (trials * p * (1 - p))[:, None])
    covariance = np.linalg.inv(information)
    return beta, np.sqrt(np.diag(covariance))


if __name__ == "__main__":
    rng = np.random.default_rng(2026)
    variants = 30
    question = rng.integers(0, 2, variants).astype(float)
    emoji = rng.integers(0, 4, variants).astype(float)
    length = rng.uniform(0.4, 2.8, variants)  # characters / 100
    x = np.column_stack([question, emoji, length])
    trials = rng.integers(2_000, 10_000, variants)
    true_beta = np.array([-3.2, 0.25, 0.08, -0.05])
    p = special.expit(np.column_stack([np.ones(variants), x]) @ true_beta)
    successes = rng.binomial(trials, p)
    beta, se = fit(x, trials.astype(float), successes.astype(float))
    case = {
        "features": ["has_question", "emoji_count", "length_hundreds"],
        "values": x.tolist(), "trials": trials.tolist(), "successes": successes.tolist(),
        "intercept": float(beta[0]), "coefficients": beta[1:].tolist(), "standard_errors": se[1:].tolist(),
    }
    with open(os.path.join(HERE, "feature_effects.json"), "w") as f:
        json.dump(case, f, indent=1)
    print("coefficients", beta, "se", se)
