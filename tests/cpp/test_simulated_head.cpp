// The simulated attention head (models/mapping/simulated_head) against the closed-form operator of the
// network side (engine/nn astromorphic_attention_forward): convergence in τ_n/τ_p and in dt at the
// integrator's order, and the settings that cannot converge.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "engine/core/error.hpp"
#include "models/mapping/simulated_head.hpp"

namespace glia::mapping {
namespace {

constexpr nn::Index kKeys = 6, kWidth = 3, kValues = 2;

nn::Tensor<double> random_tensor(nn::Shape shape, std::mt19937& gen, double scale) {
  nn::Tensor<double> t(std::move(shape));
  std::normal_distribution<double> normal(0.0, scale);
  for (nn::Index i = 0; i < t.size(); ++i) t[i] = normal(gen);
  return t;
}

// One head of an astromorphic op with the astrocyte term on, and the op's own output for it.
struct Case {
  HeadInputs inputs;
  Matrix op_out;
};

Case make_case(bool astrocyte_term) {
  std::mt19937 gen(5);
  const auto q = random_tensor({1, 2, kKeys, kWidth}, gen, 1.0);
  const auto k = random_tensor({1, 2, kKeys, kWidth}, gen, 1.0);
  const auto v = random_tensor({1, 2, kKeys, kValues}, gen, 1.0);
  const auto position = random_tensor({2, kKeys, kWidth}, gen, 0.5);
  const nn::Tensor<double> decay({2}, {-0.5, 0.3});
  nn::AstromorphicAttentionOptions options;
  options.astrocyte_term = astrocyte_term;
  options.nonlinearity = true;
  options.scale = nn::SynapticScale::inverse_n;
  const auto ctx = nn::astromorphic_attention_forward(q, k, v, position, decay, nullptr, options);
  Case c{head_inputs_from_attention(q, k, v, position, decay, 0, 1, options), Matrix()};
  c.op_out = ctx.out.block(1 * kKeys * kValues, kKeys, kValues);
  return c;
}

double max_abs(const Matrix& a, const Matrix& b) { return (a - b).cwiseAbs().maxCoeff(); }

TEST(SimulatedHead, ClosedFormEqualsTheNetworkOperator) {
  for (bool astro : {true, false}) {
    const Case c = make_case(astro);
    EXPECT_LT(max_abs(head_operator(c.inputs), c.op_out), 1e-12) << "astrocyte term " << astro;
    EXPECT_EQ(attention_options(c.inputs).astrocyte_term, astro);
  }
}

// With a key mask the op leaves padded keys out of H and g but keeps c = 1/N_k (or 1/√N_k) over every key
// row; the mapping presents the real keys only, with that c (or the learned one, from the op's context): its
// closed form is the op's output, query by query.
TEST(SimulatedHead, MaskedHeadInputsPresentTheRealKeysWithTheOpsScale) {
  std::mt19937 gen(8);
  const auto q = random_tensor({2, 2, kKeys, kWidth}, gen, 1.0);
  const auto k = random_tensor({2, 2, kKeys, kWidth}, gen, 1.0);
  const auto v = random_tensor({2, 2, kKeys, kValues}, gen, 3.0);  // large H: σ(c H) far from linear
  const auto position = random_tensor({2, kKeys, kWidth}, gen, 0.5);
  const nn::Tensor<double> decay({2}, {-0.5, 0.3});
  nn::KeyMask mask({2, kKeys});
  for (nn::Index t = 0; t < kKeys; ++t) {
    mask[t] = t != 2;                 // a gap
    mask[kKeys + t] = t < kKeys - 2;  // trailing padding
  }
  const nn::Tensor<double> rho_c({2}, {-1.0, 0.2});
  for (const auto scale :
       {nn::SynapticScale::inverse_n, nn::SynapticScale::inverse_sqrt_n, nn::SynapticScale::learned})
    for (bool astro : {true, false}) {
      nn::AstromorphicAttentionOptions options;
      options.astrocyte_term = astro;
      options.nonlinearity = true;
      options.scale = scale;
      const auto ctx = nn::astromorphic_attention_forward(q, k, v, position, decay, &mask, options, &rho_c);
      const std::vector<double> scales(ctx.scale.begin(), ctx.scale.end());
      for (nn::Index b = 0; b < 2; ++b)
        for (nn::Index h = 0; h < 2; ++h) {
          std::vector<nn::Index> rows;
          const HeadInputs in =
              scale == nn::SynapticScale::learned
                  ? head_inputs_from_attention(q, k, v, position, decay, b, h, options, &mask, &rows, &scales)
                  : head_inputs_from_attention(q, k, v, position, decay, b, h, options, &mask, &rows);
          ASSERT_EQ(in.k.rows(), kKeys - 1 - b);
          EXPECT_EQ(static_cast<nn::Index>(rows.size()), in.k.rows());
          const double expected = scale == nn::SynapticScale::inverse_n ? 1.0 / kKeys
                                  : scale == nn::SynapticScale::inverse_sqrt_n
                                      ? 1.0 / std::sqrt(double(kKeys))
                                      : nn::softplus(rho_c[h]);
          EXPECT_DOUBLE_EQ(in.synaptic_scale, expected);
          const Matrix op = ctx.out.block((b * 2 + h) * kKeys * kValues, kKeys, kValues);
          EXPECT_LT(max_abs(head_operator(in), op), 1e-12) << "b " << b << " h " << h << " astro " << astro;
          HeadInputs default_scale = in;  // c = 1/N of the keys presented: not the op
          default_scale.synaptic_scale = 0;
          EXPECT_GT(max_abs(head_operator(default_scale), op), 1e-4);
        }
    }
}

// Error against the operator at τ_n/τ_p = r (dt = τ_n/20, RK4: the integration error is negligible).
double operator_error(const HeadInputs& in, const Matrix& op, double r) {
  SimulatedHeadSettings s;
  s.tau_p = 0.1;
  s.tau_n = r * s.tau_p;
  s.dt = s.tau_n / 20;
  return max_abs(simulate_head(in, s).out, op);
}

TEST(SimulatedHead, ConvergesToTheOperatorAtFirstOrderInTauNOverTauP) {
  const Case c = make_case(true);
  std::vector<double> errors;
  for (double r : {0.02, 0.01, 0.005}) errors.push_back(operator_error(c.inputs, c.op_out, r));
  for (std::size_t i = 1; i < errors.size(); ++i) {
    const double order = std::log2(errors[i - 1] / errors[i]);
    EXPECT_NEAR(order, 1.0, 0.15) << "errors " << errors[i - 1] << " -> " << errors[i];
  }
  EXPECT_LT(errors.back(), 0.02 * c.op_out.cwiseAbs().maxCoeff());
}

// At fixed τ_n/τ_p the simulation is an ODE solution: halving dt divides its error (against a run at
// τ_n/512 with RK4) by 2^order. φ = elu + 1 is only C¹ at 0, so a step in which a hidden neuron crosses 0 is
// of lower order: the drives here are positive (the neurons start at 0 and stay above it).
void expect_order(sim::FixedStepMethod method, double order) {
  HeadInputs in = make_case(true).inputs;
  in.q = in.q.cwiseAbs().array() + 0.1;
  in.k = in.k.cwiseAbs().array() + 0.1;
  SimulatedHeadSettings s;
  s.tau_p = 0.1;
  s.tau_n = 0.01;
  s.dt = s.tau_n / 512;
  const Matrix reference = simulate_head(in, s).out;  // RK4: the ODE solution to far below the errors
  s.method = method;
  std::vector<double> errors;
  for (double dt : {s.tau_n / 8, s.tau_n / 16, s.tau_n / 32}) {
    s.dt = dt;
    errors.push_back(max_abs(simulate_head(in, s).out, reference));
  }
  for (std::size_t i = 1; i < errors.size(); ++i)
    EXPECT_NEAR(std::log2(errors[i - 1] / errors[i]), order, 0.3)
        << "method of order " << order << ": errors " << errors[i - 1] << " -> " << errors[i];
}

TEST(SimulatedHead, ConvergesInDtAtTheIntegratorsOrder) {
  expect_order(sim::FixedStepMethod::euler, 1.0);
  expect_order(sim::FixedStepMethod::rk2, 2.0);
  expect_order(sim::FixedStepMethod::rk4, 4.0);
}

TEST(SimulatedHead, WritePhaseStoresTheHebbianSumAndThePresynapticCalcium) {
  const Case c = make_case(true);
  SimulatedHeadSettings s;
  s.tau_n = 1e-4;
  s.dt = 1e-5;
  const SimulatedHeadResult r = simulate_head(c.inputs, s);
  const Matrix phi_k = c.inputs.k.unaryExpr([](double x) { return x > 0 ? x + 1 : std::exp(x); });
  const Matrix phi_a = c.inputs.activity.unaryExpr([](double x) { return x > 0 ? x + 1 : std::exp(x); });
  const Matrix h = (phi_k + phi_a).transpose() * c.inputs.v;
  EXPECT_LT(max_abs(r.synapses, h), 5e-3 * h.cwiseAbs().maxCoeff());
  for (nn::Index j = 0; j < kWidth; ++j)
    EXPECT_NEAR(r.calcium[j], phi_k.col(j).sum(), 5e-3 * phi_k.col(j).sum());
}

TEST(SimulatedHead, LeakyHeadIsADifferentOperator) {
  const Case c = make_case(true);
  SimulatedHeadSettings s;
  s.tau_n = 1e-4;
  s.dt = 1e-5;
  const double exact = max_abs(simulate_head(c.inputs, s).out, c.op_out);
  s.synapse_leak = 1.0;  // the synapses forget over a window
  EXPECT_GT(max_abs(simulate_head(c.inputs, s).out, c.op_out), 10 * exact);
}

TEST(SimulatedHead, SettingsThatCannotConvergeAreErrorsNamingTheSetting) {
  const Case c = make_case(false);
  const auto field_of = [&](SimulatedHeadSettings s) {
    try {
      simulate_head(c.inputs, s);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  SimulatedHeadSettings s;
  s.tau_n = s.tau_p;  // τ_n ≥ τ_p
  EXPECT_EQ(field_of(s), "simulated_head.tau_n");
  s = SimulatedHeadSettings{};
  s.dt = 2 * s.tau_n;
  EXPECT_EQ(field_of(s), "simulated_head.dt");
  s = SimulatedHeadSettings{};
  s.dt = 0.3e-4;  // does not divide tau_p
  EXPECT_EQ(field_of(s), "simulated_head.dt");
  s = SimulatedHeadSettings{};
  s.synapse_leak = -1;
  EXPECT_EQ(field_of(s), "simulated_head.synapse_leak");
  s = SimulatedHeadSettings{};
  s.tau_n = 0.02;  // converges, far from the operator: a warning
  s.dt = 1e-3;
  EXPECT_EQ(simulate_head(c.inputs, s).warnings.size(), 1u);
  HeadInputs bad = c.inputs;
  bad.v = Matrix::Zero(kKeys + 1, kValues);
  try {
    simulate_head(bad, SimulatedHeadSettings{});
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "simulated_head.v");
  }
}

}  // namespace
}  // namespace glia::mapping
