"""Places circles in the unit square: a small cousin of the circle-packing example."""
import math
import sys

GRID = 5  # @evolve int 2..9   (outside every block: ignored)

# EVOLVE-BLOCK-START
SHRINK = 0.97  # @evolve float 0.5..1
LAYOUT = "hex"  # @evolve choice grid|hex
PASSES = 3  # @evolve int 1..10


def place(count):
    """Centres and radii of `count` circles."""
    centres = []
    for index in range(count):
        row, column = divmod(index, GRID)
        offset = 0.5 if LAYOUT == "hex" and row % 2 else 0.0
        centres.append(((column + 0.5 + offset) / (GRID + 1), (row + 0.5) / GRID))
    radius = SHRINK * 0.5 / (GRID + 1)
    for _ in range(PASSES):
        radius = min(radius, math.sqrt(radius) / 4)
    return [(x, y, radius) for x, y in centres]
# EVOLVE-BLOCK-END


def main():
    circles = place(int(sys.argv[1]) if len(sys.argv) > 1 else 26)
    print(sum(radius for _, _, radius in circles))


if __name__ == "__main__":  # EVOLVE-BLOCK-START
    main()
# EVOLVE-BLOCK-END
