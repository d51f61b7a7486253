#pragma once
// Adaptive Dormand–Prince 5(4) through Boost.Odeint, for single-instance reference runs:
// integrates a right-hand side and samples the dense output at given times.
#include <array>
#include <boost/numeric/odeint.hpp>
#include <vector>

namespace glia::sim {

// Integrates y' = rhs(t, y) from times[0] with y0 and returns the state at every time in
// `times` (ascending), flattened [time][variable].
template <int N, class Rhs>
std::vector<double> integrate_dopri5(const Rhs& rhs, const std::array<double, N>& y0,
                                     const std::vector<double>& times, double rtol, double atol) {
  namespace odeint = boost::numeric::odeint;
  using State = std::array<double, N>;
  std::vector<double> out;
  out.reserve(times.size() * N);
  State y = y0;
  auto system = [&](const State& s, State& dsdt, double t) { rhs(t, s.data(), dsdt.data()); };
  auto observer = [&](const State& s, double) { out.insert(out.end(), s.begin(), s.end()); };
  auto stepper = odeint::make_dense_output(atol, rtol, odeint::runge_kutta_dopri5<State>());
  const double dt0 = times.size() > 1 ? (times[1] - times[0]) * 1e-2 : 1e-6;
  odeint::integrate_times(stepper, system, y, times.begin(), times.end(), dt0, observer);
  return out;
}

}  // namespace glia::sim
