"""SRRC arithmetic on data whose answer is known (run by check_sensitivity.sh).

    /usr/bin/python3 check_srrc.py SCRIPTS_DIR
"""
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import sensitivity  # noqa: E402

# Ranks: ties share their average rank.
assert sensitivity.ranks([10, 30, 20, 20]).tolist() == [1, 4, 2.5, 2.5]

rng = np.random.default_rng(5)
n = 400
x = rng.uniform(size=(n, 3))
# A monotone but strongly non-linear outcome: ranks make it exactly linear in the first two keys,
# so their SRRCs are their shares in rank space and the third key (unused) gets about 0.
rank0, rank1 = sensitivity.ranks(x[:, 0]), sensitivity.ranks(x[:, 1])
y = np.exp(2 * (3 * rank0 - rank1) / n)
coef, r2 = sensitivity.srrc(x, y)
expected = np.array([3, -1, 0]) / np.sqrt(10)  # standardised weights of 3 r0 - r1 (r0, r1 uncorrelated)
assert np.allclose(coef, expected, atol=0.06), coef
assert r2 > 0.99, r2

# Noise lowers R^2 but keeps the ordering and the signs.
y_noisy = x[:, 0] ** 3 - 0.3 * x[:, 2] + rng.normal(scale=0.1, size=n)
coef, r2 = sensitivity.srrc(x, y_noisy)
assert coef[0] > 0.8 and coef[2] < -0.1 and abs(coef[1]) < 0.1, coef
assert 0.5 < r2 < 0.99, r2

# An outcome that does not vary has no coefficients.
coef, r2 = sensitivity.srrc(x, np.ones(n))
assert np.isnan(coef).all() and np.isnan(r2)
print("check_srrc: SRRC of known linear, noisy and constant outcomes")
