"""Geometry of the Stimberg et al. (2018) Fig. 6 network, shared by the Brian 2 reference
(experiments/reference/brian_fig6.py) and the glia config (experiments/configs/fig6_config.py), so that both
simulators place cells and assign synapses to astrocytes by one rule.

The rule (the project's; it replaces the example's slightly inconsistent per-group formulas):

* A group of n cells on a square of side L (metres) sits on a column-major grid with
  R = isqrt(n) rows, C = ceil(n / R) columns, spacing d = L / C and origin (x0, y0) = (-C/2 * d, -R/2 * d):
  cell i is at (x0 + floor(i / R) * d,  y0 + (i mod R) * d).
  This is exactly glia's `"positions": {"grid": {"rows": R, "spacing": d, "origin": [x0, y0]}}`, evaluated in
  the same floating-point order (origin + index * spacing), so both sides get bit-identical coordinates.
  For n = 3200 (E neurons and astrocytes at scale 1): R = 56, C = 58, d = 64.66 µm; for n = 800 (I neurons):
  R = 28, C = 29, d = 129.3 µm.
* Every neuron (E and I) has a position. A synapse from an excitatory neuron is covered by the astrocyte nearest
  to its postsynaptic neuron (Euclidean distance, computed as dx*dx + dy*dy with dx = x_astro - x_neuron, as
  glia does; ties go to the lowest astrocyte index). Synapses from inhibitory neurons are covered by none.
* Astrocytes i != j are coupled by IP3 gap junctions when dx*dx + dy*dy < r*r (r = 75 µm): at scale 1 the four
  nearest grid neighbours (64.7 µm; diagonals are 91.4 µm away).

Scaling (`scale` s): n_E = round(3200 s), n_I = round(800 s), n_A = round(3200 s); the connection
probabilities stay fixed (0.05 from E, 0.2 from I), so the synapse count grows as 1.28e6 * s^2 and the fan-in as
s; the side grows as L = 3.75 mm * sqrt(s) so that cell densities, the astrocyte spacing and hence the
gap-junction graph (about 4 neighbours) stay as at scale 1.
"""

from __future__ import annotations

import math

import numpy as np

L_FIG6 = 3.75e-3  # m, side of the square at scale 1
N_E, N_I, N_A = 3200, 800, 3200
COUPLING_RADIUS = 75e-6  # m


def grid_spec(n: int, L: float) -> dict:
    """Grid parameters for n cells on a square of side L: rows R, spacing d (m), origin (x0, y0) (m)."""
    if n < 1:
        raise ValueError(f"grid_spec: n must be >= 1, got {n}")
    R = math.isqrt(n)
    C = -(-n // R)  # ceil(n / R)
    d = L / C
    return {"rows": R, "cols": C, "spacing": d, "origin": [-C / 2.0 * d, -R / 2.0 * d]}


def grid_positions(n: int, L: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions (x, y) in metres of n cells on the grid of `grid_spec(n, L)`."""
    g = grid_spec(n, L)
    i = np.arange(n, dtype=np.int64)
    d = g["spacing"]
    x = g["origin"][0] + (i // g["rows"]).astype(np.float64) * d
    y = g["origin"][1] + (i % g["rows"]).astype(np.float64) * d
    return x, y


def nearest(from_x, from_y, to_x, to_y, chunk: int = 2048) -> np.ndarray:
    """For each point of `from`, the index of the nearest point of `to` (ties: lowest index), int64."""
    from_x, from_y = np.asarray(from_x, float), np.asarray(from_y, float)
    to_x, to_y = np.asarray(to_x, float), np.asarray(to_y, float)
    out = np.empty(len(from_x), dtype=np.int64)
    for s in range(0, len(from_x), chunk):
        dx = to_x[None, :] - from_x[s:s + chunk, None]
        dy = to_y[None, :] - from_y[s:s + chunk, None]
        out[s:s + chunk] = np.argmin(dx * dx + dy * dy, axis=1)  # argmin returns the first minimum
    return out


def pairs_within(x, y, radius: float, chunk: int = 2048) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, with squared distance < radius**2, sorted by i then j."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    r2 = radius * radius
    I, J = [], []
    for s in range(0, len(x), chunk):
        dx = x[None, :] - x[s:s + chunk, None]
        dy = y[None, :] - y[s:s + chunk, None]
        ii, jj = np.nonzero(dx * dx + dy * dy < r2)
        ii = ii + s
        keep = ii != jj
        I.append(ii[keep])
        J.append(jj[keep])
    return np.concatenate(I).astype(np.int64), np.concatenate(J).astype(np.int64)


def sizes(scale: float = 1.0) -> dict:
    """Group sizes and side length at a given scale (see the module docstring)."""
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale}")
    n_e, n_i, n_a = (max(1, int(round(n * scale))) for n in (N_E, N_I, N_A))
    return {"n_e": n_e, "n_i": n_i, "n_a": n_a, "L": L_FIG6 * math.sqrt(scale)}


def network_geometry(scale: float = 1.0) -> dict:
    """Positions of E, I and astrocytes, the nearest astrocyte of every neuron, and the gap-junction pairs."""
    s = sizes(scale)
    xe, ye = grid_positions(s["n_e"], s["L"])
    xi, yi = grid_positions(s["n_i"], s["L"])
    xa, ya = grid_positions(s["n_a"], s["L"])
    ci, cj = pairs_within(xa, ya, COUPLING_RADIUS)
    return {**s, "E": (xe, ye), "I": (xi, yi), "A": (xa, ya),
            "astro_of_E": nearest(xe, ye, xa, ya), "astro_of_I": nearest(xi, yi, xa, ya),
            "coupling": (ci, cj),
            "grid": {"E": grid_spec(s["n_e"], s["L"]), "I": grid_spec(s["n_i"], s["L"]),
                     "A": grid_spec(s["n_a"], s["L"])}}


if __name__ == "__main__":
    g = network_geometry(1.0)
    deg = np.bincount(g["coupling"][0], minlength=g["n_a"])
    cov = np.bincount(np.r_[g["astro_of_E"], g["astro_of_I"]], minlength=g["n_a"])
    print({k: g["grid"][k] for k in "EIA"})
    print(f"gap junctions per astrocyte: mean {deg.mean():.3f}, min {deg.min()}, max {deg.max()}; "
          f"neurons per astrocyte: mean {cov.mean():.3f}, astrocytes covering none {np.sum(cov == 0)}")
