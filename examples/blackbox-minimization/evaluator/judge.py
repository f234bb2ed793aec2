"""Judges a point a search program produced (produce-then-judge: this run never holds the program).

Usage: python3 judge.py POINT_FILE RESULT_FILE

POINT_FILE holds {"x": [4 numbers]}. The judge checks it (4 finite numbers inside [-5.12, 5.12])
and computes the shifted Rastrigin function itself: the score is f(x), lower is better, 0 is the
optimum. A malformed point is the program's failure ("error"), with the reason as an artifact.
"""
import json
import math
import sys

DIMENSION = 4
LOWER, UPPER = -5.12, 5.12
SHIFT = (1.3, -0.7, 2.1, -2.9)


def objective(x):
    total = 10.0 * DIMENSION
    for value, shift in zip(x, SHIFT):
        z = value - shift
        total += z * z - 10.0 * math.cos(2.0 * math.pi * z)
    return total


def main():
    point_file, result_file = sys.argv[1], sys.argv[2]

    def write(result):
        with open(result_file, "w") as handle:
            json.dump(result, handle)

    try:
        with open(point_file) as handle:
            answer = json.load(handle)
        x = [float(value) for value in answer["x"]]
        if len(x) != DIMENSION:
            raise ValueError(f"x has {len(x)} coordinates, expected {DIMENSION}")
        bad = [index for index, value in enumerate(x) if not math.isfinite(value) or not LOWER <= value <= UPPER]
        if bad:
            raise ValueError(f"coordinates {bad} are not finite numbers inside [{LOWER}, {UPPER}]")
    except Exception as error:  # noqa: BLE001 - any malformed answer is the program's failure
        write({"error": f"unusable point: {error}", "artifacts": {"judgement": f"The point file was refused: {error}"}})
        return
    value = objective(x)
    distance = math.dist(x, SHIFT)
    write({
        "score": value,
        "public": {"f": value},
        "private": {"distance_to_optimum": distance},
        "artifacts": {
            "judgement": f"f(x) = {value:.6f} at x = [{', '.join(f'{v:.4f}' for v in x)}] (the optimum is 0)."
        },
    })


if __name__ == "__main__":
    main()
