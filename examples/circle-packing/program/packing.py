"""Packs 26 circles into the unit square so that the sum of their radii is as large as possible.

`pack(seed)` returns (centers, radii): a 26 x 2 array of centre coordinates and 26 radii. The circles
must lie inside [0, 1] x [0, 1] and must not overlap. The evaluator (not shown here) checks that
itself and scores the sum of the radii.

The method: place the centres in a starting layout, improve centres and radii together with SLSQP
(a local optimiser), then fix the centres and give them the largest radii a linear programme
allows, so the answer is feasible whatever the optimiser did; then basin hopping: shake the best
centres, optimise again, keep the result when it is better.
"""
import numpy as np
from scipy.optimize import linprog, minimize

N = 26

# EVOLVE-BLOCK-START
LAYOUT = "grid"  # @evolve choice rings|grid|hex
INNER_RING = 8  # @evolve int 4..12
INNER_RADIUS = 0.22  # @evolve float 0.1..0.35
OUTER_RADIUS = 0.42  # @evolve float 0.3..0.5
ROTATION = 0.0  # @evolve float 0..1
MARGIN = 0.1  # @evolve float 0.02..0.2
JITTER = 0.001  # @evolve float 0.001..0.05
ITERATIONS = 2  # @evolve int 0..200
CHUNK = 10  # @evolve int 2..40
RESTARTS = 1  # @evolve int 1..4
HOPS = 0  # @evolve int 0..20
HOP_SIZE = 0.03  # @evolve float 0.005..0.1 log
# EVOLVE-BLOCK-END


def start_layout(rng):
    """Starting centres for the chosen layout, inside [MARGIN, 1 - MARGIN]^2."""
    if LAYOUT == "rings":
        inner = min(INNER_RING, N - 2)
        outer = N - 1 - inner
        turn = 2 * np.pi * ROTATION
        points = [(0.0, 0.0)]
        for count, radius, shift in ((inner, INNER_RADIUS, 0.0), (outer, OUTER_RADIUS, np.pi / max(outer, 1))):
            for k in range(count):
                angle = turn + shift + 2 * np.pi * k / count
                points.append((radius * np.cos(angle), radius * np.sin(angle)))
        points = np.array(points) + 0.5
    elif LAYOUT == "hex":
        rows, points = 5, []
        for row in range(rows):
            count = 6 if row % 2 == 0 else 5
            offset = 0.0 if row % 2 == 0 else 0.5
            for k in range(count):
                points.append(((k + offset) / 5.0, row / (rows - 1)))
        points = np.array(points[:N])
    else:
        side = int(np.ceil(np.sqrt(N)))
        points = np.array([(k % side, k // side) for k in range(N)], dtype=float) / (side - 1)
    points = MARGIN + (1 - 2 * MARGIN) * (points - points.min(0)) / np.maximum(np.ptp(points, 0), 1e-12)
    return np.clip(points + rng.normal(0.0, JITTER, points.shape), 0.0, 1.0)


def best_radii(centers):
    """The largest radii (sum) for fixed centres: a linear programme."""
    n = len(centers)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    rows = np.zeros((len(pairs), n))
    bounds_right = np.empty(len(pairs))
    for row, (i, j) in enumerate(pairs):
        rows[row, i] = rows[row, j] = 1.0
        bounds_right[row] = np.linalg.norm(centers[i] - centers[j])
    wall = np.minimum(np.minimum(centers[:, 0], 1 - centers[:, 0]), np.minimum(centers[:, 1], 1 - centers[:, 1]))
    result = linprog(-np.ones(n), A_ub=rows, b_ub=bounds_right, bounds=[(0, max(w, 0)) for w in wall], method="highs")
    radii = result.x if result.success else np.zeros(n)
    return np.maximum(radii * (1 - 1e-9) - 1e-12, 0.0)


def refine(centers, radii):
    """Improves the packing with SLSQP, ITERATIONS steps in all, in chunks of CHUNK steps: after each
    chunk the centres get their best radii (a feasible packing again), and the next chunk starts
    there; it stops at the first chunk that does not improve the sum."""
    best_centers, best_radii_found = centers, radii
    done = 0
    while done < ITERATIONS:
        steps = min(CHUNK, ITERATIONS - done)
        done += steps
        candidate = slsqp(best_centers, best_radii_found, steps)
        candidate_radii = best_radii(candidate)
        if candidate_radii.sum() <= best_radii_found.sum() + 1e-12:
            break
        best_centers, best_radii_found = candidate, candidate_radii
    return best_centers, best_radii_found


def slsqp(centers, radii, iterations):
    """SLSQP on centres and radii together (maximise the sum) for at most `iterations` steps."""
    n = len(centers)
    upper_i, upper_j = np.triu_indices(n, 1)

    def unpack(z):
        return z[: 2 * n].reshape(n, 2), z[2 * n:]

    def separation(z):
        c, r = unpack(z)
        d = c[upper_i] - c[upper_j]
        return np.sqrt((d ** 2).sum(1) + 1e-18) - r[upper_i] - r[upper_j]

    def separation_jacobian(z):
        c, r = unpack(z)
        d = c[upper_i] - c[upper_j]
        dist = np.sqrt((d ** 2).sum(1) + 1e-18)
        jac = np.zeros((len(upper_i), 3 * n))
        rows = np.arange(len(upper_i))
        unit = d / dist[:, None]
        jac[rows, 2 * upper_i] = unit[:, 0]
        jac[rows, 2 * upper_i + 1] = unit[:, 1]
        jac[rows, 2 * upper_j] = -unit[:, 0]
        jac[rows, 2 * upper_j + 1] = -unit[:, 1]
        jac[rows, 2 * n + upper_i] = -1
        jac[rows, 2 * n + upper_j] = -1
        return jac

    def walls(z):
        c, r = unpack(z)
        return np.concatenate([c[:, 0] - r, 1 - c[:, 0] - r, c[:, 1] - r, 1 - c[:, 1] - r])

    wall_jacobian = np.zeros((4 * n, 3 * n))
    for k in range(n):
        for side, (axis, sign) in enumerate(((0, 1), (0, -1), (1, 1), (1, -1))):
            wall_jacobian[side * n + k, 2 * k + axis] = sign
            wall_jacobian[side * n + k, 2 * n + k] = -1

    start = np.concatenate([centers.ravel(), radii])
    result = minimize(
        lambda z: -z[2 * n:].sum(),
        start,
        jac=lambda z: np.concatenate([np.zeros(2 * n), -np.ones(n)]),
        method="SLSQP",
        bounds=[(0, 1)] * (2 * n) + [(0, 0.5)] * n,
        constraints=[
            {"type": "ineq", "fun": separation, "jac": separation_jacobian},
            {"type": "ineq", "fun": walls, "jac": lambda z: wall_jacobian},
        ],
        options={"maxiter": iterations, "ftol": 1e-12},
    )
    return np.clip(unpack(result.x)[0], 0.0, 1.0)


def pack(seed=0):
    """The best packing found over RESTARTS starts: (centers, radii)."""
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(RESTARTS):
        start = start_layout(rng)
        centers, radii = refine(start, best_radii(start))
        if best is None or radii.sum() > best[1].sum():
            best = (centers, radii)
    for _ in range(HOPS):
        shaken = np.clip(best[0] + rng.normal(0.0, HOP_SIZE, best[0].shape), 0.0, 1.0)
        centers, radii = refine(shaken, best_radii(shaken))
        if radii.sum() > best[1].sum():
            best = (centers, radii)
    return best
