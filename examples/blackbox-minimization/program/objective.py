"""The black box: a shifted Rastrigin function in 4 dimensions on [-5.12, 5.12]^4, minimum 0.

The judge computes exactly this function itself on the point the program writes; changing this file
changes nothing but the program's own search.
"""
import math

DIMENSION = 4
LOWER, UPPER = -5.12, 5.12
_SHIFT = (1.3, -0.7, 2.1, -2.9)


def objective(x):
    """f(x) = 10 d + sum(z^2 - 10 cos(2 pi z)), z = x - shift: about 10^4 local minima, one global (0)."""
    total = 10.0 * DIMENSION
    for value, shift in zip(x, _SHIFT):
        z = value - shift
        total += z * z - 10.0 * math.cos(2.0 * math.pi * z)
    return total
