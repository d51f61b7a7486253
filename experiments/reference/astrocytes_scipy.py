"""Independent SciPy reference of the single-astrocyte models (BIOPHYSICS.md §3).

Written from the specification's equations, not from glia's C++ code, so that agreement
between the two is evidence that both follow the equations. Units: µM and s.
"""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

import numpy as np
from scipy.integrate import solve_ivp

GCHI_NETWORK = dict(
    O_P=0.9, K_P=0.05, C_T=2.0, rho_A=0.18, Omega_C=6.0, Omega_L=0.1, d1=0.13, d2=1.05, O_2=0.2, d3=0.9434,
    d5=0.08, O_beta=0.5, O_N=0.3, Omega_N=0.5, K_KC=0.5, zeta=10.0, O_delta=1.2, kappa_delta=1.5, K_delta=0.1,
    Omega_5P=0.05, K_D=0.7, K_3K=1.0, O_3K=4.5,
)
GCHI_SINGLE = dict(GCHI_NETWORK, K_P=0.1, O_beta=5.0, O_delta=0.2, K_delta=0.3, Omega_5P=0.1, K_D=0.5)
GCHI_VARS = ("Gamma_A", "I", "C", "h")

LI_RINZEL = dict(
    Ca_tot=2.0, r_ER=0.185, v1=6.0, v2=0.11, v3=0.9, k3=0.1, d1=0.13, d2=1.049, d3=0.9434, d5=0.08234, a2=0.2,
    IP3_0=0.16, tau_IP3=7.142,
)
LI_RINZEL_VARS = ("C", "h", "IP3")


def gchi_rhs(p: Mapping[str, float], Y_S: float, J_ex: float):
    def f(_t, y):
        gamma = min(max(y[0], 0.0), 1.0)
        I, C = y[1], y[2]
        h = min(max(y[3], 0.0), 1.0)
        d_gamma = p["O_N"] * Y_S * (1 - gamma) - p["Omega_N"] * (1 + p["zeta"] * C / (C + p["K_KC"])) * gamma
        d_I = (
            p["O_beta"] * gamma
            + p["O_delta"] / (1 + I / p["kappa_delta"]) * C**2 / (C**2 + p["K_delta"] ** 2)
            - p["O_3K"] * C**4 / (C**4 + p["K_D"] ** 4) * I / (I + p["K_3K"])
            - p["Omega_5P"] * I
            + J_ex
        )
        m_inf = I / (I + p["d1"]) * C / (C + p["d5"])
        d_C = (p["Omega_C"] * m_inf**3 * h**3 + p["Omega_L"]) * (p["C_T"] - (1 + p["rho_A"]) * C) - p["O_P"] * C**2 / (
            C**2 + p["K_P"] ** 2
        )
        Q2 = p["d2"] * (I + p["d1"]) / (I + p["d3"])
        tau_h = 1 / (p["O_2"] * (Q2 + C))
        d_h = (Q2 / (Q2 + C) - y[3]) / tau_h
        return [d_gamma, d_I, d_C, d_h]

    return f


def li_rinzel_rhs(p: Mapping[str, float]):
    def f(_t, y):
        C, h, IP3 = y
        C_ER = (p["Ca_tot"] - C) / p["r_ER"]
        m_inf = IP3 / (IP3 + p["d1"])
        n_inf = C / (C + p["d5"])
        J_chan = p["r_ER"] * p["v1"] * m_inf**3 * n_inf**3 * h**3 * (C_ER - C)
        J_leak = p["r_ER"] * p["v2"] * (C_ER - C)
        J_pump = p["v3"] * C**2 / (p["k3"] ** 2 + C**2)
        d_h = p["a2"] * p["d2"] * (IP3 + p["d1"]) / (IP3 + p["d3"]) * (1 - h) - p["a2"] * C * h
        return [J_chan + J_leak - J_pump, d_h, (p["IP3_0"] - IP3) / p["tau_IP3"]]

    return f


def solve(model: str, y0: Sequence[float], t: np.ndarray, params: Mapping[str, float] | None = None,
          Y_S: float = 0.0, J_ex: float = 0.0, rtol: float = 1e-10, atol: float = 1e-12) -> Dict[str, np.ndarray]:
    """Integrates with solve_ivp (DOP853) and returns variable -> samples at times t."""
    if model == "gchi":
        f, names = gchi_rhs(params or GCHI_NETWORK, Y_S, J_ex), GCHI_VARS
    elif model == "li_rinzel":
        f, names = li_rinzel_rhs(params or LI_RINZEL), LI_RINZEL_VARS
    else:
        raise ValueError(f"unknown model {model!r}")
    sol = solve_ivp(f, (t[0], t[-1]), list(y0), method="DOP853", t_eval=t, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(sol.message)
    return dict(zip(names, sol.y))
