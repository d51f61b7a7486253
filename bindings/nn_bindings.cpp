#include "bindings/nn_bindings.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/nn/ops/astromorphic_attention.hpp"
#include "engine/nn/ops/cross_entropy.hpp"
#include "engine/nn/ops/dropout.hpp"
#include "engine/nn/ops/embedding.hpp"
#include "engine/nn/ops/fam_attention.hpp"
#include "engine/nn/ops/gelu.hpp"
#include "engine/nn/ops/heads.hpp"
#include "engine/nn/ops/layer_norm.hpp"
#include "engine/nn/ops/linear.hpp"
#include "engine/nn/ops/linear_attention.hpp"
#include "engine/nn/ops/mean_pooling.hpp"
#include "engine/nn/ops/positions.hpp"
#include "engine/nn/ops/softmax_attention.hpp"
#include "engine/nn/ops/srformer_attention.hpp"

namespace py = pybind11;

namespace glia::python {

namespace {

using namespace pybind11::literals;
using nn::Tensor;

template <class T>
using Array = py::array_t<T, py::array::c_style | py::array::forcecast>;

template <class T>
Tensor<T> tensor(const Array<T>& a) {
  nn::Shape shape(a.shape(), a.shape() + a.ndim());
  return Tensor<T>(shape, std::vector<T>(a.data(), a.data() + a.size()));
}

template <class T>
py::array_t<T> array(const Tensor<T>& t) {
  py::array_t<T> a(std::vector<py::ssize_t>(t.shape().begin(), t.shape().end()));
  std::copy(t.values().begin(), t.values().end(), a.mutable_data());
  return a;
}

std::optional<nn::KeyMask> mask(const std::optional<Array<std::uint8_t>>& m) {
  if (!m) return std::nullopt;
  return tensor(*m);
}

const nn::KeyMask* pointer(const std::optional<nn::KeyMask>& m) { return m ? &*m : nullptr; }

// Every op for one scalar type; float64 arrays select the double overloads and float32
// arrays the float ones (pybind11 tries all overloads without conversion first).
template <class T>
void bind_scalar(py::module_& m) {
  m.def("nn_embedding", [](const Array<std::int32_t>& ids, const Array<T>& table, const Array<T>& d_out) {
    const Tensor<T> w = tensor(table);
    const auto ctx = nn::embedding_forward(tensor(ids), w);
    Tensor<T> d_table(w.shape());
    nn::embedding_backward(ctx, tensor(d_out), d_table);
    return py::dict("out"_a = array(ctx.out), "d_table"_a = array(d_table));
  });
  m.def("nn_learned_positions", [](const Array<T>& x, const Array<T>& table, const Array<T>& d_out) {
    const Tensor<T> p = tensor(table);
    const auto ctx = nn::learned_positions_forward(tensor(x), p);
    Tensor<T> d_table(p.shape());
    const Tensor<T> d_x = nn::learned_positions_backward(ctx, tensor(d_out), d_table);
    return py::dict("out"_a = array(ctx.out), "d_x"_a = array(d_x), "d_table"_a = array(d_table));
  });
  m.def("nn_sinusoidal_positions", [](const Array<T>& x, const Array<T>& d_out) {
    const auto ctx = nn::sinusoidal_positions_forward(tensor(x));
    return py::dict("out"_a = array(ctx.out),
                    "d_x"_a = array(nn::sinusoidal_positions_backward(ctx, tensor(d_out))));
  });
  m.def("nn_linear", [](const Array<T>& x, const Array<T>& weight, const std::optional<Array<T>>& bias,
                        const Array<T>& d_out) {
    const Tensor<T> w = tensor(weight);
    const std::optional<Tensor<T>> b = bias ? std::optional<Tensor<T>>(tensor(*bias)) : std::nullopt;
    const auto ctx = nn::linear_forward(tensor(x), w, b ? &*b : nullptr);
    Tensor<T> d_weight(w.shape()), d_bias({w.dim(0)});
    const Tensor<T> d_x = nn::linear_backward(ctx, w, tensor(d_out), d_weight, b ? &d_bias : nullptr);
    py::dict r("out"_a = array(ctx.out), "d_x"_a = array(d_x), "d_weight"_a = array(d_weight));
    if (b) r["d_bias"] = array(d_bias);
    return r;
  });
  m.def("nn_layer_norm", [](const Array<T>& x, const Array<T>& gamma, const Array<T>& beta, double epsilon,
                            const Array<T>& d_out) {
    const Tensor<T> g = tensor(gamma), b = tensor(beta);
    const auto ctx = nn::layer_norm_forward(tensor(x), g, b, static_cast<T>(epsilon));
    Tensor<T> d_gamma(g.shape()), d_beta(b.shape());
    const Tensor<T> d_x = nn::layer_norm_backward(ctx, g, tensor(d_out), d_gamma, d_beta);
    return py::dict("out"_a = array(ctx.out), "d_x"_a = array(d_x), "d_gamma"_a = array(d_gamma),
                    "d_beta"_a = array(d_beta));
  });
  m.def("nn_gelu", [](const Array<T>& x, const Array<T>& d_out) {
    const auto ctx = nn::gelu_forward(tensor(x));
    return py::dict("out"_a = array(ctx.out), "d_x"_a = array(nn::gelu_backward(ctx, tensor(d_out))));
  });
  m.def("nn_dropout", [](const Array<T>& x, double p, std::uint64_t seed, std::int64_t step,
                         std::uint32_t site, const Array<T>& d_out) {
    const auto ctx = nn::dropout_forward(tensor(x), p, nn::DropoutKey{seed, step, site});
    return py::dict("out"_a = array(ctx.out), "d_x"_a = array(nn::dropout_backward(ctx, tensor(d_out))));
  });
  m.def("nn_softmax_attention", [](const Array<T>& q, const Array<T>& k, const Array<T>& v,
                                   const std::optional<Array<std::uint8_t>>& key_mask, bool causal,
                                   const Array<T>& d_out) {
    const auto km = mask(key_mask);
    const auto ctx = nn::softmax_attention_forward(tensor(q), tensor(k), tensor(v), pointer(km), {causal});
    const auto g = nn::softmax_attention_backward(ctx, tensor(d_out));
    return py::dict("out"_a = array(ctx.out), "d_q"_a = array(g.d_q), "d_k"_a = array(g.d_k),
                    "d_v"_a = array(g.d_v));
  });
  m.def("nn_linear_attention", [](const Array<T>& q, const Array<T>& k, const Array<T>& v,
                                  const std::optional<Array<std::uint8_t>>& key_mask, bool causal,
                                  double epsilon, const Array<T>& d_out) {
    const auto km = mask(key_mask);
    const auto ctx =
        nn::linear_attention_forward(tensor(q), tensor(k), tensor(v), pointer(km), {causal, epsilon});
    const auto g = nn::linear_attention_backward(ctx, tensor(d_out));
    return py::dict("out"_a = array(ctx.out), "d_q"_a = array(g.d_q), "d_k"_a = array(g.d_k),
                    "d_v"_a = array(g.d_v));
  });
  m.def(
      "nn_astromorphic_attention",
      [](const Array<T>& q, const Array<T>& k, const Array<T>& v, const Array<T>& position,
         const Array<T>& decay, const std::optional<Array<std::uint8_t>>& key_mask, double alpha,
         bool astrocyte_term, bool nonlinearity, double epsilon, const Array<T>& d_out,
         const std::string& synaptic_scale, const std::optional<Array<T>>& scale) {
        const auto km = mask(key_mask);
        const Tensor<T> e = tensor(position), rho = tensor(decay);
        nn::AstromorphicAttentionOptions o{alpha, astrocyte_term, nonlinearity, epsilon};
        if (synaptic_scale == "1/N")
          o.scale = nn::SynapticScale::inverse_n;
        else if (synaptic_scale == "learned")
          o.scale = nn::SynapticScale::learned;
        else if (synaptic_scale != "1/sqrt(N)")
          throw ConfigError("synaptic_scale", synaptic_scale,
                            "expected \"1/N\", \"1/sqrt(N)\" or \"learned\"");
        const Tensor<T> rho_c = scale ? tensor(*scale) : Tensor<T>();
        const auto ctx = nn::astromorphic_attention_forward(tensor(q), tensor(k), tensor(v), e, rho,
                                                            pointer(km), o, scale ? &rho_c : nullptr);
        Tensor<T> d_e(e.shape()), d_rho(rho.shape()), d_c(rho_c.shape());
        const auto g = nn::astromorphic_attention_backward(ctx, e, rho, tensor(d_out), d_e, d_rho, &d_c);
        return py::dict("out"_a = array(ctx.out), "d_q"_a = array(g.d_q), "d_k"_a = array(g.d_k),
                        "d_v"_a = array(g.d_v), "d_position"_a = array(d_e), "d_decay"_a = array(d_rho),
                        "d_scale"_a = array(d_c));
      },
      "q"_a, "k"_a, "v"_a, "position"_a, "decay"_a, "key_mask"_a, "alpha"_a, "astrocyte_term"_a,
      "nonlinearity"_a, "epsilon"_a, "d_out"_a, "synaptic_scale"_a = "1/sqrt(N)", "scale"_a = py::none());
  m.def(
      "nn_srformer_attention",
      [](const Array<T>& q, const Array<T>& k, const Array<T>& v, const Array<T>& recurrent, T leak,
         T threshold, const std::optional<Array<std::uint8_t>>& key_mask, nn::Index segment_length,
         const Array<T>& d_out) {
        const auto km = mask(key_mask);
        const Tensor<T> w = tensor(recurrent), lam({1}, {leak}), theta({1}, {threshold});
        const auto ctx = nn::srformer_attention_forward(tensor(q), tensor(k), tensor(v), w, lam, theta,
                                                        pointer(km), segment_length);
        Tensor<T> d_w(w.shape()), d_lam({1}), d_theta({1});
        const auto g = nn::srformer_attention_backward(ctx, w, tensor(d_out), d_w, d_lam, d_theta);
        return py::dict("out"_a = array(ctx.out), "d_q"_a = array(g.d_q), "d_k"_a = array(g.d_k),
                        "d_v"_a = array(g.d_v), "d_recurrent"_a = array(d_w), "d_leak"_a = d_lam[0],
                        "d_threshold"_a = d_theta[0]);
      },
      "q"_a, "k"_a, "v"_a, "recurrent"_a, "leak"_a, "threshold"_a, "key_mask"_a, "segment_length"_a,
      "d_out"_a,
      "SRformer attention (NETWORKS.md §6) forward and backward, for tests against the PyTorch reference.");
  m.def(
      "nn_fam_attention",
      [](const Array<T>& q, const Array<T>& k, const Array<T>& v, const Array<T>& fam_q,
         const Array<T>& fam_k, const Array<T>& fam_v, const Array<T>& cache_k, const Array<T>& cache_v,
         const std::optional<Array<std::uint8_t>>& key_mask,
         const std::optional<Array<std::uint8_t>>& cache_mask, const Array<T>& d_out,
         const Array<T>& d_fam_out) {
        const auto km = mask(key_mask), cm = mask(cache_mask);
        const auto ctx = nn::fam_attention_forward(tensor(q), tensor(k), tensor(v), tensor(fam_q),
                                                   tensor(fam_k), tensor(fam_v), tensor(cache_k),
                                                   tensor(cache_v), pointer(km), pointer(cm));
        const auto g = nn::fam_attention_backward(ctx, tensor(d_out), tensor(d_fam_out));
        return py::dict(
            "out"_a = array(ctx.tokens.out),
            "fam_out"_a = ctx.fam ? array(ctx.memory.out) : array(Tensor<T>(tensor(fam_q).shape())),
            "d_q"_a = array(g.d_q), "d_k"_a = array(g.d_k), "d_v"_a = array(g.d_v),
            "d_fam_q"_a = array(g.d_fam_q), "d_fam_k"_a = array(g.d_fam_k), "d_fam_v"_a = array(g.d_fam_v),
            "d_cache_k"_a = array(g.d_cache_k), "d_cache_v"_a = array(g.d_cache_v));
      },
      "TransformerFAM block attention (NETWORKS.md §7) forward and backward, for tests against the PyTorch "
      "reference.");
  m.def("nn_mean_pooling", [](const Array<T>& x, const std::optional<Array<std::uint8_t>>& key_mask,
                              const Array<T>& d_out) {
    const auto km = mask(key_mask);
    const auto ctx = nn::mean_pooling_forward(tensor(x), pointer(km));
    return py::dict("out"_a = array(ctx.out), "d_x"_a = array(nn::mean_pooling_backward(ctx, tensor(d_out))));
  });
  m.def("nn_cross_entropy",
        [](const Array<T>& logits, const Array<std::int32_t>& labels, double label_smoothing) {
          const auto ctx = nn::cross_entropy_forward(tensor(logits), tensor(labels), label_smoothing);
          return py::dict("loss"_a = ctx.loss, "correct"_a = ctx.correct,
                          "d_logits"_a = array(nn::cross_entropy_backward(ctx, 1.0)));
        });
}

// Runs `op` once untimed (warm-up), then `repeat` times, and returns the seconds of each timed call
// (std::chrono::steady_clock), with the GIL released: no Python or NumPy conversion is timed.
template <class Op>
std::vector<double> time_calls(int repeat, Op op) {
  if (repeat < 1) throw ConfigError("nn_time_attention.repeat", std::to_string(repeat), "must be >= 1");
  py::gil_scoped_release release;
  op();
  std::vector<double> seconds;
  seconds.reserve(static_cast<std::size_t>(repeat));
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    op();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return seconds;
}

// Timing entry points for the benchmarks (experiments/benchmarks/bench_nn_attention.py): one
// attention op, forward (and backward) on fixed inputs, default options, no mask, non-causal.
template <class T>
void bind_timing(py::module_& m) {
  m.def(
      "nn_time_attention",
      [](const std::string& kind, const Array<T>& q_in, const Array<T>& k_in, const Array<T>& v_in,
         const std::optional<Array<T>>& position_in, const std::optional<Array<T>>& decay_in, int repeat,
         bool backward, const std::optional<Array<T>>& d_out_in) {
        const Tensor<T> q = tensor(q_in), k = tensor(k_in), v = tensor(v_in);
        Tensor<T> d_out;
        if (d_out_in) {
          d_out = tensor(*d_out_in);
        } else {  // fixed pseudo-random values, the same in every call
          d_out = Tensor<T>({q.dim(0), q.dim(1), q.dim(2), v.dim(3)});
          std::mt19937 gen(7);
          std::normal_distribution<double> normal;
          for (nn::Index i = 0; i < d_out.size(); ++i) d_out[i] = static_cast<T>(normal(gen));
        }
        if (kind == "softmax")
          return time_calls(repeat, [&] {
            const auto ctx = nn::softmax_attention_forward(q, k, v, nullptr);
            if (backward) nn::softmax_attention_backward(ctx, d_out);
          });
        if (kind == "linear")
          return time_calls(repeat, [&] {
            const auto ctx = nn::linear_attention_forward(q, k, v, nullptr);
            if (backward) nn::linear_attention_backward(ctx, d_out);
          });
        if (kind == "astromorphic") {
          if (!position_in || !decay_in)
            throw ConfigError("nn_time_attention", kind, "needs position and decay");
          const Tensor<T> e = tensor(*position_in), rho = tensor(*decay_in);
          Tensor<T> d_e(e.shape()), d_rho(rho.shape());
          return time_calls(repeat, [&] {
            const auto ctx = nn::astromorphic_attention_forward(q, k, v, e, rho, nullptr);
            if (backward) nn::astromorphic_attention_backward(ctx, e, rho, d_out, d_e, d_rho);
          });
        }
        throw ConfigError("nn_time_attention.kind", kind, "expected softmax, linear or astromorphic");
      },
      "kind"_a, "q"_a, "k"_a, "v"_a, "position"_a = py::none(), "decay"_a = py::none(), "repeat"_a = 5,
      "backward"_a = false, "d_out"_a = py::none(),
      "Seconds of each of `repeat` calls of one attention op's forward (and backward: forward + backward "
      "with d_out, default fixed pseudo-random), timed in C++ after one untimed warm-up call.");
}

// Floats held by the tensors of an op's forward context (what it keeps for the backward pass).
template <class T>
double context_floats(std::initializer_list<const Tensor<T>*> tensors) {
  double n = 0;
  for (const Tensor<T>* t : tensors) n += static_cast<double>(t->size());
  return n;
}

// The cost-model check (experiments/benchmarks/bench_attention_cost.py): one whole-sequence pass of softmax,
// srformer or fam attention — fam as its blocks in order, each with its cache of the previous mem_segment
// blocks and fixed pseudo-random FAM queries, keys and values (teacher-forced: the FAM recurrence through the
// layer is the model's) — timed, and the floats its contexts keep.
template <class T>
void bind_cost_timing(py::module_& m) {
  m.def(
      "nn_time_attention_cost",
      [](const std::string& kind, const Array<T>& q_in, const Array<T>& k_in, const Array<T>& v_in,
         nn::Index segment_length, nn::Index memory_tokens, nn::Index mem_segment, int repeat,
         bool backward) {
        const Tensor<T> q = tensor(q_in), k = tensor(k_in), v = tensor(v_in);
        nn::require_shape(q, {-1, -1, -1, -1}, "q");
        const nn::Index B = q.dim(0), H = q.dim(1), N = q.dim(2), dh = q.dim(3);
        std::mt19937 gen(7);
        std::normal_distribution<double> normal;
        const auto random = [&](std::vector<nn::Index> shape, double scale) {
          Tensor<T> t(shape);
          for (nn::Index i = 0; i < t.size(); ++i) t[i] = static_cast<T>(scale * normal(gen));
          return t;
        };
        const Tensor<T> d_out = random({B, H, N, dh}, 1.0);
        double floats = 0;
        std::vector<double> seconds;
        if (kind == "softmax") {
          seconds = time_calls(repeat, [&] {
            const auto ctx = nn::softmax_attention_forward(q, k, v, nullptr);
            floats = context_floats<T>({&ctx.out, &ctx.q, &ctx.k, &ctx.v, &ctx.probs});
            if (backward) nn::softmax_attention_backward(ctx, d_out);
          });
        } else if (kind == "srformer") {
          const Tensor<T> w = random({H, dh, dh}, 1.0 / std::sqrt(static_cast<double>(dh)));
          const Tensor<T> lam({1}, {T(0.1)}), theta({1}, {T(0.5)});
          Tensor<T> d_w(w.shape()), d_lam({1}), d_theta({1});
          seconds = time_calls(repeat, [&] {
            const auto ctx = nn::srformer_attention_forward(q, k, v, w, lam, theta, nullptr, segment_length);
            floats = context_floats<T>(
                {&ctx.out, &ctx.q, &ctx.k, &ctx.v, &ctx.probs, &ctx.x, &ctx.u_tilde, &ctx.p, &ctx.norms});
            if (backward) nn::srformer_attention_backward(ctx, w, d_out, d_w, d_lam, d_theta);
          });
        } else if (kind == "fam") {
          if (segment_length < 1 || memory_tokens < 0 || mem_segment < 0)
            throw ConfigError("nn_time_attention_cost", kind,
                              "needs segment_length >= 1, memory_tokens >= 0, mem_segment >= 0");
          const nn::Index blocks = (N + segment_length - 1) / segment_length, F = memory_tokens;
          const Tensor<T> fq = random({B, H, F, dh}, 1.0), fk = random({B, H, F, dh}, 1.0),
                          fv = random({B, H, F, dh}, 1.0), d_fam = random({B, H, F, dh}, 1.0);
          seconds = time_calls(repeat, [&] {
            floats = 0;
            for (nn::Index t = 0; t < blocks; ++t) {
              const nn::Index a = t * segment_length, L = std::min(segment_length, N - a);
              const nn::Index c = std::max<nn::Index>(0, t - mem_segment) * segment_length;
              const auto ctx = nn::fam_attention_forward(
                  nn::head_rows(q, a, L), nn::head_rows(k, a, L), nn::head_rows(v, a, L), fq, fk, fv,
                  nn::head_rows(k, c, a - c), nn::head_rows(v, c, a - c), nullptr, nullptr);
              floats += context_floats<T>({&ctx.tokens.out, &ctx.tokens.q, &ctx.tokens.k, &ctx.tokens.v,
                                           &ctx.tokens.probs, &ctx.memory.out, &ctx.memory.q, &ctx.memory.k,
                                           &ctx.memory.v, &ctx.memory.probs});
              if (backward) nn::fam_attention_backward(ctx, nn::head_rows(d_out, a, L), d_fam);
            }
          });
        } else {
          throw ConfigError("nn_time_attention_cost.kind", kind, "expected softmax, srformer or fam");
        }
        return py::dict("seconds"_a = seconds, "context_floats"_a = floats);
      },
      "kind"_a, "q"_a, "k"_a, "v"_a, "segment_length"_a = 0, "memory_tokens"_a = 0, "mem_segment"_a = 1,
      "repeat"_a = 3, "backward"_a = true,
      "Seconds of each of `repeat` whole-sequence passes (forward, and backward) of softmax, srformer or fam "
      "attention, after one untimed warm-up, and the floats its forward contexts keep.");
}

}  // namespace

void bind_nn(py::module_& m) {
  bind_scalar<double>(m);
  bind_scalar<float>(m);
  bind_timing<double>(m);
  bind_timing<float>(m);
  bind_cost_timing<double>(m);
  bind_cost_timing<float>(m);
}

}  // namespace glia::python
