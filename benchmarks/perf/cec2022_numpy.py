#!/usr/bin/env python3
"""Vectorised numpy evaluation of CEC2022 F1-F12: the baseline `npm run bench` compares clade's
Float64Array kernels with, on the same machine and the same data files.

Written independently of clade's TypeScript, from the official C code's definitions (including its
quirks: F3 unrotated, F4 = Rastrigin, F7's Schaffer group reads the head of the permuted vector,
F10 with three components, weight 1e99 at a component's optimum). Every operation works on a whole
batch (N, D) at once, the idiomatic fast numpy style.

Usage:
  cec2022_numpy.py bench DATA_DIR [--seconds S] [--batch N]   -> JSON {"F1_D10": evals_per_cpu_second, ...}
  cec2022_numpy.py values DATA_DIR FN DIM < points.json         -> JSON values (cross-check)
Timing uses process CPU time (all threads), so numbers are per core even if BLAS is threaded.
"""
import json
import math
import os
import sys
import time

import numpy as np

PI = math.pi
BIAS = [300, 400, 600, 800, 900, 1800, 2000, 2200, 2300, 2400, 2600, 2700]
COMPONENTS = {9: 5, 10: 3, 11: 5, 12: 6}


def read_numbers(path):
    with open(path, "r", encoding="latin-1") as handle:
        return [[float(token) for token in line.split()] for line in handle if line.strip()]


def load(directory, fn, dim):
    rows = read_numbers(os.path.join(directory, f"M_{fn}_D{dim}.txt"))
    flat = np.array([value for row in rows for value in row])
    count = COMPONENTS.get(fn, 1)
    matrices = flat[: count * dim * dim].reshape(count, dim, dim)
    shift_rows = read_numbers(os.path.join(directory, f"shift_data_{fn}.txt"))
    shifts = np.array([row[:dim] for row in shift_rows[:count]])
    shuffle = None
    if 6 <= fn <= 8:
        values = read_numbers(os.path.join(directory, f"shuffle_data_{fn}_D{dim}.txt"))
        shuffle = np.array([int(value) for row in values for value in row]) - 1
    return matrices, shifts, shuffle


# Basic functions on z of shape (N, n).
def zakharov(z):
    n = z.shape[1]
    s1 = np.sum(z * z, axis=1)
    s2 = np.sum(0.5 * np.arange(1, n + 1) * z, axis=1)
    return s1 + s2**2 + s2**4


def rosenbrock(z):
    z = z + 1.0
    a, b = z[:, :-1], z[:, 1:]
    return np.sum(100.0 * (a * a - b) ** 2 + (a - 1.0) ** 2, axis=1)


def schaffer_f7(y):
    n = y.shape[1]
    zi = np.sqrt(y[:, :-1] ** 2 + y[:, 1:] ** 2)
    tmp = np.sin(50.0 * zi**0.2)
    root = np.sqrt(zi)
    f = np.sum(root + root * tmp * tmp, axis=1)
    return f * f / (n - 1) / (n - 1)


def rastrigin(z):
    return np.sum(z * z - 10.0 * np.cos(2.0 * PI * z) + 10.0, axis=1)


def levy(z):
    w = 1.0 + z / 4.0
    term1 = np.sin(PI * w[:, 0]) ** 2
    last = w[:, -1]
    term3 = (last - 1) ** 2 * (1 + np.sin(2 * PI * last) ** 2)
    head = w[:, :-1]
    total = np.sum((head - 1) ** 2 * (1 + 10 * np.sin(PI * head + 1) ** 2), axis=1)
    return term1 + total + term3


def bent_cigar(z):
    return z[:, 0] ** 2 + 1e6 * np.sum(z[:, 1:] ** 2, axis=1)


def discus(z):
    return 1e6 * z[:, 0] ** 2 + np.sum(z[:, 1:] ** 2, axis=1)


def ellipsoid(z):
    n = z.shape[1]
    weights = 10.0 ** (6.0 * np.arange(n) / (n - 1))
    return np.sum(weights * z * z, axis=1)


def hgbat(z):
    n = z.shape[1]
    z = z - 1.0
    r2 = np.sum(z * z, axis=1)
    s = np.sum(z, axis=1)
    return np.sqrt(np.abs(r2 * r2 - s * s)) + (0.5 * r2 + s) / n + 0.5


def happycat(z):
    n = z.shape[1]
    z = z - 1.0
    r2 = np.sum(z * z, axis=1)
    s = np.sum(z, axis=1)
    return np.abs(r2 - n) ** 0.25 + (0.5 * r2 + s) / n + 0.5


def katsuura(z):
    n = z.shape[1]
    temp = np.zeros_like(z)
    for j in range(1, 33):
        scale = 2.0**j
        t = scale * z
        temp += np.abs(t - np.floor(t + 0.5)) / scale
    f = np.prod((1.0 + np.arange(1, n + 1) * temp) ** (10.0 / n**1.2), axis=1)
    factor = 10.0 / n / n
    return f * factor - factor


def ackley(z):
    n = z.shape[1]
    s1 = -0.2 * np.sqrt(np.sum(z * z, axis=1) / n)
    s2 = np.sum(np.cos(2.0 * PI * z), axis=1) / n
    return math.e - 20.0 * np.exp(s1) - np.exp(s2) + 20.0


def schwefel(z):
    n = z.shape[1]
    z = z + 4.209687462275036e2
    above = z > 500
    below = z < -500
    folded_above = 500.0 - np.fmod(z, 500)
    rem_below = np.fmod(np.abs(z), 500)
    inside = -z * np.sin(np.sqrt(np.abs(z)))
    term_above = -folded_above * np.sin(np.sqrt(np.abs(folded_above))) + ((z - 500.0) / 100) ** 2 / n
    term_below = -(-500.0 + rem_below) * np.sin(np.sqrt(np.abs(500.0 - rem_below))) + ((z + 500.0) / 100) ** 2 / n
    terms = np.where(above, term_above, np.where(below, term_below, inside))
    return np.sum(terms, axis=1) + 4.189828872724338e2 * n


def griewank(z):
    n = z.shape[1]
    return 1.0 + np.sum(z * z, axis=1) / 4000.0 - np.prod(np.cos(z / np.sqrt(np.arange(1, n + 1))), axis=1)


def griewank_rosenbrock(z):
    z = z + 1.0
    a = z
    b = np.roll(z, -1, axis=1)
    temp = 100.0 * (a * a - b) ** 2 + (a - 1.0) ** 2
    return np.sum(temp * temp / 4000.0 - np.cos(temp) + 1.0, axis=1)


def expanded_schaffer_f6(z):
    a = z
    b = np.roll(z, -1, axis=1)
    squares = a * a + b * b
    t1 = np.sin(np.sqrt(squares)) ** 2
    t2 = 1.0 + 0.001 * squares
    return np.sum(0.5 + (t1 - 0.5) / (t2 * t2), axis=1)


RATE = {
    "rosenbrock": 2.048 / 100.0,
    "rastrigin": 5.12 / 100.0,
    "schwefel": 1000.0 / 100.0,
    "griewank": 600.0 / 100.0,
    "beyer": 5.0 / 100.0,
}

# Composition definitions: (kernel, rate, rotated, (numerator, denominator) or None), delta, bias.
COMPOSITION = {
    9: (
        [
            (rosenbrock, RATE["rosenbrock"], True, (10000, 1e4)),
            (ellipsoid, 1.0, True, (10000, 1e10)),
            (bent_cigar, 1.0, True, (10000, 1e30)),
            (discus, 1.0, True, (10000, 1e10)),
            (ellipsoid, 1.0, False, (10000, 1e10)),
        ],
        [10, 20, 30, 40, 50],
        [0, 200, 300, 100, 400],
    ),
    10: (
        [
            (schwefel, RATE["schwefel"], False, None),
            (rastrigin, RATE["rastrigin"], True, None),
            (hgbat, RATE["beyer"], True, None),
        ],
        [20, 10, 10],
        [0, 200, 100],
    ),
    11: (
        [
            (expanded_schaffer_f6, 1.0, True, (10000, 2e7)),
            (schwefel, RATE["schwefel"], True, None),
            (griewank, RATE["griewank"], True, (1000, 100)),
            (rosenbrock, RATE["rosenbrock"], True, None),
            (rastrigin, RATE["rastrigin"], True, (10000, 1e3)),
        ],
        [20, 20, 30, 30, 20],
        [0, 200, 300, 400, 200],
    ),
    12: (
        [
            (hgbat, RATE["beyer"], True, (10000, 1000)),
            (rastrigin, RATE["rastrigin"], True, (10000, 1e3)),
            (schwefel, RATE["schwefel"], True, (10000, 4e3)),
            (bent_cigar, 1.0, True, (10000, 1e30)),
            (ellipsoid, 1.0, True, (10000, 1e10)),
            (expanded_schaffer_f6, 1.0, True, (10000, 2e7)),
        ],
        [10, 20, 30, 40, 50, 60],
        [0, 300, 500, 100, 400, 200],
    ),
}


def group_sizes(fractions, dim):
    sizes = [math.ceil(fraction * dim) for fraction in fractions[:-1]]
    return sizes + [dim - sum(sizes)]


def make_function(directory, fn, dim):
    matrices, shifts, shuffle = load(directory, fn, dim)
    matrix, shift = matrices[0], shifts[0]
    transpose = matrix.T.copy()

    def rotated(x, rate):
        return ((x - shift) * rate) @ transpose

    if fn == 1:
        return lambda x: zakharov(rotated(x, 1.0)) + BIAS[0]
    if fn == 2:
        return lambda x: rosenbrock(rotated(x, RATE["rosenbrock"])) + BIAS[1]
    if fn == 3:
        return lambda x: schaffer_f7(x - shift) + BIAS[2]
    if fn == 4:
        return lambda x: rastrigin(rotated(x, RATE["rastrigin"])) + BIAS[3]
    if fn == 5:
        return lambda x: levy(rotated(x, 1.0)) + BIAS[4]
    if 6 <= fn <= 8:
        plans = {
            6: ([0.4, 0.4, 0.2], [(bent_cigar, 1.0), (hgbat, RATE["beyer"]), (rastrigin, RATE["rastrigin"])]),
            7: (
                [0.1, 0.2, 0.2, 0.2, 0.1, 0.2],
                [
                    (hgbat, RATE["beyer"]),
                    (katsuura, RATE["beyer"]),
                    (ackley, 1.0),
                    (rastrigin, RATE["rastrigin"]),
                    (schwefel, RATE["schwefel"]),
                    (None, 1.0),
                ],
            ),
            8: (
                [0.3, 0.2, 0.2, 0.1, 0.2],
                [
                    (katsuura, RATE["beyer"]),
                    (happycat, RATE["beyer"]),
                    (griewank_rosenbrock, RATE["beyer"]),
                    (schwefel, RATE["schwefel"]),
                    (ackley, 1.0),
                ],
            ),
        }
        fractions, kernels = plans[fn]
        sizes = group_sizes(fractions, dim)
        starts = np.cumsum([0] + sizes[:-1])

        def hybrid(x):
            permuted = rotated(x, 1.0)[:, shuffle]
            total = np.zeros(x.shape[0])
            for (kernel, rate), start, size in zip(kernels, starts, sizes):
                if kernel is None:  # F7's Schaffer F7 reads the permuted vector's head.
                    total = total + schaffer_f7(permuted[:, :size])
                else:
                    total = total + kernel(permuted[:, start : start + size] * rate)
            return total + BIAS[fn - 1]

        return hybrid
    components, delta, bias = COMPOSITION[fn]
    transposes = [matrices[index].T.copy() for index in range(len(components))]

    def composition(x):
        fits = []
        weights = []
        for index, (kernel, rate, is_rotated, scale) in enumerate(components):
            z = (x - shifts[index]) * rate
            if is_rotated:
                z = z @ transposes[index]
            value = kernel(z)
            if scale is not None:
                value = scale[0] * value / scale[1]
            fits.append(value + bias[index])
            distance = np.sum((x - shifts[index]) ** 2, axis=1)
            with np.errstate(divide="ignore"):
                weight = np.where(
                    distance != 0,
                    np.sqrt(1.0 / np.where(distance == 0, 1.0, distance))
                    * np.exp(-distance / 2.0 / dim / delta[index] ** 2),
                    1e99,
                )
            weights.append(weight)
        weights = np.array(weights)
        total = weights.sum(axis=0)
        zero = weights.max(axis=0) == 0
        weights = np.where(zero, 1.0, weights)
        total = np.where(zero, len(components), total)
        return np.sum(weights / total * np.array(fits), axis=0) + BIAS[fn - 1]

    return composition


def bench(directory, seconds, batch):
    rng = np.random.default_rng(1)
    results = {}
    for dim in (10, 20):
        for fn in range(1, 13):
            f = make_function(directory, fn, dim)
            x = rng.uniform(-100, 100, size=(batch, dim))
            for _ in range(3):
                f(x)
            evaluations = 0
            started = time.process_time()
            while time.process_time() - started < seconds:
                f(x)
                evaluations += batch
            results[f"F{fn}_D{dim}"] = evaluations / (time.process_time() - started)
    return results


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "bench":
        directory = sys.argv[2]
        seconds = float(sys.argv[sys.argv.index("--seconds") + 1]) if "--seconds" in sys.argv else 0.5
        batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 1000
        print(json.dumps({"numpy": np.__version__, "rates": bench(directory, seconds, batch)}))
    elif command == "values":
        directory, fn, dim = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        points = np.array(json.load(sys.stdin), dtype=float).reshape(-1, dim)
        print(json.dumps(make_function(directory, fn, dim)(points).tolist()))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
