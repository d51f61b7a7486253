#pragma once
// One step of the continuous system (rate_kernels.hpp) by a method, written once over a backend:
// the CPU backend (rate_system.cpp) runs `for_each` as an OpenMP loop, the CUDA backend
// (cuda/rate_device.cu) as a kernel launch. A backend provides
//   template <class F> void for_each(std::int64_t n, const F& f);  // f(i) for i in [0, n), any order
//   template <class F> void serial(const F& f);                      // f() once
// and the element functions write disjoint elements, so results do not depend on the backend's
// order (sums run in a fixed order inside one element).
#include <vector>

#include "models/network/network_config.hpp"
#include "models/network/rate_kernels.hpp"

namespace glia::network {

// The views of one step and the state buffers (each of `size` doubles).
struct RateViews {
  std::vector<RateGroupView> groups;
  std::vector<RateProjectionView> projections;
  std::int64_t size = 0;
  std::int64_t active =
      0;  // the leading part of the state that changes in this step (all but frozen plastic state)
  double *y = nullptr, *k1 = nullptr, *k2 = nullptr, *k3 = nullptr, *k4 = nullptr, *tmp = nullptr;
};

namespace rate_ops {
struct Theta {
  RateGroupView g;
  const double* y;
  GLIA_HD void operator()(std::int64_t i) const { rate_theta(g, y, i); }
};
struct InputBase {
  RateGroupView g;
  GLIA_HD void operator()(std::int64_t i) const { rate_input_base(g, i); }
};
struct Clamp {
  RateGroupView g;
  double* y;
  GLIA_HD void operator()(std::int64_t i) const { y[g.x + i] = g.clamp[i]; }
};
struct Psi {
  RateProjectionView v;
  const double* y;
  GLIA_HD void operator()(std::int64_t q) const { rate_psi(v, y, q); }
};
struct Coupling {
  RateProjectionView v;
  GLIA_HD void operator()(std::int64_t q) const { rate_coupling(v, q); }
};
struct Efficacy {
  RateProjectionView v;
  const double* y;
  GLIA_HD void operator()(std::int64_t q) const { rate_store_efficacy(v, y, q); }
};
struct CalciumReadout {
  RateProjectionView v;
  const double* y;
  GLIA_HD void operator()(std::int64_t j) const { rate_calcium_readout(v, y, j); }
};
struct Response {
  RateProjectionView v;
  GLIA_HD void operator()() const { rate_response(v); }
};
struct Transmit {
  RateProjectionView v;
  GLIA_HD void operator()(std::int64_t i) const { rate_transmit(v, i); }
};
struct NeuronDerivative {
  RateGroupView g;
  const double* y;
  double* d;
  GLIA_HD void operator()(std::int64_t i) const { rate_neuron_derivative(g, y, d, i); }
};
struct HebbianDerivative {
  RateProjectionView v;
  const double* y;
  double* d;
  GLIA_HD void operator()(std::int64_t q) const { rate_hebbian_derivative(v, y, d, q); }
};
struct TwoTimescaleDerivative {
  RateProjectionView v;
  const double* y;
  double* d;
  GLIA_HD void operator()(std::int64_t q) const { rate_two_timescale_derivative(v, y, d, q); }
};
struct PositionalDerivative {
  RateProjectionView v;
  const double* y;
  double* d;
  GLIA_HD void operator()(std::int64_t q) const { rate_positional_derivative(v, y, d, q); }
};
struct FrozenDerivative {
  RateProjectionView v;
  double* d;
  GLIA_HD void operator()(std::int64_t q) const { rate_frozen_derivative(v, d, q); }
};
struct CalciumDerivative {
  RateProjectionView v;
  double* d;
  GLIA_HD void operator()(std::int64_t j) const { rate_calcium_derivative(v, d, j); }
};
struct NeuronExact {
  RateGroupView g;
  const double* y0;
  double* y1;
  double h;
  GLIA_HD void operator()(std::int64_t i) const { rate_neuron_exact(g, y0, y1, i, h); }
};
struct SynapseExact {
  RateProjectionView v;
  const double* y0;
  double* y1;
  double h;
  GLIA_HD void operator()(std::int64_t q) const { rate_synapse_exact(v, y0, y1, q, h); }
};
struct CalciumExact {
  RateProjectionView v;
  const double* y0;
  double* y1;
  double h;
  GLIA_HD void operator()(std::int64_t j) const { rate_calcium_exact(v, y0, y1, j, h); }
};
struct Axpy {
  const double* y;
  const double* k;
  double a;
  double* out;
  GLIA_HD void operator()(std::int64_t i) const { rate_axpy(y, k, a, out, i); }
};
struct Rk4Sum {
  double* y;
  const double *k1, *k2, *k3, *k4;
  double h;
  GLIA_HD void operator()(std::int64_t i) const { rate_rk4_sum(y, k1, k2, k3, k4, h, i); }
};
struct Copy {
  const double* from;
  double* to;
  GLIA_HD void operator()(std::int64_t i) const { to[i] = from[i]; }
};
}  // namespace rate_ops

// Whether a projection's plastic state is part of the stepped state: always while it learns, and when
// another projection learns (it then takes zero rates; the active part covers every projection).
inline bool stepped(const RateViews& v, const RateProjectionView& p) {
  return p.hebbian && (p.learning || v.active == v.size);
}

// Whether a projection's transmission matters in this step: not when its target is clamped throughout.
inline bool transmits(const RateViews& v, const RateProjectionView& p) {
  for (const auto& g : v.groups)
    if (g.input == p.input_post) return !g.clamp;
  return true;
}

// The efficacies and Ca²⁺ read-outs of a Hebbian projection from state y.
template <class Backend>
void rate_plastic_readout(Backend& be, const RateProjectionView& p, const double* y) {
  be.for_each(p.n_syn, rate_ops::Efficacy{p, y});
  if (p.z >= 0) be.for_each(p.n_pre, rate_ops::CalciumReadout{p, y});
}

// θ, the process coupling, the presynaptic responses and every neuron's input, from state y. The
// efficacies of projections outside their learning window are the step's (rate_step sets them once).
template <class Backend>
void rate_inputs(Backend& be, const RateViews& v, const double* y) {
  for (const auto& g : v.groups) be.for_each(g.n, rate_ops::Theta{g, y});
  for (const auto& p : v.projections)
    if (p.p_s >= 0) be.for_each(p.n_syn, rate_ops::Psi{p, y});
  for (const auto& p : v.projections)
    if (p.p_s >= 0) be.for_each(p.n_syn, rate_ops::Coupling{p});
  for (const auto& g : v.groups) be.for_each(g.n, rate_ops::InputBase{g});
  for (const auto& p : v.projections) {
    if (!transmits(v, p)) continue;
    if (p.hebbian && p.learning) rate_plastic_readout(be, p, y);
    if (p.z >= 0) be.serial(rate_ops::Response{p});
    be.for_each(p.n_post, rate_ops::Transmit{p});
  }
}

template <class Backend>
void rate_derivatives(Backend& be, const RateViews& v, const double* y, double* d) {
  rate_inputs(be, v, y);
  for (const auto& g : v.groups) be.for_each(g.n, rate_ops::NeuronDerivative{g, y, d});
  for (const auto& p : v.projections) {
    if (!stepped(v, p)) continue;
    if (!p.learning) {
      be.for_each(p.n_syn, rate_ops::FrozenDerivative{p, d});
    } else {
      be.for_each(p.n_syn, rate_ops::HebbianDerivative{p, y, d});
      if (p.p_s >= 0) be.for_each(p.n_syn, rate_ops::TwoTimescaleDerivative{p, y, d});
      if (p.p_pos >= 0) be.for_each(p.n_syn, rate_ops::PositionalDerivative{p, y, d});
    }
    if (p.z >= 0) be.for_each(p.n_pre, rate_ops::CalciumDerivative{p, d});
  }
}

// Clamps the elements of this step's clamp windows, then advances y by h. Only the active part of the
// state is stepped: the plastic state of projections outside their learning window stays as it is.
template <class Backend>
void rate_step(Backend& be, const RateViews& v, RateMethod method, double h) {
  for (const auto& g : v.groups)
    if (g.clamp) be.for_each(g.n, rate_ops::Clamp{g, v.y});
  for (const auto& p : v.projections)
    if (p.hebbian && !p.learning && transmits(v, p)) rate_plastic_readout(be, p, v.y);
  const std::int64_t n = v.active;
  switch (method) {
    case RateMethod::exact:
      rate_inputs(be, v, v.y);
      for (const auto& g : v.groups) be.for_each(g.n, rate_ops::NeuronExact{g, v.y, v.tmp, h});
      for (const auto& p : v.projections) {
        if (!stepped(v, p)) continue;
        be.for_each(p.n_syn, rate_ops::SynapseExact{p, v.y, v.tmp, h});
        if (p.z >= 0) be.for_each(p.n_pre, rate_ops::CalciumExact{p, v.y, v.tmp, h});
      }
      be.for_each(n, rate_ops::Copy{v.tmp, v.y});
      break;
    case RateMethod::euler:
      rate_derivatives(be, v, v.y, v.k1);
      be.for_each(n, rate_ops::Axpy{v.y, v.k1, h, v.y});
      break;
    case RateMethod::rk2:
      rate_derivatives(be, v, v.y, v.k1);
      be.for_each(n, rate_ops::Axpy{v.y, v.k1, 0.5 * h, v.tmp});
      rate_derivatives(be, v, v.tmp, v.k2);
      be.for_each(n, rate_ops::Axpy{v.y, v.k2, h, v.y});
      break;
    case RateMethod::rk4:
      rate_derivatives(be, v, v.y, v.k1);
      be.for_each(n, rate_ops::Axpy{v.y, v.k1, 0.5 * h, v.tmp});
      rate_derivatives(be, v, v.tmp, v.k2);
      be.for_each(n, rate_ops::Axpy{v.y, v.k2, 0.5 * h, v.tmp});
      rate_derivatives(be, v, v.tmp, v.k3);
      be.for_each(n, rate_ops::Axpy{v.y, v.k3, h, v.tmp});
      rate_derivatives(be, v, v.tmp, v.k4);
      be.for_each(n, rate_ops::Rk4Sum{v.y, v.k1, v.k2, v.k3, v.k4, h});
      break;
  }
}

}  // namespace glia::network
