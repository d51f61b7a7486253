"""Independent SciPy reference of the neuron–astrocyte LTP network (BIOPHYSICS.md §1, §2, §4).

Written from the specification's equations and the documented choices (tanh saturations, grid
kernel without self-coupling), not from glia's C++ code, so that agreement between the two is
evidence that both follow the equations:

    tau_n dx_j/dt  = -lambda x_j + b_pre_j on(t)                                  (pre)
    tau_n dx_i/dt  = -lambda x_i + w_gain sum_j s_ij theta(x_j) + b_post_i on(t)  (post)
    tau_s ds_ij/dt = -beta s_ij + c theta(x_i) theta(x_j) + psi(p^s_ij)
    tau_ps dp^s_ij/dt = -gamma_s p^s_ij + sum_kl T_ijkl psi(p^s_kl) + kappa(s_ij)
    tau_pl dp^l_ij/dt = -gamma_l p^l_ij + kappa(s_ij)

psi = psi_gain tanh, kappa = kappa_gain tanh, T_ijkl = c_T exp(-|(i,j) - (k,l)| / lambda_T) with
T_ijij = 0; on(t) = 1 for the first T_on of each cycle of T_on + T_off. Each phase is integrated
separately (the drive jumps between them), from rest.

Run as a script to write reference traces of the default network to an .npz file.
"""

from __future__ import annotations

import sys
from typing import Dict, Mapping, Optional, Sequence

import numpy as np
from scipy.integrate import solve_ivp

DEFAULTS = dict(
    tau_n=0.01, lambda_=1.0, tau_s=1.0, beta=1.0, c=1.0, tau_ps=2.0, tau_pl=30.0, gamma_s=1.0, gamma_l=1.0,
    c_T=0.1, lambda_T=1.0, psi_gain=0.5, kappa_gain=1.0, w_gain=1.0,
)

THETA = {
    "identity": lambda x: x,
    "tanh": np.tanh,
    "elu+1": lambda x: np.where(x > 0, x + 1.0, np.exp(np.minimum(x, 0.0))),
    "relu": lambda x: np.maximum(x, 0.0),
}


def kernel(n_post: int, n_pre: int, c_T: float, lambda_T: float) -> np.ndarray:
    """T as an (n_post n_pre) x (n_post n_pre) matrix over grid points (i, j), row-major."""
    ii, jj = np.meshgrid(np.arange(n_post), np.arange(n_pre), indexing="ij")
    points = np.stack([ii.ravel(), jj.ravel()], axis=1).astype(float)
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    T = c_T * np.exp(-dist / lambda_T)
    np.fill_diagonal(T, 0.0)
    return T


def solve(b_pre: Sequence[float], b_post: Sequence[float], T_on: float, T_off: float, cycles: int,
          t_eval: np.ndarray, params: Optional[Mapping[str, float]] = None, theta: str = "tanh",
          rtol: float = 1e-10, atol: float = 1e-12) -> Dict[str, np.ndarray]:
    """Integrates with solve_ivp (DOP853), phase by phase, and returns the states at t_eval
    (shaped like glia.neuron_astrocyte_ltp: s, p_s, p_l as (len(t_eval), n_post, n_pre)) and
    p^l at the end of each cycle ("p_l_cycle_end", (cycles, n_post, n_pre)).

    ``params`` uses glia's names ("lambda" for the leak)."""
    p = dict(DEFAULTS)
    for k, v in (params or {}).items():
        p["lambda_" if k == "lambda" else k] = float(v)
    th = THETA[theta]
    b_pre, b_post = np.asarray(b_pre, float), np.asarray(b_post, float)
    n_pre, n_post = len(b_pre), len(b_post)
    n_syn = n_pre * n_post
    T = kernel(n_post, n_pre, p["c_T"], p["lambda_T"])

    def split(y):
        x_pre, x_post = y[:n_pre], y[n_pre:n_pre + n_post]
        rest = y[n_pre + n_post:]
        return x_pre, x_post, rest[:n_syn].reshape(n_post, n_pre), rest[n_syn:2 * n_syn], rest[2 * n_syn:]

    def rhs(on):
        def f(_t, y):
            x_pre, x_post, S, ps, pl = split(y)
            th_pre, th_post = th(x_pre), th(x_post)
            psi = p["psi_gain"] * np.tanh(ps)
            kappa = p["kappa_gain"] * np.tanh(S.ravel())
            d_pre = (-p["lambda_"] * x_pre + on * b_pre) / p["tau_n"]
            d_post = (-p["lambda_"] * x_post + p["w_gain"] * S @ th_pre + on * b_post) / p["tau_n"]
            d_S = (-p["beta"] * S.ravel() + p["c"] * np.outer(th_post, th_pre).ravel() + psi) / p["tau_s"]
            d_ps = (-p["gamma_s"] * ps + T @ psi + kappa) / p["tau_ps"]
            d_pl = (-p["gamma_l"] * pl + kappa) / p["tau_pl"]
            return np.concatenate([d_pre, d_post, d_S, d_ps, d_pl])

        return f

    t_eval = np.asarray(t_eval, float)
    out = np.full((len(t_eval), n_pre + n_post + 3 * n_syn), np.nan)
    y = np.zeros(n_pre + n_post + 3 * n_syn)
    out[t_eval == 0.0] = y
    cycle_end = []
    T_c = T_on + T_off
    for n in range(cycles):
        for t0, t1, on in ((n * T_c, n * T_c + T_on, 1.0), (n * T_c + T_on, (n + 1) * T_c, 0.0)):
            if t1 <= t0:
                continue
            inside = (t_eval > t0) & (t_eval <= t1 + 1e-12)
            times = np.clip(t_eval[inside], t0, t1)
            grid = np.unique(np.append(times, t1))  # the phase end is needed to go on
            sol = solve_ivp(rhs(on), (t0, t1), y, method="DOP853", t_eval=grid, rtol=rtol, atol=atol)
            if not sol.success:
                raise RuntimeError(sol.message)
            out[inside] = sol.y[:, np.searchsorted(grid, times)].T
            y = sol.y[:, -1]
        cycle_end.append(split(y)[4].reshape(n_post, n_pre))
    x_pre, x_post = out[:, :n_pre], out[:, n_pre:n_pre + n_post]
    syn = out[:, n_pre + n_post:].reshape(len(t_eval), 3, n_post, n_pre)
    return dict(x_pre=x_pre, x_post=x_post, s=syn[:, 0], p_s=syn[:, 1], p_l=syn[:, 2],
                p_l_cycle_end=np.array(cycle_end))


def main(argv: Sequence[str]) -> int:
    """Reference traces of the default network (3 x 3, 10 cycles of 2 s on + 2 s off), sampled
    every 10 ms, into the .npz file named by the first argument."""
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUTPUT.npz", file=sys.stderr)
        return 2
    t = np.linspace(0.0, 40.0, 4001)
    ref = solve([1.0] * 3, [1.0] * 3, 2.0, 2.0, 10, t)
    np.savez(argv[1], t=t, **ref)
    print("p^l (mean over synapses) at cycle ends:", np.round(ref["p_l_cycle_end"].mean(axis=(1, 2)), 6))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
