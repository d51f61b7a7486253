#!/usr/bin/python3
"""glia network config of the Stimberg et al. (2018) Fig. 6 network, the model of
experiments/reference/brian_fig6.py (read its docstring for the model and the one deliberate change from the
example: every neuron has a grid position and each E-source synapse is covered by the astrocyte nearest to its
postsynaptic neuron). Geometry comes from fig6_geometry.py, the module Brian's reference uses too: groups carry
`"positions": {"grid": ...}` with the same rows/spacing/origin, and glia's `assign: nearest_to_target` and
gap-junction radius apply the same rule to the same (bit-identical) coordinates.

Layout in glia terms (E and I are separate groups, so Brian's E->all and I->all projections are two each):
  groups      E (lif_coba, Euler, 0.1 ms), I (same), A (gchi, RK4, 10 ms)
  projections exc_E (E->E), exc_I (E->I): g_e, 0.05 nS, p = 0.05, Tsodyks-Markram, astrocytes A nearest to
              target, closed loop (glutamate rho_c 0.005, Y_T 5e5 µM, Omega_c 40/s; gliotransmission alpha 0,
              O_G 1.5/µM/s, Omega_G 1/120 /s); an astrocyte reads the mean Y_S over all its synapses of both
              inh_E (I->E), inh_I (I->I): g_i, 1 nS, p = 0.2, Tsodyks-Markram, no astrocytes
  coupling    A: radius 75 µm, F 0.09 µM/s, I_Theta 0.3 µM, omega_I 0.05 µM
TM in Stimberg's form: U = U_0* = 0.6, tau_rec = 1/Omega_d = 0.5 s, tau_fac = 1/Omega_f = 1/3.33 s.

Monitors (`monitors=`): "stats" (default: spikes of E, I and A -- an astrocyte group's spikes are its releases --
and the population mean of A's C every 10 ms; what the statistics need and what Brian's reference records),
"none", "full" (stats + 1 ms rate monitors of E and I + a few astrocyte and synapse traces), or a list of monitor
dicts used as given.

Usage:
  /usr/bin/python3 experiments/configs/fig6_config.py [--scale 1] [--duration 8] [--seed 28371]
      [--monitors stats|none|full] [--output results/fig6.h5] [-o experiments/configs/stimberg_fig6.json]
From Python: sys.path.insert(0, "experiments/configs"); from fig6_config import fig6_config.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from fig6_geometry import COUPLING_RADIUS, network_geometry  # noqa: E402

NEURON_PARAMS = {"E_l": -0.06, "g_l": 9.99e-9, "E_e": 0.0, "E_i": -0.08, "C_m": 1.98e-10, "tau_e": 0.005,
                 "tau_i": 0.01, "tau_ref": 0.005, "V_th": -0.05, "V_r": -0.06, "I_ext": 1e-10}
W_E, W_I = 5e-11, 1e-9  # S
P_E, P_I = 0.05, 0.2
TM_PARAMS = {"U": 0.6, "tau_rec": 1.0 / 2.0, "tau_fac": 1.0 / 3.33}
GCHI_PARAMS = {"O_P": 0.9, "K_P": 0.05, "C_T": 2.0, "rho_A": 0.18, "Omega_C": 6.0, "Omega_L": 0.1, "d1": 0.13,
               "d2": 1.05, "O_2": 0.2, "d3": 0.9434, "d5": 0.08, "O_beta": 0.5, "O_N": 0.3, "Omega_N": 0.5,
               "K_KC": 0.5, "zeta": 10.0, "O_delta": 1.2, "kappa_delta": 1.5, "K_delta": 0.1, "Omega_5P": 0.05,
               "K_D": 0.7, "K_3K": 1.0, "O_3K": 4.5}
RELEASE = {"C_Theta": 0.5, "Omega_A": 0.6, "U_A": 0.6, "G_T": 2e5, "rho_e": 6.5e-4, "Omega_e": 60.0}
GLUTAMATE = {"rho_c": 0.005, "Y_T": 5e5, "Omega_c": 40.0}
GLIOTRANSMISSION = {"alpha": 0.0, "O_G": 1.5, "Omega_G": 0.5 / 60.0}
COUPLING = {"F": 0.09, "I_Theta": 0.3, "omega_I": 0.05}
STIMULUS = {"dt": 2.0, "factors": [1.0, 1.2, 1.0, 1.0]}
DT, DT_ASTRO = 1e-4, 1e-2


def _grid(spec: dict) -> dict:
    return {"grid": {"rows": spec["rows"], "spacing": spec["spacing"], "origin": list(spec["origin"])}}


def monitor_preset(name: str) -> list:
    stats = [{"type": "spikes", "target": "E"}, {"type": "spikes", "target": "I"},
             {"type": "spikes", "target": "A"}, {"type": "mean", "target": "A", "variable": "C", "dt": DT_ASTRO}]
    if name == "none":
        return []
    if name == "stats":
        return stats
    if name == "full":
        return stats + [
            {"type": "rate", "target": "E", "bin": 0.001}, {"type": "rate", "target": "I", "bin": 0.001},
            {"type": "state", "target": "A", "variables": ["C", "I", "h", "Gamma_A", "G_A", "x_A", "Gamma_S", "Y_S"],
             "indices": [0, 1, 2, 3], "dt": DT_ASTRO},
            {"type": "state", "target": "exc_E", "variables": ["u", "x", "Y_S"], "indices": [0, 1], "dt": DT_ASTRO}]
    raise ValueError(f"unknown monitor preset {name!r} (stats, none, full)")


def fig6_config(scale: float = 1.0, duration: float = 8.0, seed: int = 28371, monitors="stats",
                output: str = "results/fig6.h5") -> dict:
    """The Fig. 6 network as a glia network config (dict); see the module docstring."""
    geo = network_geometry(scale)
    init_neuron = {"v": {"uniform": [NEURON_PARAMS["E_l"], NEURON_PARAMS["V_th"]]},
                   "g_e": {"uniform": [0.0, W_E]}, "g_i": {"uniform": [0.0, W_I]}}

    def neurons(name, n, spec):
        return {"name": name, "model": "lif_coba", "n": n, "method": "euler", "params": dict(NEURON_PARAMS),
                "I_ext_schedule": {"dt": STIMULUS["dt"], "factors": list(STIMULUS["factors"])},
                "init": json.loads(json.dumps(init_neuron)), "positions": _grid(spec)}

    astro = {"name": "A", "model": "gchi", "n": geo["n_a"], "dt": DT_ASTRO, "method": "rk4",
             "params": dict(GCHI_PARAMS), "release": dict(RELEASE),
             "init": {"C": 0.01, "h": 0.9, "I": 0.01, "Gamma_A": 0.0, "x_A": 1.0, "G_A": 0.0},
             "positions": _grid(geo["grid"]["A"])}

    def projection(name, src, tgt, receptor, w, p, covered):
        pr = {"name": name, "source": src, "target": tgt, "receptor": receptor, "weight": w,
              "connect": {"rule": "fixed_probability", "p": p}, "model": "tsodyks_markram",
              "params": dict(TM_PARAMS), "delay": 0.0}
        if covered:
            pr["astrocytes"] = {"group": "A", "assign": "nearest_to_target", "feedback": "closed",
                                "glutamate": dict(GLUTAMATE), "gliotransmission": dict(GLIOTRANSMISSION)}
        return pr

    mons = monitor_preset(monitors) if isinstance(monitors, str) else list(monitors)
    return {
        "simulation": {"duration": float(duration), "dt": DT, "seed": int(seed)},
        "groups": [neurons("E", geo["n_e"], geo["grid"]["E"]), neurons("I", geo["n_i"], geo["grid"]["I"]), astro],
        "projections": [projection("exc_E", "E", "E", "g_e", W_E, P_E, True),
                        projection("exc_I", "E", "I", "g_e", W_E, P_E, True),
                        projection("inh_E", "I", "E", "g_i", W_I, P_I, False),
                        projection("inh_I", "I", "I", "g_i", W_I, P_I, False)],
        "astrocyte_coupling": [{"group": "A", "radius": COUPLING_RADIUS, **COUPLING}],
        "monitors": mons,
        "output": output,
    }


def read_glia_fig6(h5_path, duration: float | None = None) -> dict:
    """Statistics (experiments/reference/brian_fig6.statistics) and provenance of a glia Fig. 6 result file
    written with the "stats" monitors."""
    import h5py
    import numpy as np

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "reference"))
    from brian_fig6 import statistics

    with h5py.File(h5_path, "r") as f:
        cfg = json.loads(f.attrs["config"])
        n = {g["name"]: g["n"] for g in cfg["groups"]}
        T = float(cfg["simulation"]["duration"]) if duration is None else duration
        sp = {k: (np.asarray(f[f"spikes/{k}/t"]), np.asarray(f[f"spikes/{k}/i"])) for k in ("E", "I", "A")}
        c_t = np.asarray(f["mean/A/t"]) if "mean/A" in f else None
        c_mean = np.asarray(f["mean/A/C"]) if "mean/A" in f else None
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items() if k != "config"}
    stats = statistics(T, n["E"], n["I"], n["A"], sp["E"][0], sp["I"][0], sp["A"][0], sp["A"][1], c_t, c_mean)
    return {"statistics": stats, "attrs": {k: (v.item() if hasattr(v, "item") else v) for k, v in attrs.items()},
            "spikes": sp, "C_t": c_t, "C_mean": c_mean}


def dumps_readable(obj, indent: str = "  ", level: int = 0) -> str:
    """JSON with objects one key per line, lists of numbers/strings and small objects on one line."""
    pad, inner = indent * level, indent * (level + 1)
    flat = json.dumps(obj)
    if not isinstance(obj, (dict, list)) or len(flat) + len(pad) <= 110 and not (
            isinstance(obj, dict) and any(isinstance(v, (dict, list)) and len(json.dumps(v)) > 40 for v in obj.values())):
        return flat
    if isinstance(obj, dict):
        items = [f"{inner}{json.dumps(k)}: {dumps_readable(v, indent, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if all(not isinstance(v, (dict, list)) for v in obj):
        return flat
    return "[\n" + ",\n".join(inner + dumps_readable(v, indent, level + 1) for v in obj) + "\n" + pad + "]"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Write the glia config of the Stimberg Fig. 6 network.")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=8.0)
    ap.add_argument("--seed", type=int, default=28371)
    ap.add_argument("--monitors", default="stats", choices=["stats", "none", "full"])
    ap.add_argument("--output", default="results/fig6.h5", help="the config's result file")
    ap.add_argument("-o", "--out", default=str(pathlib.Path(__file__).resolve().parent / "stimberg_fig6.json"),
                    help="where to write the config")
    a = ap.parse_args(argv)
    cfg = fig6_config(a.scale, a.duration, a.seed, a.monitors, a.output)
    text = dumps_readable(cfg)
    assert json.loads(text) == cfg
    pathlib.Path(a.out).write_text(text + "\n")
    print(f"wrote {a.out}: {sum(g['n'] for g in cfg['groups'])} cells, scale {a.scale:g}, {a.duration:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
