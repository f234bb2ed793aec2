"""Scores a circle packing: 26 circles in the unit square, the sum of their radii.

Usage (as the campaign's command runs it): python3 evaluate.py PROGRAM_DIR RESULT_FILE SEED

It imports PROGRAM_DIR/packing.py, calls pack(SEED), and checks the answer itself with plain
Python floats: 26 finite centres and radii, every circle inside [0, 1]^2 and no two overlapping,
both to a tolerance of 1e-9. A valid packing scores the sum of its radii; an invalid one, or a
program that raises, scores 0 with the reason in the artifacts (OpenEvolve's convention), so the
node is still recorded and its children's prompts say what went wrong.
"""
import importlib.util
import json
import math
import os
import sys
import time
import traceback

N = 26
TOLERANCE = 1e-9


def write(result_path, result):
    with open(result_path, "w") as handle:
        json.dump(result, handle)


def as_floats(value, length, what):
    values = [float(entry) for entry in list(value)]
    if len(values) != length:
        raise ValueError(f"{what} has {len(values)} entries, expected {length}")
    if not all(math.isfinite(entry) for entry in values):
        raise ValueError(f"{what} holds a NaN or infinite value")
    return values


def check(centers, radii):
    """Violations of containment and overlap (empty when valid), and facts about the packing."""
    violations = []
    for index, ((x, y), radius) in enumerate(zip(centers, radii)):
        if radius < 0:
            violations.append(f"circle {index} has a negative radius {radius:.6g}")
        worst = min(x - radius, 1 - x - radius, y - radius, 1 - y - radius)
        if worst < -TOLERANCE:
            violations.append(f"circle {index} at ({x:.6f}, {y:.6f}) r={radius:.6f} leaves the square by {-worst:.3g}")
    touching = 0
    for i in range(N):
        for j in range(i + 1, N):
            gap = math.dist(centers[i], centers[j]) - radii[i] - radii[j]
            if gap < -TOLERANCE:
                violations.append(f"circles {i} and {j} overlap by {-gap:.3g}")
            elif gap < 1e-6:
                touching += 1
    return violations, touching


def main():
    program_dir, result_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    started = time.time()
    try:
        spec = importlib.util.spec_from_file_location("packing", os.path.join(program_dir, "packing.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        centers_raw, radii_raw = module.pack(seed)
        radii = as_floats(radii_raw, N, "radii")
        centers = [as_floats(center, 2, f"centre {index}") for index, center in enumerate(list(centers_raw))]
        if len(centers) != N:
            raise ValueError(f"pack returned {len(centers)} centres, expected {N}")
    except Exception:
        write(result_path, {
            "score": 0.0,
            "public": {"valid": False, "sum_radii": 0.0},
            "artifacts": {"error": traceback.format_exc(limit=6)[-3000:]},
        })
        return
    seconds = time.time() - started
    violations, touching = check(centers, radii)
    total = sum(radii)
    layout = "\n".join(f"{index:2d}  x={x:.6f}  y={y:.6f}  r={r:.6f}" for index, ((x, y), r) in enumerate(zip(centers, radii)))
    if violations:
        write(result_path, {
            "score": 0.0,
            "public": {"valid": False, "sum_radii": total, "violations": len(violations)},
            "artifacts": {
                "violations": "\n".join(violations[:20]) + (f"\n… {len(violations) - 20} more" if len(violations) > 20 else ""),
                "packing": layout,
            },
        })
        return
    write(result_path, {
        "score": total,
        "public": {
            "valid": True,
            "sum_radii": total,
            "min_radius": min(radii),
            "max_radius": max(radii),
            "touching_pairs": touching,
        },
        "private": {"gap_to_published_best": 2.635 - total},
        "artifacts": {
            "summary": (
                f"Valid packing of {N} circles, sum of radii {total:.6f} (AlphaEvolve's published best: 2.635). "
                f"Radii from {min(radii):.4f} to {max(radii):.4f}; {touching} pairs touch (gap < 1e-6); "
                f"pack() took {seconds:.2f} s."
            ),
            "packing": layout,
        },
    })


if __name__ == "__main__":
    main()
