"""The server-drawn map: colours, the PNG that carries them, and marching-squares contours,
each checked against an independent reference (Pillow's PNG decoder, closed-form level
sets)."""
import base64
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from gdviz.figures import raster

SCALE = ("#000000", "#808080", "#ffffff")


def decode(uri: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri[len(prefix):]))).convert("RGB"))


def test_colours_run_from_the_first_stop_at_the_minimum_to_the_last_at_the_maximum():
    z = np.array([[0.0, 1.0], [2.0, 4.0]])
    rgb = raster.colours(z, SCALE)
    assert rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[1, 1].tolist() == [255, 255, 255]
    assert rgb[1, 0].tolist() == [0x80] * 3                 # z = 2: half way, the middle stop
    assert rgb[0, 1].tolist() == [64] * 3                   # a quarter: half way to the middle


def test_a_flat_map_gets_one_colour_and_no_nan():
    assert (raster.colours(np.full((3, 4), 7.0), SCALE) == 0).all()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**32 - 1))
def test_the_png_decodes_to_the_same_pixels(h, w, seed):
    rgb = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    assert np.array_equal(decode(raster.png(rgb)), rgb)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 256), st.integers(0, 2**32 - 1))
def test_an_indexed_png_decodes_to_the_same_indices_and_colours(h, w, n, seed):
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, (n, 3), dtype=np.uint8)
    index = rng.integers(0, n, (h, w), dtype=np.uint8)
    uri = raster.png(index, palette)
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.mode == "P" and np.array_equal(np.asarray(image), index)
    assert np.array_equal(decode(uri), palette[index])


def test_levels_lie_strictly_inside_the_range():
    z = np.linspace(-3.0, 5.0, 50).reshape(5, 10)
    v = raster.levels(z, 7)
    assert len(v) == 7 and v.min() > -3.0 and v.max() < 5.0
    assert np.allclose(np.diff(v), 1.0)                     # 8 / (7 + 1)


def lines(xs, ys) -> list[np.ndarray]:
    """The contour trace's points split at its gaps, one (n, 2) array per line."""
    out, cur = [], []
    for x, y in zip(xs, ys, strict=True):
        if np.isnan(x):
            assert np.isnan(y)
            out.append(np.array(cur))
            cur = []
        else:
            cur.append((x, y))
    assert cur == []                                        # every line ends with a gap
    return out


def test_a_plane_crosses_each_level_in_one_straight_line_exactly():
    x, y = np.linspace(0, 1, 11), np.linspace(-2, 2, 9)
    z = np.tile(x, (len(y), 1))                             # z = x: level sets are x = const
    for level in (0.05, 0.33, 0.9):
        (line,) = lines(*raster.contours(x, y, z, [level]))
        assert np.allclose(line[:, 0], level)               # linear along edges: exact
        assert sorted([line[0, 1], line[-1, 1]]) == [-2, 2]  # from border to border
        assert len(line) == len(y)


def test_a_bowl_gives_closed_circles_on_their_radius():
    g = np.linspace(-2, 2, 81)
    z = g[None, :] ** 2 + g[:, None] ** 2                   # level L: the circle r = √L
    for level in (0.5, 1.0, 2.0):
        (line,) = lines(*raster.contours(g, g, z, [level]))
        assert np.array_equal(line[0], line[-1])             # closed
        r = np.hypot(line[:, 0], line[:, 1])
        assert np.abs(r - np.sqrt(level)).max() < 2e-3       # h = 0.05: error ~ h²
        angle = np.sort(np.arctan2(line[:, 1], line[:, 0]))
        assert np.diff(angle).max() < 0.1                    # all the way round


def test_a_saddle_splits_into_the_two_branches_of_its_hyperbola():
    g = np.linspace(-1, 1, 41)
    z = g[None, :] * g[:, None]                             # z = x·y
    found = lines(*raster.contours(g, g, z, [0.1]))
    assert len(found) == 2
    for line in found:
        assert np.abs(line[:, 0] * line[:, 1] - 0.1).max() < 2e-3
        assert len({np.sign(p[0]) for p in line}) == 1      # each stays in its quadrant


@pytest.mark.parametrize("level", [-1.0, 10.0])
def test_a_level_outside_the_map_draws_nothing(level):
    z = np.arange(12.0).reshape(3, 4) / 11
    xs, ys = raster.contours(np.arange(4.0), np.arange(3.0), z, [level])
    assert len(xs) == len(ys) == 0


@pytest.mark.parametrize("centre, cut_off", [(0.5, "below"), (-0.5, "above")])
def test_a_saddle_cell_is_read_by_its_centre(centre, cut_off):
    """Corners + − / − + around level 0: the side the centre is on joins its two corners,
    so the lines cut off the other two, each across the corner's own two edges."""
    z = np.array([[1.0, -1.0], [-1.0, 1.0]]) + centre     # rows y = 0, 1; columns x = 0, 1
    found = lines(*raster.contours(np.array([0.0, 1.0]), np.array([0.0, 1.0]), z, [0.0]))
    corners = {"below": {(1, 0), (0, 1)}, "above": {(0, 0), (1, 1)}}[cut_off]
    cut = set()
    for line in found:
        (corner,) = {tuple(np.round(p).astype(int)) for p in line}   # both ends round to it
        assert all(p[0] == corner[0] or p[1] == corner[1] for p in line)   # its two edges
        cut.add(corner)
    assert cut == corners
