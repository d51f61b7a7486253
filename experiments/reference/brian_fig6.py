#!/usr/bin/python3
"""Reference: the recurrent neuron-astrocyte network of Stimberg et al. (2018), Fig. 6, in Brian 2 C++ standalone.

What it simulates (written for this project from BIOPHYSICS.md and the paper's parameters; nothing copied):
3,200 excitatory + 800 inhibitory conductance-based LIF neurons (forward Euler, 0.1 ms) driven by
I_ex(t) = 100 pA * [1, 1.2, 1, 1] in 2 s pieces (held at the last value after 8 s); E->all synapses with p = 0.05,
I->all with p = 0.2 (autapses allowed), Tsodyks-Markram short-term plasticity in Stimberg's form (u decays to 0 at
Omega_f = 3.33/s, x recovers at Omega_d = 2/s, U_0* = 0.6), synaptic glutamate Y_S and presynaptic
gliotransmitter receptors Gamma_S (alpha = 0: release-decreasing); 3,200 G-ChI astrocytes (RK4, 10 ms) with
gliotransmitter release at C > 0.5 µM, IP3 gap junctions (F = 0.09 µM/s) to every astrocyte closer than 75 µm.
Parameters are the example's (network set: O_beta 0.5, O_delta 1.2 µM/s, ...); the G-ChI right-hand side is
written as glia's `gchi_rhs` (Gamma_A and h clipped to [0, 1] wherever they enter the rates; the example clips
Gamma_A in its own equation only -- the clips are inactive unless RK4 overshoots). Initial state: v uniform in
[E_l, V_th], g_e uniform in [0, w_e], g_i uniform in [0, w_i]; astrocytes C = I = 0.01 µM, h = 0.9, x_A = 1,
Gamma_A = 0.

One deliberate change from the example: the tripartite assignment. The example's index formula gives negative
indices (astrocyte missing) for half the excitatory targets and maps every synapse onto an inhibitory neuron to
astrocyte 0, because inhibitory neurons have no position. Here every neuron and astrocyte sits on the grid of
experiments/configs/fig6_geometry.py (the same rule the glia config uses), each synapse from an excitatory neuron
is covered by the astrocyte nearest to its postsynaptic neuron (ties to the lowest index), and synapses from
inhibitory neurons by none (their G_A = 0, so Gamma_S stays 0). The nearest astrocyte of each neuron and the
gap-junction pairs are computed in NumPy and handed to Brian as constants, so Brian and glia use the same graph
for both.

Structure kept as in the example (this is what Brian's cost is measured on): one NeuronGroup for E and I, Y_S and
Gamma_S clock-driven on every synapse (also on I-source synapses, where nothing reads them), astrocyte<->synapse
coupling by summed variables (Brian runs a summed variable on its target's clock: Y_S into the astrocytes every
10 ms, G_A into the synapses every 0.1 ms). `--lean` drops the Y_S/Gamma_S state of the I-source synapses, which
nothing reads (Gamma_S stays 0 there): the numbers are unchanged (identical spike trains, checked at scale 1)
and Brian does about half the per-step synapse work. Benchmarks compare glia with both builds.

Scaling: `--scale s` multiplies N_E, N_I, N_A; connection probabilities stay fixed, so synapses = 1.28e6 * s^2
(fan-in grows as s) and the side of the square grows as sqrt(s) (fig6_geometry.py).

Threads: `--threads 1` builds serial code (prefs.devices.cpp_standalone.openmp_threads = 0, Brian's fastest
single-thread build); `--threads n > 1` builds with OpenMP and n threads.

Timing: the model is generated and compiled (`build_seconds`: Python-side code generation + `make`), then the
binary is run through prefs.devices.cpp_standalone.run_cmd_unix pointing at a minimal launcher (LAUNCHER below),
which times the binary (`run_seconds`, wall) and reads its peak RSS with os.wait4 (`peak_rss_bytes`; floor ~6 MB).
`run_seconds` includes the binary's own setup (synapse creation, writing results); benchmarks take differences
of two durations to cancel it.

Statistics written to the JSON (`statistics()` below, also used for glia's results): mean E and I rates per 2 s
stimulus piece, astrocyte release events per astrocyte per second per piece, population-mean astrocyte C (every
10 ms: C of all astrocytes recorded at 10 ms) -- its mean and std over time and per piece -- and the fraction of
astrocytes with at least one release.

Usage (Debian's python3 with python3-brian):
  nice -n 5 /usr/bin/python3 experiments/reference/brian_fig6.py --scale 1 --duration 0.2 --threads 1 \
      --seed 28371 --out /tmp/brian_fig6.json [--spikes /tmp/spikes.npz] [--build-dir DIR] [--lean]
Cost: about 80 s per biological second at scale 1 on 1 thread of this machine (BENCHMARKS.md), plus ~1 min build.
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "configs"))
from fig6_geometry import network_geometry  # noqa: E402

PIECE = 2.0  # s, length of one stimulus piece
STIMULUS = [1.0, 1.2, 1.0, 1.0]

# Parameters of the Fig. 6 network, SI units with concentrations in µM (converted to Brian units below).
PARAMS = {
    # neurons
    "E_l": -60e-3, "g_l": 9.99e-9, "E_e": 0.0, "E_i": -80e-3, "C_m": 198e-12, "tau_e": 5e-3, "tau_i": 10e-3,
    "tau_r": 5e-3, "I_ex": 100e-12, "V_th": -50e-3, "V_r": -60e-3,
    # synapses
    "rho_c": 0.005, "Y_T": 500e3, "Omega_c": 40.0, "U_0_star": 0.6, "Omega_f": 3.33, "Omega_d": 2.0,
    "w_e": 0.05e-9, "w_i": 1.0e-9, "O_G": 1.5, "Omega_G": 0.5 / 60.0, "alpha": 0.0, "p_e": 0.05, "p_i": 0.2,
    # astrocytes (µM, 1/s, µM/s)
    "O_P": 0.9, "K_P": 0.05, "C_T": 2.0, "rho_A": 0.18, "Omega_C": 6.0, "Omega_L": 0.1, "d_1": 0.13, "d_2": 1.05,
    "O_2": 0.2, "d_3": 0.9434, "d_5": 0.08, "O_beta": 0.5, "O_N": 0.3, "Omega_N": 0.5, "K_KC": 0.5, "zeta": 10.0,
    "O_delta": 1.2, "kappa_delta": 1.5, "K_delta": 0.1, "Omega_5P": 0.05, "K_D": 0.7, "K_3K": 1.0, "O_3K": 4.5,
    "F": 0.09, "I_Theta": 0.3, "omega_I": 0.05,
    "C_Theta": 0.5, "Omega_A": 0.6, "U_A": 0.6, "G_T": 200e3, "rho_e": 6.5e-4, "Omega_e": 60.0,
    # clocks
    "dt": 1e-4, "dt_astro": 1e-2,
}


def _namespace(b2) -> dict:
    """PARAMS with Brian units attached."""
    P = PARAMS
    V, S, F, A, s, Hz, uM = b2.volt, b2.siemens, b2.farad, b2.amp, b2.second, b2.Hz, b2.umolar
    ns = {
        "E_l": P["E_l"] * V, "g_l": P["g_l"] * S, "E_e": P["E_e"] * V, "E_i": P["E_i"] * V, "C_m": P["C_m"] * F,
        "tau_e": P["tau_e"] * s, "tau_i": P["tau_i"] * s, "I_ex": P["I_ex"] * A, "V_th": P["V_th"] * V,
        "V_r": P["V_r"] * V,
        "rho_c": P["rho_c"], "Y_T": P["Y_T"] * uM, "Omega_c": P["Omega_c"] * Hz, "U_0_star": P["U_0_star"],
        "Omega_f": P["Omega_f"] * Hz, "Omega_d": P["Omega_d"] * Hz, "w_e": P["w_e"] * S, "w_i": P["w_i"] * S,
        "O_G": P["O_G"] / uM / s, "Omega_G": P["Omega_G"] * Hz, "alpha": P["alpha"],
        "O_P": P["O_P"] * uM / s, "K_P": P["K_P"] * uM, "C_T": P["C_T"] * uM, "rho_A": P["rho_A"],
        "Omega_C": P["Omega_C"] * Hz, "Omega_L": P["Omega_L"] * Hz, "d_1": P["d_1"] * uM, "d_2": P["d_2"] * uM,
        "O_2": P["O_2"] / uM / s, "d_3": P["d_3"] * uM, "d_5": P["d_5"] * uM, "O_beta": P["O_beta"] * uM / s,
        "O_N": P["O_N"] / uM / s, "Omega_N": P["Omega_N"] * Hz, "K_KC": P["K_KC"] * uM, "zeta": P["zeta"],
        "O_delta": P["O_delta"] * uM / s, "kappa_delta": P["kappa_delta"] * uM, "K_delta": P["K_delta"] * uM,
        "Omega_5P": P["Omega_5P"] * Hz, "K_D": P["K_D"] * uM, "K_3K": P["K_3K"] * uM, "O_3K": P["O_3K"] * uM / s,
        "F_gj": P["F"] * uM / s, "I_Theta": P["I_Theta"] * uM, "omega_I": P["omega_I"] * uM,
        "C_Theta": P["C_Theta"] * uM, "Omega_A": P["Omega_A"] * Hz, "U_A": P["U_A"], "G_T": P["G_T"] * uM,
        "rho_e": P["rho_e"], "Omega_e": P["Omega_e"] * Hz,
    }
    ns["drive"] = b2.TimedArray(STIMULUS, dt=PIECE * s)
    return ns


NEURON_EQS = """
dv/dt = (g_l*(E_l - v) + g_e*(E_e - v) + g_i*(E_i - v) + I_ex*drive(t))/C_m : volt (unless refractory)
dg_e/dt = -g_e/tau_e : siemens
dg_i/dt = -g_i/tau_i : siemens
astro_idx : integer (constant)  # nearest astrocyte (fig6_geometry), read by E-source synapses
"""

# Tsodyks-Markram synapse in Stimberg's form, with synaptic glutamate and presynaptic gliotransmitter receptors.
TRIPARTITE_SYN_EQS = """
dY_S/dt = -Omega_c*Y_S : mmolar (clock-driven)
dGamma_S/dt = O_G*G_A*(1 - Gamma_S) - Omega_G*Gamma_S : 1 (clock-driven)
du_S/dt = -Omega_f*u_S : 1 (event-driven)
dx_S/dt = Omega_d*(1 - x_S) : 1 (event-driven)
G_A : mmolar
r_S : 1
astro : integer (constant)
"""
TRIPARTITE_ON_PRE = """
u_S += ((1 - Gamma_S)*U_0_star + alpha*Gamma_S)*(1 - u_S)
r_S = u_S*x_S
x_S -= r_S
Y_S += rho_c*Y_T*r_S
"""
# --lean: I-source synapses without the state nothing reads (Gamma_S = 0, so U_0 = U_0*).
PLAIN_SYN_EQS = """
du_S/dt = -Omega_f*u_S : 1 (event-driven)
dx_S/dt = Omega_d*(1 - x_S) : 1 (event-driven)
r_S : 1
"""
PLAIN_ON_PRE = """
u_S += U_0_star*(1 - u_S)
r_S = u_S*x_S
x_S -= r_S
"""

ASTRO_EQS = """
dGamma_A/dt = O_N*Y_S*(1 - clip(Gamma_A, 0, 1)) - Omega_N*(1 + zeta*C/(C + K_KC))*clip(Gamma_A, 0, 1) : 1
dI/dt = O_beta*clip(Gamma_A, 0, 1) + O_delta/(1 + I/kappa_delta)*C**2/(C**2 + K_delta**2)
        - O_3K*C**4/(C**4 + K_D**4)*I/(I + K_3K) - Omega_5P*I + J_gj : mmolar
dC/dt = (Omega_C*m_inf**3*clip(h, 0, 1)**3 + Omega_L)*(C_T - (1 + rho_A)*C) - O_P*C**2/(C**2 + K_P**2) : mmolar
dh/dt = (Q_2/(Q_2 + C) - clip(h, 0, 1))*O_2*(Q_2 + C) : 1
m_inf = I/(I + d_1)*C/(C + d_5) : 1
Q_2 = d_2*(I + d_1)/(I + d_3) : mmolar
dx_A/dt = Omega_A*(1 - x_A) : 1
dG_A/dt = -Omega_e*G_A : mmolar
Y_S : mmolar      # mean glutamate of the covered synapses (summed)
J_gj : mmolar/second  # IP3 gap-junction flux (summed)
"""
RELEASE = """
G_A += rho_e*G_T*U_A*x_A
x_A -= U_A*x_A
"""


def build_network(b2, geo: dict, lean: bool, record_C: bool):
    """Creates the Brian objects; returns (all objects, monitors, synapses)."""
    ns = _namespace(b2)
    n_e, n_i, n_a = geo["n_e"], geo["n_i"], geo["n_a"]
    neurons = b2.NeuronGroup(n_e + n_i, NEURON_EQS, threshold="v > V_th", reset="v = V_r",
                             refractory=PARAMS["tau_r"] * b2.second, method="euler", namespace=ns,
                             name="neurons")
    neurons.astro_idx = np.r_[geo["astro_of_E"], geo["astro_of_I"]].astype(np.int32)
    # Initial state as in the example (Brian's rand(), seeded by seed()).
    neurons.v = "E_l + rand()*(V_th - E_l)"
    neurons.g_e = "rand()*w_e"
    neurons.g_i = "rand()*w_i"
    exc, inh = neurons[:n_e], neurons[n_e:]

    exc_syn = b2.Synapses(exc, neurons, TRIPARTITE_SYN_EQS, on_pre=TRIPARTITE_ON_PRE + "g_e_post += w_e*r_S",
                          method="exact", namespace=ns, name="exc_syn")
    exc_syn.connect(p=PARAMS["p_e"])
    exc_syn.x_S = 1.0
    exc_syn.astro = "astro_idx_post"
    if lean:
        inh_syn = b2.Synapses(inh, neurons, PLAIN_SYN_EQS, on_pre=PLAIN_ON_PRE + "g_i_post += w_i*r_S",
                              method="exact", namespace=ns, name="inh_syn")
    else:
        inh_syn = b2.Synapses(inh, neurons, TRIPARTITE_SYN_EQS, on_pre=TRIPARTITE_ON_PRE + "g_i_post += w_i*r_S",
                              method="exact", namespace=ns, name="inh_syn")
    inh_syn.connect(p=PARAMS["p_i"])
    inh_syn.x_S = 1.0

    astro = b2.NeuronGroup(n_a, ASTRO_EQS, threshold="C > C_Theta", refractory="C > C_Theta", reset=RELEASE,
                           method="rk4", dt=PARAMS["dt_astro"] * b2.second, namespace=ns, name="astrocytes")
    astro.C = 0.01 * b2.umolar
    astro.h = 0.9
    astro.I = 0.01 * b2.umolar
    astro.x_A = 1.0
    astro.Gamma_A = 0.0
    # Synapse -> astrocyte: the astrocyte reads the mean Y_S of the synapses it covers.
    syn_to_astro = b2.Synapses(exc_syn, astro, "Y_S_post = Y_S_pre/N_incoming : mmolar (summed)", namespace=ns,
                               name="syn_to_astro")
    syn_to_astro.connect(j="astro_pre")
    # Astrocyte -> synapse: its gliotransmitter reaches every synapse it covers.
    astro_to_syn = b2.Synapses(astro, exc_syn, "G_A_post = G_A_pre : mmolar (summed)", namespace=ns,
                               name="astro_to_syn")
    astro_to_syn.connect(i="astro_post")
    # IP3 gap junctions (pairs from fig6_geometry).
    gj = b2.Synapses(astro, astro, """
        J_gj_post = -F_gj/2*(1 + tanh((abs(I_post - I_pre) - I_Theta)/omega_I))*sign(I_post - I_pre)
                    : mmolar/second (summed)""", namespace=ns, name="gap_junctions")
    ci, cj = geo["coupling"]
    if len(ci):
        gj.connect(i=ci.astype(np.int32), j=cj.astype(np.int32))

    mons = {"E": b2.SpikeMonitor(exc, name="spikes_E"), "I": b2.SpikeMonitor(inh, name="spikes_I"),
            "A": b2.SpikeMonitor(astro, name="releases_A")}
    if record_C:
        mons["C"] = b2.StateMonitor(astro, "C", record=True, dt=PARAMS["dt_astro"] * b2.second, name="astro_C")
    objects = [neurons, exc_syn, inh_syn, astro, syn_to_astro, astro_to_syn, gj, *mons.values()]
    return objects, mons, {"exc_syn": exc_syn, "inh_syn": inh_syn}


def statistics(duration: float, n_e: int, n_i: int, n_a: int, t_e, t_i, t_a, i_a, c_t=None, c_mean=None) -> dict:
    """Statistics of a Fig. 6 run (used for Brian and glia alike).

    t_e, t_i: spike times (s) of E and I; t_a, i_a: release times and astrocyte indices; c_t, c_mean: times and
    population mean of astrocyte C (µM). Pieces are the 2 s stimulus pieces clipped to the run."""
    edges = [k * PIECE for k in range(int(math.ceil(duration / PIECE - 1e-9)) + 1)]
    edges[-1] = duration
    pieces = list(zip(edges[:-1], edges[1:]))

    def inside(t, a, b):  # the last piece includes t = duration (glia stamps a spike at the end of its step)
        return (t >= a) & ((t < b) | ((b == duration) & (t <= b)))

    def per_piece(t, n):
        t = np.asarray(t, float)
        return [float(np.sum(inside(t, a, b)) / (n * (b - a))) for a, b in pieces]

    out = {"duration_s": duration, "pieces_s": [list(p) for p in pieces],
           "rate_E_Hz": per_piece(t_e, n_e), "rate_I_Hz": per_piece(t_i, n_i),
           "release_per_astrocyte_per_s": per_piece(t_a, n_a),
           "rate_E_Hz_overall": float(len(t_e) / (n_e * duration)),
           "rate_I_Hz_overall": float(len(t_i) / (n_i * duration)),
           "releases_total": int(len(t_a)),
           "fraction_astrocytes_released": float(len(np.unique(np.asarray(i_a, int))) / n_a)}
    if c_mean is not None and len(c_mean):
        c_t, c_mean = np.asarray(c_t, float), np.asarray(c_mean, float)
        out["mean_C_uM"] = float(c_mean.mean())
        out["std_over_time_of_mean_C_uM"] = float(c_mean.std())
        out["mean_C_uM_per_piece"] = [float(c_mean[inside(c_t, a, b)].mean())
                                      if np.any(inside(c_t, a, b)) else None for a, b in pieces]
    return out


# Launcher that times a command and reads its peak RSS with os.wait4. It runs as a separate, minimal Python
# (`python3 -S -E -c LAUNCHER OUT.json CMD...`): a forked child's peak RSS includes the image it was forked from
# (Linux keeps the pre-exec high-water mark), so forking the simulator straight from a Python holding Brian
# and NumPy would report that Python's size. From this launcher the floor is ~6 MB (a run of /bin/true).
LAUNCHER = r"""
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(out, "w") as f:
    f.write('{"wall_s": %r, "peak_rss_bytes": %d, "user_s": %r, "sys_s": %r}'
            % (wall, ru.ru_maxrss * 1024, ru.ru_utime, ru.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def launcher_cmd(rusage_json: str, cmd: list[str]) -> list[str]:
    """The command line running `cmd` under LAUNCHER, which writes its wall time and peak RSS to rusage_json."""
    return ["/usr/bin/python3", "-S", "-E", "-c", LAUNCHER, str(rusage_json), *map(str, cmd)]


def simulate(scale: float = 1.0, duration: float = 0.2, threads: int = 1, seed: int = 28371,
             build_dir: str | None = None, spikes_file: str | None = None, lean: bool = False,
             record_C: bool = True, report: bool = True, run: bool = True) -> dict:
    """Builds (and, with run=True, runs) the network in C++ standalone; returns the result dict.

    With run=False only the binary is built (for benchmarks that run `BUILD_DIR/main` themselves); the dict
    then holds the build information and `build_dir`."""
    import brian2 as b2

    t_start = time.perf_counter()
    geo = network_geometry(scale)
    directory = build_dir or tempfile.mkdtemp(prefix="brian_fig6_")
    b2.set_device("cpp_standalone", build_on_run=False, directory=directory)
    b2.device.reinit()
    b2.device.activate(build_on_run=False, directory=directory)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads <= 1 else int(threads)
    b2.prefs.devices.cpp_standalone.run_cmd_unix = launcher_cmd("results/rusage.json", ["./main"])
    b2.start_scope()
    b2.defaultclock.dt = PARAMS["dt"] * b2.second
    b2.seed(seed)
    objects, mons, syns = build_network(b2, geo, lean, record_C)
    net = b2.Network(*objects)
    net.run(duration * b2.second, report="text" if report else None, report_period=10 * b2.second)
    t_codegen = time.perf_counter() - t_start
    t0 = time.perf_counter()
    b2.device.build(directory=directory, compile=True, run=run, with_output=report)
    t_build_call = time.perf_counter() - t0
    rusage = {}
    rusage_file = pathlib.Path(directory) / "results" / "rusage.json"
    if run:
        rusage = json.loads(rusage_file.read_text())
    binary_wall_seen = b2.device.timers["run_binary"] or 0.0
    result = {
        "simulator": "brian2 cpp_standalone", "brian_version": b2.__version__, "numpy_version": np.__version__,
        "threads": int(threads), "openmp_threads": int(b2.prefs.devices.cpp_standalone.openmp_threads),
        "scale": scale, "duration_s": duration, "seed": seed, "lean_inhibitory_synapses": lean,
        "n_e": geo["n_e"], "n_i": geo["n_i"], "n_a": geo["n_a"], "side_m": geo["L"],
        "gap_junction_pairs": int(len(geo["coupling"][0])),
        "build_dir": str(directory),
        "build_seconds": t_codegen + (t_build_call - binary_wall_seen),
        "compile_seconds": b2.device.timers["compile"]["make"],
    }
    if not run:
        return result
    result.update({
        "n_synapses": {"E": int(len(syns["exc_syn"])), "I": int(len(syns["inh_syn"]))},
        "run_seconds": rusage["wall_s"], "peak_rss_bytes": int(rusage["peak_rss_bytes"]),
        "binary_user_s": rusage["user_s"], "binary_sys_s": rusage["sys_s"],
        "brian_internal_run_seconds": getattr(b2.device, "_last_run_time", None),  # network loop only
    })
    t_e = np.asarray(mons["E"].t / b2.second)
    t_i = np.asarray(mons["I"].t / b2.second)
    t_a = np.asarray(mons["A"].t / b2.second)
    i_a = np.asarray(mons["A"].i[:])
    c_t = c_mean = None
    if record_C:
        c_t = np.asarray(mons["C"].t / b2.second)
        C = np.asarray(mons["C"].C / b2.umolar)  # [astrocyte, sample]
        c_mean = C.mean(axis=0)
        result["mean_over_time_of_population_std_C_uM"] = float(C.std(axis=0).mean())
    result["statistics"] = statistics(duration, geo["n_e"], geo["n_i"], geo["n_a"], t_e, t_i, t_a, i_a,
                                      c_t, c_mean)
    if spikes_file:
        np.savez_compressed(spikes_file, t_E=t_e, i_E=np.asarray(mons["E"].i[:]), t_I=t_i,
                            i_I=np.asarray(mons["I"].i[:]), t_A=t_a, i_A=i_a,
                            C_t=c_t if c_t is not None else np.zeros(0),
                            C_mean=c_mean if c_mean is not None else np.zeros(0))
        result["spikes_file"] = str(spikes_file)
    return result


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=0.2, help="biological seconds (paper: 8)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=28371)
    ap.add_argument("--out", default=None, help="result JSON (default: print only)")
    ap.add_argument("--spikes", default=None, help="save spike trains and mean C to this .npz")
    ap.add_argument("--build-dir", default=None, help="standalone project directory (default: a temp dir)")
    ap.add_argument("--lean", action="store_true", help="drop work whose result nothing uses (see the docstring)")
    ap.add_argument("--no-record-C", action="store_true", help="do not record astrocyte C")
    ap.add_argument("--build-only", action="store_true", help="generate and compile, do not run")
    a = ap.parse_args(argv)
    r = simulate(a.scale, a.duration, a.threads, a.seed, a.build_dir, a.spikes, a.lean, not a.no_record_C,
                 report=True, run=not a.build_only)
    text = json.dumps(r, indent=2)
    if a.out:
        pathlib.Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(a.out).write_text(text + "\n")
    print(text)
    if "statistics" in r:
        s = r["statistics"]
        print(f"brian fig6 scale {r['scale']:g} {r['duration_s']:g} s, {r['threads']} thread(s): "
              f"build {r['build_seconds']:.1f} s, run {r['run_seconds']:.1f} s, peak RSS "
              f"{r['peak_rss_bytes'] / 2**20:.0f} MiB; E {s['rate_E_Hz_overall']:.2f} Hz, "
              f"I {s['rate_I_Hz_overall']:.2f} Hz, releases {s['releases_total']}, "
              f"mean C {s.get('mean_C_uM', float('nan')):.4f} µM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
