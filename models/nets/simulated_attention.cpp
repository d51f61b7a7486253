#include "models/nets/simulated_attention.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>

#include "data/dataset.hpp"
#include "engine/core/error.hpp"
#include "engine/core/progress.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "engine/nn/checkpoint.hpp"
#include "engine/sim/step_config.hpp"
#include "models/nets/training.hpp"

namespace glia::nets {

using nn::Tensor;

namespace {

// What the hook does while a scope is active on this thread.
struct Scope {
  const mapping::SimulatedHeadSettings* settings = nullptr;  // simulate every slice
  // Capture mode (settings null): record the inputs of one slice of one attention call.
  Index capture_call = -1, capture_b = 0, capture_h = 0;
  CapturedHead* captured = nullptr;
  bool capture_done = false;
  Index calls = 0;  // attention layers seen (segment-major, then layer)
  SimulatedEvaluationStats* stats = nullptr;
  const std::function<void()>* on_layer = nullptr;
};

thread_local Scope* active_scope = nullptr;

class ScopeGuard {
 public:
  explicit ScopeGuard(Scope& scope) {
    if (active_scope)
      throw RuntimeError("simulated attention: an evaluation with simulated heads is already running");
    active_scope = &scope;
  }
  ~ScopeGuard() { active_scope = nullptr; }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
};

template <class T>
Tensor<double> to_double(const Tensor<T>& t) {
  Tensor<double> out = Tensor<double>::uninitialized(t.shape());
  for (Index i = 0; i < t.size(); ++i) out[i] = static_cast<double>(t[i]);
  return out;
}

// The inputs of slice (b, h): real keys (head_inputs_from_attention), real query rows.
CapturedHead slice_inputs(const Tensor<double>& q, const Tensor<double>& k, const Tensor<double>& v,
                          const Tensor<double>& position, const Tensor<double>& decay, Index b, Index h,
                          const nn::AstromorphicAttentionOptions& options, const nn::KeyMask* mask,
                          const std::vector<double>& scales) {
  CapturedHead c;
  c.inputs = mapping::head_inputs_from_attention(q, k, v, position, decay, b, h, options, mask, &c.key_rows,
                                                 &scales);
  const Index n_q = q.dim(2), n_k = k.dim(2);
  // Self-attention: query row i is key row i, so the real queries are the real keys' rows. Otherwise (never
  // in these models) every query is presented.
  if (mask && n_q == n_k) {
    c.query_rows = c.key_rows;
    mapping::Matrix real(static_cast<Index>(c.query_rows.size()), c.inputs.q.cols());
    for (Index r = 0; r < real.rows(); ++r)
      real.row(r) = c.inputs.q.row(c.query_rows[static_cast<std::size_t>(r)]);
    c.inputs.q = std::move(real);
  } else {
    for (Index i = 0; i < n_q; ++i) c.query_rows.push_back(i);
  }
  return c;
}

std::string option_name(OptionStyle style, const std::string& python_name) {
  if (style == OptionStyle::python) return python_name;
  std::string s = "--" + python_name;
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

Index arg_max(const float* x, Index n) {
  Index a = 0;
  for (Index c = 1; c < n; ++c)
    if (x[c] > x[a]) a = c;  // the first maximum, as the cross entropy's accuracy counts it
  return a;
}

}  // namespace

mapping::SimulatedHeadSettings head_settings(const SimulatedAttention& s, OptionStyle style) {
  const auto name = [&](const char* n) { return option_name(style, n); };
  if (!(s.tau_ratio > 0 && s.tau_ratio < 1))
    throw ConfigError(name("tau_ratio"), number(s.tau_ratio),
                      "tau_n/tau_p must be in (0, 1): neurons slower than a token's window never settle, "
                      "and the simulation does not approach the operator");
  if (!(s.dt_ratio > 0 && s.dt_ratio <= 1))
    throw ConfigError(name("dt_ratio"), number(s.dt_ratio),
                      "dt/tau_n must be in (0, 1]: a step longer than the neurons' time constant is "
                      "inaccurate or unstable");
  const double steps = 1.0 / (s.tau_ratio * s.dt_ratio);
  if (std::abs(steps - std::round(steps)) > 1e-9 * steps)
    throw ConfigError(
        name("dt_ratio"), number(s.dt_ratio),
        "tau_p/dt = 1/(tau_ratio * dt_ratio) = " + number(steps) +
            " must be a whole number of steps per token window (tau_ratio = " + number(s.tau_ratio) + ")");
  if (!(s.neuron_leak > 0 && std::isfinite(s.neuron_leak)))
    throw ConfigError(name("neuron_leak"), number(s.neuron_leak),
                      "must be > 0 (the neurons must relax to their drive)");
  if (!(s.synapse_leak >= 0 && std::isfinite(s.synapse_leak)))
    throw ConfigError(name("synapse_leak"), number(s.synapse_leak), "must be >= 0");
  mapping::SimulatedHeadSettings h;
  h.method = sim::fixed_step_method(name("method"), s.method);
  h.tau_p = kSimulatedTauP;
  h.tau_n = s.tau_ratio * h.tau_p;
  h.dt = h.tau_p / std::round(steps);  // exactly τ_p / steps, so that dt divides τ_p
  h.neuron_leak = s.neuron_leak;
  h.synapse_leak = s.synapse_leak;
  mapping::validate_settings(h);
  return h;
}

void require_astromorphic(const ModelConfig& config) {
  if (config.attention == AttentionKind::astromorphic) return;
  const char* kind = config.attention == AttentionKind::softmax  ? "softmax"
                     : config.attention == AttentionKind::linear ? "linear"
                                                                 : "segmented recurrent (srformer)";
  throw ConfigError("model.name", "\"" + config.name + "\"",
                    std::string("has ") + kind +
                        " attention; only models with astromorphic attention (at, rmaat) can run their heads "
                        "as neuron-astrocyte simulations");
}

bool simulated_attention_active() { return active_scope != nullptr; }

template <class T>
void simulated_attention_hook(nn::AstromorphicAttentionContext<T>& ctx, const Tensor<T>& position,
                              const Tensor<T>& decay, const nn::KeyMask* key_mask) {
  Scope& scope = *active_scope;
  const Index call = scope.calls++;
  const bool capture = scope.settings == nullptr;
  if (capture && call != scope.capture_call) return;
  const Index B = ctx.q.dim(0), H = ctx.q.dim(1), n_q = ctx.q.dim(2), d = ctx.v.dim(3);
  const Tensor<double> q = to_double(ctx.q), k = to_double(ctx.k), v = to_double(ctx.v);
  const Tensor<double> pos = to_double(position), rho = to_double(decay);
  const std::vector<double> scales(ctx.scale.begin(), ctx.scale.end());  // the op's c per head
  if (capture) {
    *scope.captured =
        slice_inputs(q, k, v, pos, rho, scope.capture_b, scope.capture_h, ctx.options, key_mask, scales);
    scope.capture_done = true;
    return;
  }
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(B * H));
  std::vector<std::vector<std::string>> warnings(static_cast<std::size_t>(B * H));
  // One slice per iteration, on one thread: the result does not depend on the schedule. Exceptions must not
  // leave the parallel region; the first one (in slice order) is rethrown after it.
#pragma omp parallel for schedule(dynamic)
  for (Index bh = 0; bh < B * H; ++bh) {
    try {
      const CapturedHead in = slice_inputs(q, k, v, pos, rho, bh / H, bh % H, ctx.options, key_mask, scales);
      const mapping::SimulatedHeadResult r = mapping::simulate_head(in.inputs, *scope.settings);
      T* out = ctx.out.data() + bh * n_q * d;
      for (std::size_t i = 0; i < in.query_rows.size(); ++i)
        for (Index c = 0; c < d; ++c)
          out[in.query_rows[i] * d + c] = static_cast<T>(r.out(static_cast<Index>(i), c));
      warnings[static_cast<std::size_t>(bh)] = r.warnings;
    } catch (...) {
      errors[static_cast<std::size_t>(bh)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  if (scope.stats) {
    scope.stats->heads += B * H;
    for (const auto& w : warnings)
      for (const std::string& s : w)
        if (std::find(scope.stats->warnings.begin(), scope.stats->warnings.end(), s) ==
            scope.stats->warnings.end())
          scope.stats->warnings.push_back(s);
  }
  if (scope.on_layer && *scope.on_layer) (*scope.on_layer)();
}

template <class T>
typename SequenceClassifier<T>::Evaluation evaluate_simulated(const SequenceClassifier<T>& model,
                                                              const nn::Batch& batch,
                                                              const mapping::SimulatedHeadSettings& settings,
                                                              SimulatedEvaluationStats* stats,
                                                              const std::function<void()>& on_layer) {
  require_astromorphic(model.config());
  mapping::validate_settings(settings);
  Scope scope;
  scope.settings = &settings;
  scope.stats = stats;
  scope.on_layer = &on_layer;
  const ScopeGuard guard(scope);
  return model.evaluate(batch);
}

template <class T>
CapturedHead capture_head(const SequenceClassifier<T>& model, const nn::Batch& batch, Index example,
                          Index segment, Index layer, Index head) {
  const ModelConfig& c = model.config();
  require_astromorphic(c);
  const auto check = [](const char* field, Index value, Index count, const std::string& what) {
    if (value < 0 || value >= count)
      throw ConfigError(field, std::to_string(value),
                        "out of range: the " + what + " has " + std::to_string(count));
  };
  check("example", example, batch.tokens.rank() == 2 ? batch.tokens.dim(0) : 0, "batch");
  check("segment", segment, c.segments(), "model");
  check("layer", layer, c.layers, "model");
  check("head", head, c.heads, "model");
  CapturedHead captured;
  Scope scope;
  scope.capture_call = segment * c.layers + layer;  // evaluate runs segment by segment, layer by layer
  scope.capture_b = example;
  scope.capture_h = head;
  scope.captured = &captured;
  {
    const ScopeGuard guard(scope);
    model.evaluate(batch);
  }
  if (!scope.capture_done) throw RuntimeError("capture_head: the attention layer was not reached");
  return captured;
}

namespace {

// A checkpoint's model and the data it is compared on, checked for the comparison.
struct Comparison {
  nn::CheckpointState state;
  TrainConfig c;
  std::unique_ptr<SequenceClassifier<float>> model;
  std::string data_path;
  std::optional<data::Dataset> data;
  std::int64_t n = 0;  // examples compared
};

Comparison open_comparison(const std::string& checkpoint, const SimulatedComparisonOptions& o) {
  if (o.examples < 0)
    throw ConfigError(option_name(o.style, "examples"), std::to_string(o.examples), "must be >= 0 (0: all)");
  if (o.batch_size < 1)
    throw ConfigError(option_name(o.style, "batch_size"), std::to_string(o.batch_size), "must be >= 1");
  const std::string checkpoint_field = o.style == OptionStyle::command_line ? "CHECKPOINT" : "checkpoint";
  Comparison k;
  k.state = nn::read_checkpoint_state(checkpoint, checkpoint_field);
  k.c = parse_checkpoint_config(k.state.config_json, checkpoint + ": config");
  require_astromorphic(k.c.model);
  k.model = std::make_unique<SequenceClassifier<float>>(k.c.model);
  nn::read_checkpoint<float>(checkpoint, k.model->parameters(), nullptr, checkpoint_field);
  k.data_path = o.data_path.empty() ? k.c.data_path : o.data_path;
  k.data.emplace(data::Dataset::open(k.data_path, o.split));
  check_data_fits_model(*k.data, k.c.model, option_name(o.style, "data"));
  k.n = o.examples > 0 ? std::min(o.examples, k.data->size()) : k.data->size();
  if (k.n < 1) throw ConfigError(option_name(o.style, "split"), o.split, "has no examples");
  return k;
}

}  // namespace

nlohmann::json simulated_head_checkpoint_config(const std::string& checkpoint,
                                                const SimulatedComparisonOptions& o) {
  const mapping::SimulatedHeadSettings hs = head_settings(o.settings, o.style);
  const Comparison k = open_comparison(checkpoint, o);
  const nn::Batch batch = read_batch(*k.data, {0});
  const CapturedHead head = capture_head(*k.model, batch, 0, 0, 0, 0);
  return mapping::simulated_head_config(head.inputs, hs);
}

nlohmann::json compare_simulated_checkpoint(const std::string& checkpoint,
                                            const SimulatedComparisonOptions& o) {
  const auto t_start = std::chrono::steady_clock::now();
  const mapping::SimulatedHeadSettings hs = head_settings(o.settings, o.style);
  const Comparison k = open_comparison(checkpoint, o);
  if (!o.output.empty())
    io::check_output_is_not_an_input(o.output, option_name(o.style, "output"), {checkpoint, k.data_path});
  const nn::CheckpointState& state = k.state;
  const TrainConfig& c = k.c;
  SequenceClassifier<float>& model = *k.model;
  const std::string& data_path = k.data_path;
  const data::Dataset& data = *k.data;
  const std::int64_t n = k.n;

  const Index classes = c.model.num_classes;
  const std::int64_t layer_calls = c.model.layers * c.model.segments();  // attention layers per batch
  ProgressLine line("simulated heads, examples", 0, o.progress);
  SimulatedEvaluationStats stats;
  std::int64_t op_correct = 0, sim_correct = 0, agree = 0;
  double op_loss = 0, sim_loss = 0, max_diff = 0, sum_diff = 0, op_seconds = 0, sim_seconds = 0;
  for (std::int64_t first = 0; first < n; first += o.batch_size) {
    std::vector<std::int64_t> indices;
    for (std::int64_t i = first; i < std::min(n, first + o.batch_size); ++i) indices.push_back(i);
    const auto rows = static_cast<std::int64_t>(indices.size());
    const nn::Batch batch = read_batch(data, indices);
    auto t0 = std::chrono::steady_clock::now();
    const auto op = model.evaluate(batch);
    auto t1 = std::chrono::steady_clock::now();
    op_seconds += std::chrono::duration<double>(t1 - t0).count();
    std::int64_t calls = 0;
    const std::function<void()> on_layer = [&] {
      ++calls;
      line.update(first + rows * calls / layer_calls, n);
    };
    const auto simulated = evaluate_simulated(model, batch, hs, &stats, on_layer);
    sim_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    for (std::int64_t r = 0; r < rows; ++r) {
      const float* a = op.logits.data() + r * classes;
      const float* b = simulated.logits.data() + r * classes;
      const Index pa = arg_max(a, classes), pb = arg_max(b, classes);
      const std::int32_t label = batch.labels[r];
      op_correct += pa == label;
      sim_correct += pb == label;
      agree += pa == pb;
      for (Index k = 0; k < classes; ++k) {
        const double diff = std::abs(static_cast<double>(a[k]) - static_cast<double>(b[k]));
        max_diff = std::max(max_diff, diff);
        sum_diff += diff;
      }
    }
    op_loss += op.stats.loss * static_cast<double>(rows);
    sim_loss += simulated.stats.loss * static_cast<double>(rows);
  }
  const auto dn = static_cast<double>(n);
  const SimulatedAttention& s = o.settings;
  nlohmann::json result = {
      {"checkpoint", checkpoint},
      {"model", c.model.name},
      {"split", data.info().split},
      {"data", data_path},
      {"examples", n},
      {"operator_accuracy", static_cast<double>(op_correct) / dn},
      {"simulated_accuracy", static_cast<double>(sim_correct) / dn},
      {"operator_loss", op_loss / dn},
      {"simulated_loss", sim_loss / dn},
      {"agreement", static_cast<double>(agree) / dn},
      {"disagreements", n - agree},
      {"max_abs_logit_diff", max_diff},
      {"mean_abs_logit_diff", sum_diff / (dn * static_cast<double>(classes))},
      {"heads_simulated", stats.heads},
      {"warnings", stats.warnings},
      {"settings",
       {{"tau_ratio", s.tau_ratio},
        {"dt_ratio", s.dt_ratio},
        {"method", s.method},
        {"neuron_leak", s.neuron_leak},
        {"synapse_leak", s.synapse_leak},
        {"tau_p", hs.tau_p},
        {"tau_n", hs.tau_n},
        {"dt", hs.dt},
        {"steps_per_window", std::llround(hs.tau_p / hs.dt)}}},
      {"operator_seconds", op_seconds},
      {"simulated_seconds", sim_seconds},
      {"wall_seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count()},
      {"threads", omp_get_max_threads()},
      {"glia_version", version()},
      {"git_commit", git_commit()},
      {"created", utc_timestamp()},
      {"checkpoint_step", state.step},
      {"seed", state.seed},
      {"config", c.resolved}};
  if (!o.output.empty())
    io::write_text_atomically(o.output, result.dump(2) + "\n", option_name(o.style, "output"));
  return result;
}

#define GLIA_INSTANTIATE(T)                                                                               \
  template void simulated_attention_hook(nn::AstromorphicAttentionContext<T>&, const Tensor<T>&,          \
                                         const Tensor<T>&, const nn::KeyMask*);                           \
  template SequenceClassifier<T>::Evaluation evaluate_simulated(                                          \
      const SequenceClassifier<T>&, const nn::Batch&, const mapping::SimulatedHeadSettings&,              \
      SimulatedEvaluationStats*, const std::function<void()>&);                                           \
  template CapturedHead capture_head(const SequenceClassifier<T>&, const nn::Batch&, Index, Index, Index, \
                                     Index);
GLIA_INSTANTIATE(float)
GLIA_INSTANTIATE(double)
#undef GLIA_INSTANTIATE

}  // namespace glia::nets
