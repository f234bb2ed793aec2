"""A search heuristic for a black-box minimisation: it may call objective(x) as often as it likes
within the time limit, and writes its best point as JSON ({"x": [...]}) to the file named by its
first argument. Its second argument seeds its random source.

Usage: python3 search.py OUTPUT_FILE SEED
"""
import json
import math
import random
import sys

from objective import DIMENSION, LOWER, UPPER, objective

# EVOLVE-BLOCK-START
METHOD = "hill"  # @evolve choice random|hill|anneal
EVALUATIONS = 300  # @evolve int 100..20000
RESTARTS = 1  # @evolve int 1..40
STEP = 0.5  # @evolve float 0.01..3 log
SHRINK = 0.999  # @evolve float 0.9..1
TEMPERATURE = 1.0  # @evolve float 0.01..20 log
# EVOLVE-BLOCK-END


def clip(value):
    return min(UPPER, max(LOWER, value))


def random_point(rng):
    return [rng.uniform(LOWER, UPPER) for _ in range(DIMENSION)]


def local_search(rng, start, budget, annealing):
    """Gaussian steps from the current point; accepts improvements (and, annealing, some worse steps)."""
    current, current_value = start, objective(start)
    best, best_value = current, current_value
    step, temperature = STEP, TEMPERATURE
    for _ in range(budget):
        candidate = [clip(value + rng.gauss(0.0, step)) for value in current]
        value = objective(candidate)
        accept = value < current_value or (
            annealing and rng.random() < math.exp(-(value - current_value) / max(temperature, 1e-12))
        )
        if accept:
            current, current_value = candidate, value
            if value < best_value:
                best, best_value = candidate, value
        step *= SHRINK
        temperature *= SHRINK
    return best, best_value


def search(seed):
    rng = random.Random(seed)
    if METHOD == "random":
        points = (random_point(rng) for _ in range(EVALUATIONS))
        return min(((point, objective(point)) for point in points), key=lambda pair: pair[1])
    best = None
    per_restart = max(1, EVALUATIONS // RESTARTS)
    for _ in range(RESTARTS):
        found = local_search(rng, random_point(rng), per_restart, METHOD == "anneal")
        if best is None or found[1] < best[1]:
            best = found
    return best


if __name__ == "__main__":
    point, value = search(int(sys.argv[2]))
    with open(sys.argv[1], "w") as handle:
        json.dump({"x": point}, handle)
    print(f"best value found: {value:.6f}")
