"""Finds a low point of a black-box function within a budget of evaluations.

`minimize(f, lower, upper, budget, seed)` is called by the evaluator (evaluator/evaluate.py, which
clade never shows to a model): `f(x)` returns the value at the point `x` (a list of floats),
`lower` and `upper` bound the box, `budget` is how many calls of `f` are allowed (one more raises
an error), and `seed` seeds every random choice. It returns the best point found.

The method: a local search from a start point that takes a random step of STEP box widths and
keeps it when it is better, shrinking the step by SHRINK after PATIENCE failures in a row; it
restarts RESTARTS times with the evaluation budget split between the restarts.

clade evolves the constants between the EVOLVE-BLOCK markers: the offline `parametric` mutator
changes the `# @evolve` values within their ranges; an LLM mutator (`llm-diff`) may rewrite
anything between the markers. Edit anything here: this file is your seed.
"""
import math
import random

# EVOLVE-BLOCK-START
STEP = 0.004  # @evolve float 0.001..0.5 log
SHRINK = 0.6  # @evolve float 0.3..0.99
PATIENCE = 3  # @evolve int 1..40
RESTARTS = 1  # @evolve int 1..12
START = "center"  # @evolve choice center|random
# EVOLVE-BLOCK-END


def minimize(f, lower, upper, budget, seed):
    """Returns the best point found with at most `budget` calls of `f`."""
    rng = random.Random(seed)
    dim = len(lower)
    width = [high - low for low, high in zip(lower, upper)]
    best_point, best_value = None, math.inf
    used = 0
    for restart in range(RESTARTS):
        share = (budget - used) // (RESTARTS - restart)
        if share < 1:
            break
        if START == "center" and restart == 0:
            point = [(low + high) / 2 for low, high in zip(lower, upper)]
        else:
            point = [rng.uniform(low, high) for low, high in zip(lower, upper)]
        value = f(point)
        used += 1
        step, failures = STEP, 0
        for _ in range(share - 1):
            candidate = [
                min(max(x + rng.gauss(0.0, step * w), low), high)
                for x, w, low, high in zip(point, width, lower, upper)
            ]
            candidate_value = f(candidate)
            used += 1
            if candidate_value < value:
                point, value, failures = candidate, candidate_value, 0
            else:
                failures += 1
                if failures >= PATIENCE:
                    step, failures = step * SHRINK, 0
        if value < best_value:
            best_point, best_value = point, value
    return best_point
