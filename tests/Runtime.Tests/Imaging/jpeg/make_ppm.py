#!/usr/bin/env python3
"""Writes a synthetic binary PPM (P6): colour gradients, a disc, a bar and seeded noise.
Usage: make_ppm.py WIDTH HEIGHT SEED OUT.ppm   (deterministic: its own LCG, no library randomness)"""
import sys

width, height, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
state = seed


def noise(amplitude):
    global state
    state = (state * 1103515245 + 12345) % (1 << 31)
    return (state >> 16) % (2 * amplitude + 1) - amplitude


def clamp(v):
    return max(0, min(255, v))


pixels = bytearray()
cx, cy, r = width * 0.6, height * 0.45, min(width, height) * 0.3
for y in range(height):
    for x in range(width):
        red = 255 * x // max(1, width - 1)
        green = 255 * y // max(1, height - 1)
        blue = 128 + (x - y) * 2
        if (x - cx) ** 2 + (y - cy) ** 2 < r * r:      # a saturated disc: sharp chroma edges
            red, green, blue = 230, 40, 60
        if width // 5 <= x < width // 5 + 3:           # a thin dark vertical bar
            red, green, blue = 20, 20, 90
        n = noise(12)
        pixels += bytes((clamp(red + n), clamp(green + noise(12)), clamp(blue + n)))
with open(out, "wb") as f:
    f.write(b"P6\n%d %d\n255\n" % (width, height))
    f.write(pixels)
