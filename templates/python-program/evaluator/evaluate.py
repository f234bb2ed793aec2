"""Scores the program in program/search.py: how low a point it finds on a shifted Rastrigin function.

Run by clade in the sandbox as `python3 evaluate.py <program dir> <result file> <seed>` (see
`task.command` in campaign.yaml). It imports the program, gives it the function, the box and a
budget of evaluations on TRIALS seeded trials, re-evaluates the point it returns itself, and writes
one JSON object to the result file:

    {"score": <mean best value, lower is better>, "public": {...}, "private": {...}, "artifacts": {...}}

`public` metrics are shown to models and in `clade show`; `private` ones are not; `artifacts` are
text (feedback, errors) that goes into the children's prompts. A program that fails writes
{"error": "..."} instead of a score. clade never shows this file to a model and no mutation can
change it; it is read-only in the sandbox.
"""
import importlib.util
import json
import math
import random
import sys
import traceback

DIMENSION = 6
LOWER, UPPER = -5.12, 5.12
BUDGET = 3000
TRIALS = 4


class BudgetExceeded(Exception):
    pass


def make_objective(shift):
    """Rastrigin shifted by `shift`: many local minima, the global one (0) at `shift`."""
    def rastrigin(point):
        total = 10.0 * len(point)
        for x, s in zip(point, shift):
            z = x - s
            total += z * z - 10.0 * math.cos(2.0 * math.pi * z)
        return total
    return rastrigin


def counted(function, budget):
    """`function` that refuses its (budget + 1)-th call."""
    calls = [0]

    def wrapper(point):
        if calls[0] >= budget:
            raise BudgetExceeded(f"the program called f more than its budget of {budget} times")
        if len(point) != DIMENSION or not all(isinstance(x, (int, float)) and math.isfinite(x) for x in point):
            raise ValueError(f"f needs a list of {DIMENSION} finite numbers, got {point!r:.200}")
        calls[0] += 1
        return function(point)

    return wrapper, calls


def main(program_directory, result_file, seed):
    result = {}
    try:
        spec = importlib.util.spec_from_file_location("search", f"{program_directory}/search.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        values, calls_used = [], []
        for trial in range(TRIALS):
            trial_seed = (seed * 1000003 + trial) % (2**32)
            rng = random.Random(trial_seed)
            shift = [rng.uniform(0.5 * LOWER, 0.5 * UPPER) for _ in range(DIMENSION)]
            objective = make_objective(shift)
            f, calls = counted(objective, BUDGET)
            point = module.minimize(f, [LOWER] * DIMENSION, [UPPER] * DIMENSION, BUDGET, trial_seed)
            if point is None or len(point) != DIMENSION:
                raise ValueError(f"minimize returned {point!r:.200}, not a list of {DIMENSION} numbers")
            if not all(LOWER <= x <= UPPER for x in point):
                raise ValueError(f"minimize returned a point outside the box [{LOWER}, {UPPER}]^{DIMENSION}")
            values.append(objective(point))  # Judged here, not taken from the program.
            calls_used.append(calls[0])
        score = sum(values) / len(values)
        result = {
            "score": score,
            "public": {"best": min(values), "worst": max(values), "evaluations": sum(calls_used) / TRIALS},
            "private": {"values": values},
            "artifacts": {
                "summary": (
                    f"{TRIALS} trials on a shifted {DIMENSION}-D Rastrigin function (global minimum 0), "
                    f"{BUDGET} evaluations each: values {', '.join(f'{v:.3f}' for v in values)}; "
                    f"mean {score:.3f} (lower is better)."
                )
            },
        }
    except Exception as error:  # The program failed: a result, not a crash of the evaluator.
        result = {
            "error": f"{type(error).__name__}: {error}",
            "artifacts": {"traceback": traceback.format_exc()[-3000:]},
        }
    with open(result_file, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
