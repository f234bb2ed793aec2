"""Judges a compiled travelling-salesman program on one instance.

Usage: python3 judge.py PROGRAM INSTANCE SEED RESULT_FILE

INSTANCE is `uniform-N` or `clustered-N`; the cities are generated here from the instance name
and SEED (the program never sees the generator). The judge runs PROGRAM with the cities on stdin
(10 s at most), checks that it printed every city exactly once, and scores the closed tour's
length (lower is better). A wrong or missing tour is the program's failure ("error").
"""
import json
import math
import random
import subprocess
import sys


def cities(instance, seed):
    kind, count = instance.rsplit("-", 1)
    rng = random.Random(f"{instance}:{seed}")
    points = []
    if kind == "clustered":
        centres = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(5)]
        for _ in range(int(count)):
            cx, cy = rng.choice(centres)
            points.append((cx + rng.gauss(0, 6), cy + rng.gauss(0, 6)))
    else:
        points = [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(int(count))]
    return points


def main():
    program, instance, seed, result_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def write(result):
        with open(result_file, "w") as handle:
            json.dump(result, handle)

    points = cities(instance, seed)
    text = f"{len(points)}\n" + "".join(f"{x:.6f} {y:.6f}\n" for x, y in points)
    try:
        run = subprocess.run([program], input=text, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        write({"error": "the program ran past 10 s", "artifacts": {"judgement": "No tour within 10 s."}})
        return
    if run.returncode != 0:
        write({"error": f"the program exited with code {run.returncode}", "artifacts": {"stderr": run.stderr[-2000:]}})
        return
    try:
        tour = [int(line) for line in run.stdout.split()]
    except ValueError:
        write({"error": "the program printed something other than city indices", "artifacts": {"stdout": run.stdout[:2000]}})
        return
    if sorted(tour) != list(range(len(points))):
        write({"error": f"the tour does not visit each of the {len(points)} cities exactly once",
               "artifacts": {"stdout": run.stdout[:2000]}})
        return
    length = sum(math.dist(points[tour[k]], points[tour[(k + 1) % len(tour)]]) for k in range(len(tour)))
    write({
        "score": length,
        "public": {"length": length, "cities": len(points)},
        "artifacts": {"judgement": f"{instance}: a valid tour of {len(points)} cities, length {length:.3f}."},
    })


if __name__ == "__main__":
    main()
