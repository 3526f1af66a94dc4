"""A map over a grid drawn on the server: its colours as a PNG, its contour lines as points.

plotly.js redraws a whole figure when the numbers of a heatmap or contour trace change, all
four panels of the neuron's figure for a new cost surface. A layout image and scatter lines
are swapped in place instead (gdviz/pages/chart.py), so the map is made here: the colours as
the browser scales a small PNG up (smoothly, as a heatmap's zsmooth="fast"), the contour
lines by marching squares. Standard library and NumPy only.

The PNG encoder is written here rather than taken from Pillow (which Streamlit installs, and
which the tests use to decode these pictures): Pillow's Image.save was measured at ~0.3 ms
more per picture, ~28 ms more per neuron figure of 61 pictures (timeit, 2026-11-30), for
the same bytes. An 8-bit PNG is four chunks around one zlib stream.
"""
from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Sequence

import numpy as np

# Corners of a grid cell, counted anticlockwise from the bottom left: (row, column) offsets.
# Edge e joins corner e and corner e + 1 (mod 4): bottom, right, top, left.
CORNERS = ((0, 0), (0, 1), (1, 1), (1, 0))


def colours(z: np.ndarray, scale: Sequence[str]) -> np.ndarray:
    """z coloured as a heatmap would colour it: its minimum gets the scale's first colour,
    its maximum the last, linearly in between.

    Args:
        z: a 2-D grid of finite numbers.
        scale: evenly spaced '#rrggbb' colours.

    Returns:
        A uint8 array of z's shape with an RGB axis added.
    """
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in scale], float)
    span = float(z.max() - z.min())
    t = (z - z.min()) / span if span > 0 else np.zeros_like(z, float)
    at = np.linspace(0.0, 1.0, len(stops))
    rgb = [np.interp(t, at, stops[:, k]) for k in range(3)]
    return np.rint(np.stack(rgb, axis=-1)).astype(np.uint8)


def png(pixels: np.ndarray, palette: np.ndarray | None = None) -> str:
    """An 8-bit picture as a data: URI holding a PNG; row 0 is the top of the picture.

    Args:
        pixels: (height, width, 3) RGB bytes, or with `palette` (height, width) indices.
        palette: up to 256 RGB colours, (n, 3) uint8: an indexed picture a third the size.
    """
    h, w = pixels.shape[:2]
    rows = np.hstack([np.zeros((h, 1), np.uint8), pixels.reshape(h, -1)])   # filter 0: none

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body)))

    kind = 2 if palette is None else 3                      # truecolour or indexed
    head = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, kind, 0, 0, 0))
    if palette is not None:
        head += chunk(b"PLTE", np.ascontiguousarray(palette, np.uint8).tobytes())
    data = (b"\x89PNG\r\n\x1a\n" + head + chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) +
            chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(data).decode()


def levels(z: np.ndarray, n: int) -> np.ndarray:
    """n evenly spaced values strictly between z's minimum and maximum."""
    return np.linspace(z.min(), z.max(), n + 2)[1:-1]


def contours(x: np.ndarray, y: np.ndarray, z: np.ndarray,
             values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The lines where z crosses each value, for one scatter trace.

    Marching squares: z is taken as linear along each cell edge, so a line crosses an edge
    where the value lies between the edge's two ends. A cell whose two diagonal corners
    are above and the other two below is read by its centre (the mean of its corners).

    Args:
        x, y: the grid's coordinates; z[i, j] is the value at (x[j], y[i]).
        values: the levels to draw.

    Returns:
        (xs, ys): the lines' points, each line ended by NaN (a gap in a scatter trace).
    """
    points = [p for value in values for line in _lines(x, y, z, float(value))
              for p in [*line, (np.nan, np.nan)]]
    xy = np.array(points, float).reshape(-1, 2)
    return xy[:, 0], xy[:, 1]


def _lines(x, y, z, value: float) -> list[list[tuple[float, float]]]:
    """The level set z = value as polylines (closed ones end where they began)."""
    ny, nx = z.shape
    above = z > value
    corner = [above[r:ny - 1 + r, c:nx - 1 + c] for r, c in CORNERS]
    cut = [corner[e] != corner[(e + 1) % 4] for e in range(4)]   # edge e is crossed
    links: dict[tuple, list[tuple]] = {}
    for i, j in zip(*np.nonzero(cut[0] | cut[1] | cut[2] | cut[3]), strict=True):
        crossed = [e for e in range(4) if cut[e][i, j]]
        if len(crossed) == 4:        # a saddle: the centre says which corners join
            centre = z[i:i + 2, j:j + 2].mean() > value
            pairs = ((0, 1), (2, 3)) if centre == corner[0][i, j] else ((3, 0), (1, 2))
        else:
            pairs = (tuple(crossed),)
        for a, b in pairs:
            ka, kb = _edge(i, j, a), _edge(i, j, b)
            links.setdefault(ka, []).append(kb)
            links.setdefault(kb, []).append(ka)
    lines = []
    # open lines start at an end (an edge of the grid's border); closed ones anywhere
    starts = [k for k, v in links.items() if len(v) == 1] + list(links)
    for start in starts:
        if start not in links:
            continue
        line, here = [start], start
        while links.get(here):
            nxt = links[here].pop()
            links[nxt].remove(here)
            if not links[here]:
                del links[here]
            line.append(nxt)
            here = nxt
        links.pop(here, None)
        lines.append([_point(x, y, z, k, value) for k in line])
    return lines


def _edge(i: int, j: int, e: int) -> tuple[int, int, int]:
    """A name for edge e of cell (i, j) that the neighbouring cell shares: the grid point
    it starts from (row, column) and its direction (0 along a row, 1 up a column)."""
    return ((i, j, 0), (i, j + 1, 1), (i + 1, j, 0), (i, j, 1))[e]


def _point(x, y, z, edge: tuple[int, int, int], value: float) -> tuple[float, float]:
    """Where z = value on an edge, by linear interpolation between its ends."""
    i, j, up = edge
    i2, j2 = (i + 1, j) if up else (i, j + 1)
    t = (value - z[i, j]) / (z[i2, j2] - z[i, j])
    return float(x[j] + t * (x[j2] - x[j])), float(y[i] + t * (y[i2] - y[i]))
