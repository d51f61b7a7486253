// The sequence classifiers (docs/model_config.md): every parameter's gradient against central differences of
// the loss (float64), AMRB against BPTT, truncation, padding invariance, config errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "engine/nn/checkpoint.hpp"
#include "engine/nn/optim/adamw.hpp"
#include "models/nets/sequence_classifier.hpp"
#include "models/nets/training.hpp"
#include "nn_test_support.hpp"

namespace glia::nets {

using nn::Tensor;

namespace {

// A model name, or one of the variants: "at_learned", "at_sqrt" (σ on with a learned or 1/√N synaptic scale),
// "rmaat_learned", "rmaat_gated" (the gated retention carry).
nlohmann::json small_config(const std::string& name);

nlohmann::json variant_config(const std::string& variant) {
  const auto cut = variant.rfind('_');
  nlohmann::json c = small_config(variant.substr(0, cut));
  const std::string tag = variant.substr(cut + 1);
  if (tag == "learned" || tag == "sqrt")
    c["attention"] = {{"nonlinearity", true}, {"synaptic_scale", tag == "learned" ? "learned" : "1/sqrt(N)"}};
  if (tag == "gated") c["retention"]["carry"] = "gated";
  return c;
}

nlohmann::json small_config(const std::string& name) {
  if (name == "at_learned" || name == "at_sqrt" || name == "rmaat_learned" || name == "rmaat_gated")
    return variant_config(name);
  nlohmann::json c = {{"name", name},   {"vocab_size", 7}, {"num_classes", 3}, {"max_length", 10},
                      {"d_model", 8},   {"heads", 2},      {"layers", 2},      {"ffn", 12},
                      {"dropout", 0.0}, {"seed", 5},       {"init_std", 0.02}};
  if (name == "rmt" || name == "rlt" || name == "rmaat") {
    c["segment_length"] = 4;  // T = 3 segments, the last one half padding
    c["memory_tokens"] = 2;
  }
  if (name == "rmaat") c["retention"] = {{"source", "exponential"}, {"c", 0.7}};
  if (name == "fam") {  // blocks of 3, 3, 3, 1 tokens; the second row's last two blocks are all padding
    c["segment_length"] = 3;
    c["memory_tokens"] = 2;
    c["mem_segment"] = 1;
  }
  return c;
}

// Rows of different lengths; the second row's last segment is all padding.
nn::Batch small_batch(Index length = 10) {
  nn::Batch b;
  b.tokens = Tensor<std::int32_t>({2, length});
  b.mask = Tensor<std::uint8_t>({2, length});
  b.labels = Tensor<std::int32_t>({2}, {2, 0});
  const Index real[2] = {std::min<Index>(9, length), std::min<Index>(6, length)};
  for (Index r = 0; r < 2; ++r)
    for (Index i = 0; i < length; ++i) {
      b.tokens[r * length + i] = i < real[r] ? static_cast<std::int32_t>(1 + (3 * i + 2 * r) % 6) : 0;
      b.mask[r * length + i] = i < real[r];
    }
  return b;
}

// Moves every parameter off its initial value (zero biases, unit norms) so no gradient is trivial.
template <class T>
void perturb(SequenceClassifier<T>& model, std::uint64_t seed) {
  auto& params = model.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    Tensor<T>& v = params[i].value;
    for (Index e = 0; e < v.size(); ++e)
      v[e] += static_cast<T>(
          0.3 * philox_normal(seed, static_cast<std::int64_t>(i), static_cast<std::uint32_t>(e), 7));
  }
}

// Fourth-order central differences (step 1e-4: truncation ~1e-16, rounding ~1e-12) of `loss` with
// respect to at most 12 elements of x, spread over the tensor; normwise relative error against
// `analytic` at those elements, which must be ≤ 1e-7 (float64). A gradient that vanishes
// analytically (softmax is invariant to a key bias) must also vanish in the differences.
void expect_model_gradient(Tensor<double>& x, const Tensor<double>& analytic,
                           const std::function<double()>& loss, const std::string& name) {
  const double h = 1e-4;
  const Index stride = std::max<Index>(1, x.size() / 12);
  double diff2 = 0, norm2 = 0, analytic2 = 0;
  for (Index i = (x.size() - 1) % stride; i < x.size(); i += stride) {
    const double saved = x[i];
    const auto at = [&](double offset) {
      x[i] = saved + offset;
      return loss();
    };
    const double fd = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
    x[i] = saved;
    diff2 += (fd - analytic[i]) * (fd - analytic[i]);
    norm2 += fd * fd;
    analytic2 += analytic[i] * analytic[i];
  }
  if (norm2 < 1e-20) {
    EXPECT_LT(std::sqrt(analytic2), 1e-12) << name << ": differences vanish, the gradient does not";
    return;
  }
  EXPECT_LE(std::sqrt(diff2 / norm2), 1e-7) << name << ": relative error " << std::sqrt(diff2 / norm2);
}

std::vector<std::string> all_models() {
  return {"transformer", "linear_transformer", "at", "rmt", "rlt", "rmaat", "fam"};
}

}  // namespace

class NetsModelGradient : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(NetsModelGradient, EveryParameterMatchesFiniteDifferences) {
  const auto& [name, variant] = GetParam();
  nlohmann::json cfg = small_config(name);
  // "pre"/"post" norm; a "_global" suffix gives a segment model global segment positions.
  const std::string global = "_global";
  const bool is_global = variant.size() > global.size() &&
                         variant.compare(variant.size() - global.size(), global.size(), global) == 0;
  const std::string norm = is_global ? variant.substr(0, variant.size() - global.size()) : variant;
  cfg["norm"] = norm;
  if (is_global) cfg["segment_positions"] = "global";
  if (norm == "post") cfg["positions"] = "sinusoidal";
  SequenceClassifier<double> model(parse_model_config(cfg));
  perturb(model, 11);
  const nn::Batch batch = small_batch();
  model.parameters().zero_grads();
  TrainingPass pass;
  pass.label_smoothing = 0.1;
  model.forward_backward(batch, pass);
  const auto loss = [&] {
    // evaluate() has no label smoothing; recompute the smoothed loss from its logits.
    const auto e = model.evaluate(batch);
    double total = 0;
    for (Index b = 0; b < 2; ++b) {
      double mx = -1e300, s = 0, mean_logit = 0;
      for (Index c = 0; c < 3; ++c) mx = std::max(mx, e.logits[b * 3 + c]);
      for (Index c = 0; c < 3; ++c)
        s += std::exp(e.logits[b * 3 + c] - mx), mean_logit += e.logits[b * 3 + c] / 3;
      const double lse = mx + std::log(s);
      total += 0.9 * (lse - e.logits[b * 3 + batch.labels[b]]) + 0.1 * (lse - mean_logit);
    }
    return total / 2;
  };
  auto& params = model.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Tensor<double> analytic = params[i].grad;
    expect_model_gradient(params[i].value, analytic, loss, name + " " + params[i].name);
  }
}

INSTANTIATE_TEST_SUITE_P(, NetsModelGradient,
                         ::testing::Combine(::testing::ValuesIn(all_models()),
                                            ::testing::Values("pre", "post")),
                         [](const auto& test) {
                           return std::get<0>(test.param) + "_" + std::get<1>(test.param) + "norm";
                         });
INSTANTIATE_TEST_SUITE_P(
    Variants, NetsModelGradient,
    ::testing::Combine(::testing::Values("at_learned", "at_sqrt", "rmaat_learned", "rmaat_gated"),
                       ::testing::Values("pre", "post")),
    [](const auto& test) { return std::get<0>(test.param) + "_" + std::get<1>(test.param) + "norm"; });
INSTANTIATE_TEST_SUITE_P(GlobalPositions, NetsModelGradient,
                         ::testing::Combine(::testing::Values("rmt", "rlt", "rmaat"),
                                            ::testing::Values("pre_global", "post_global")),
                         [](const auto& test) {
                           return std::get<0>(test.param) + "_" + std::get<1>(test.param);
                         });

// BPTT and AMRB passes of the same model on `batch` with dropout on: equal losses and gradients bit for bit.
// Returns the BPTT model's gradient norm.
double expect_amrb_equals_bptt(const nlohmann::json& cfg, const nn::Batch& batch, std::uint64_t seed,
                               std::int64_t step, const std::string& what) {
  SequenceClassifier<float> bptt(parse_model_config(cfg)), amrb(parse_model_config(cfg));
  TrainingPass pass;
  pass.dropout_seed = seed;
  pass.micro_step = step;
  const PassStats a = bptt.forward_backward(batch, pass);
  pass.strategy = Strategy::amrb;
  const PassStats b = amrb.forward_backward(batch, pass);
  EXPECT_EQ(a.loss, b.loss) << what;
  double norm = 0;
  for (std::size_t i = 0; i < bptt.parameters().size(); ++i) {
    EXPECT_EQ(bptt.parameters()[i].grad.values(), amrb.parameters()[i].grad.values())
        << what << " " << bptt.parameters()[i].name;
    norm += bptt.parameters()[i].grad.vector().squaredNorm();
  }
  return norm;
}

class NetsSegmentStrategies : public ::testing::TestWithParam<std::string> {};

// AMRB replays each segment from its stored memory with the same dropout keys: the same operations in
// the same order as BPTT, so the gradients are equal bit for bit (also with dropout on).
TEST_P(NetsSegmentStrategies, AmrbGradientsEqualBptt) {
  nlohmann::json cfg = small_config(GetParam());
  cfg["dropout"] = 0.2;
  EXPECT_GT(expect_amrb_equals_bptt(cfg, small_batch(), 3, 17, GetParam()), 0.0);
}

// Two towers (NETWORKS.md §3): rows [a ; b] of 2 × 10 tokens; every parameter's gradient (the pair MLP's and
// the encoder's, reached through both towers) against differences of the loss, for a whole-input, a segment
// and the fam model; AMRB = BPTT bit for bit with dropout on (the towers draw different masks).
nn::Batch pair_batch() {
  const nn::Batch a = small_batch(), b = small_batch();
  nn::Batch p;
  p.tokens = Tensor<std::int32_t>({2, 20});
  p.mask = Tensor<std::uint8_t>({2, 20});
  p.labels = Tensor<std::int32_t>({2}, {1, 2});
  for (Index r = 0; r < 2; ++r)
    for (Index i = 0; i < 10; ++i) {
      p.tokens[r * 20 + i] = a.tokens[r * 10 + i];
      p.mask[r * 20 + i] = a.mask[r * 10 + i];
      p.tokens[r * 20 + 10 + i] =
          b.tokens[(1 - r) * 10 + i] == 0 ? 0 : 1 + (b.tokens[(1 - r) * 10 + i] + 2) % 6;
      p.mask[r * 20 + 10 + i] = b.mask[(1 - r) * 10 + i];
    }
  return p;
}

TEST(NetsModel, TwoTowerGradientsMatchFiniteDifferences) {
  for (const char* name : {"transformer", "rmaat", "fam"}) {
    nlohmann::json cfg = small_config(name);
    cfg["two_tower"] = {{"hidden", 5}};
    SequenceClassifier<double> model(parse_model_config(cfg));
    perturb(model, 12);
    const nn::Batch batch = pair_batch();
    model.parameters().zero_grads();
    model.forward_backward(batch, TrainingPass{});
    const auto loss = [&] { return model.evaluate(batch).stats.loss; };
    auto& params = model.parameters();
    EXPECT_EQ(params.at("pair.in.weight").value.shape(), (std::vector<Index>{5, 32})) << name;
    EXPECT_EQ(params.at("head.weight").value.shape(), (std::vector<Index>{3, 5})) << name;
    for (std::size_t i = 0; i < params.size(); ++i) {
      const Tensor<double> analytic = params[i].grad;
      expect_model_gradient(params[i].value, analytic, loss, std::string(name) + " " + params[i].name);
    }
  }
}

TEST(NetsModel, TwoTowerAmrbGradientsEqualBptt) {
  for (const char* name : {"rmaat", "fam"}) {
    nlohmann::json cfg = small_config(name);
    cfg["two_tower"] = nlohmann::json::object();
    cfg["dropout"] = 0.2;
    EXPECT_GT(expect_amrb_equals_bptt(cfg, pair_batch(), 9, 4, name), 0.0);
  }
}

// fam's AMRB replays each block from the FAM entering it and the cached keys and values, with the same
// dropout keys: bit for bit BPTT's gradients, for the token and the memory read-out.
TEST(NetsModel, FamAmrbGradientsEqualBptt) {
  for (const char* readout : {"tokens", "memory"}) {
    nlohmann::json cfg = small_config("fam");
    cfg["dropout"] = 0.2;
    cfg["readout"] = readout;
    cfg["mem_segment"] = 2;
    EXPECT_GT(expect_amrb_equals_bptt(cfg, small_batch(), 3, 17, std::string("fam ") + readout), 0.0);
    // the initial FAM and the embedding are reached (through the blocks' recurrence)
    SequenceClassifier<double> model(parse_model_config(cfg));
    model.forward_backward(small_batch(), TrainingPass{});
    EXPECT_GT(model.parameters().at("memory").grad.vector().norm(), 0.0) << readout;
    EXPECT_GT(model.parameters().at("embedding").grad.vector().norm(), 0.0) << readout;
  }
}

// Truncation to k segments: k = T is the full gradient; k = 1 leaves the initial memory without gradient
// and still trains the weights through the last segment.
TEST_P(NetsSegmentStrategies, TruncationCutsTheRecurrence) {
  for (Strategy s : {Strategy::bptt, Strategy::amrb}) {
    const ModelConfig config = parse_model_config(small_config(GetParam()));
    SequenceClassifier<double> full(config), all(config), last(config);
    TrainingPass pass;
    pass.strategy = s;
    full.forward_backward(small_batch(), pass);
    pass.truncate = 3;
    all.forward_backward(small_batch(), pass);
    pass.truncate = 1;
    last.forward_backward(small_batch(), pass);
    for (std::size_t i = 0; i < full.parameters().size(); ++i)
      EXPECT_EQ(full.parameters()[i].grad.values(), all.parameters()[i].grad.values());
    EXPECT_EQ(last.parameters().at("memory").grad.vector().norm(), 0.0);
    EXPECT_GT(full.parameters().at("memory").grad.vector().norm(), 0.0);
    EXPECT_GT(last.parameters().at("head.weight").grad.vector().norm(), 0.0);
    EXPECT_NE(last.parameters().at("embedding").grad.values(),
              full.parameters().at("embedding").grad.values());
  }
}

INSTANTIATE_TEST_SUITE_P(, NetsSegmentStrategies,
                         ::testing::Values("rmt", "rlt", "rmaat", "rmaat_gated", "rmaat_learned"));

// Padding is masked, and inputs are padded to the model's width: a batch given at its own length and the
// same batch padded further give the same logits.
TEST(NetsModel, LogitsDoNotDependOnPaddingWidth) {
  for (const std::string& name : all_models()) {
    SequenceClassifier<double> model(parse_model_config(small_config(name)));
    nn::Batch wide = small_batch(10), narrow = small_batch(9);
    const auto a = model.evaluate(wide), b = model.evaluate(narrow);
    for (Index i = 0; i < a.logits.size(); ++i) EXPECT_NEAR(a.logits[i], b.logits[i], 1e-13) << name;
  }
}

// With RF = 1 (retention none) rmaat's recurrence is rmt's with astromorphic attention: scaling the
// memory by RF(t, T) must change the result, and c = 0 (RF = 1/T everywhere) is a plain rescaling.
TEST(NetsModel, RetentionScalesTheCarriedMemory) {
  nlohmann::json cfg = small_config("rmaat");
  cfg["retention"] = {{"source", "none"}};
  const ModelConfig none = parse_model_config(cfg);
  EXPECT_EQ(none.retention.rf, std::vector<double>(3, 1.0));
  cfg["retention"] = {{"source", "exponential"}, {"c", 0.0}, {"normalization", "sum"}};
  const ModelConfig flat = parse_model_config(cfg);
  for (double rf : flat.retention.rf) EXPECT_NEAR(rf, 1.0 / 3, 1e-15);
  SequenceClassifier<double> a(none), b(flat);
  EXPECT_GT(std::abs(a.evaluate(small_batch()).logits[0] - b.evaluate(small_batch()).logits[0]), 1e-9);
  // "mean" normalisation (the default): T · RF(t, T), the same profile with mean 1; c = 0 gives RF = 1, i.e.
  // "none".
  cfg["retention"] = {{"source", "exponential"}, {"c", 0.7}, {"normalization", "sum"}};
  const ModelConfig sum = parse_model_config(cfg);
  cfg["retention"].erase("normalization");
  const ModelConfig mean = parse_model_config(cfg);
  EXPECT_EQ(mean.retention.normalization, "mean");
  for (std::size_t t = 0; t < 3; ++t) EXPECT_NEAR(mean.retention.rf[t], 3 * sum.retention.rf[t], 1e-15);
  cfg["retention"] = {{"source", "exponential"}, {"c", 0.0}};
  SequenceClassifier<double> c(parse_model_config(cfg));
  EXPECT_EQ(a.evaluate(small_batch()).logits.values(), c.evaluate(small_batch()).logits.values());
  // The gated carry with f = 1 replaces the memory as the scaled one does; with c = 0.7 it differs.
  cfg["retention"]["carry"] = "gated";
  SequenceClassifier<double> g1(parse_model_config(cfg));
  EXPECT_EQ(a.evaluate(small_batch()).logits.values(), g1.evaluate(small_batch()).logits.values());
  cfg["retention"]["c"] = 0.7;
  SequenceClassifier<double> gated(parse_model_config(cfg)), scaled(mean);
  EXPECT_GT(std::abs(gated.evaluate(small_batch()).logits[0] - scaled.evaluate(small_batch()).logits[0]),
            1e-9);
}

// The carried memory itself: f mem' (scaled) and mem + f (mem' − mem) (gated), by the formula.
TEST(NetsModel, CarriedMemoryFollowsTheFormula) {
  for (const bool gated : {false, true}) {
    nlohmann::json cfg = small_config("rmaat");
    if (gated) cfg["retention"]["carry"] = "gated";
    const SequenceClassifier<double> model(parse_model_config(cfg));
    const Tensor<double> mem = nn::testing::random_tensor<double>({2, 2, 8}, 31),
                         written = nn::testing::random_tensor<double>({2, 2, 8}, 32);
    const double f = model.config().retention.rf[1];
    const Tensor<double> next = model.carried_memory(mem, written, 1);
    for (Index i = 0; i < next.size(); ++i)
      EXPECT_NEAR(next[i], gated ? mem[i] + f * (written[i] - mem[i]) : f * written[i], 1e-15) << gated;
  }
}

// Initialisation std 1/√d by default (NETWORKS.md §3) and as given otherwise: the empirical std of every
// drawn tensor within 5 % (tensors of at least 2048 values).
TEST(NetsModel, InitStdIsOneOverSqrtDByDefault) {
  nlohmann::json cfg = {{"name", "rmaat"},     {"vocab_size", 64}, {"num_classes", 3}, {"max_length", 128},
                        {"d_model", 64},       {"heads", 2},       {"layers", 1},      {"segment_length", 32},
                        {"memory_tokens", 32}, {"seed", 2}};
  for (const double given : {0.0, 0.1}) {
    if (given > 0) cfg["init_std"] = given;
    const SequenceClassifier<double> model(parse_model_config(cfg));
    const double expected = given > 0 ? given : 1.0 / 8.0;
    EXPECT_DOUBLE_EQ(model.config().init_std, expected);
    Index checked = 0;
    for (std::size_t i = 0; i < model.parameters().size(); ++i) {
      const auto& p = model.parameters()[i];
      const bool drawn = decays_weight(p.name) || p.name == "positions" || p.name == "memory";
      if (!drawn || p.value.size() < 2048) continue;  // the head (3 x 64) is too small to estimate its std
      const Tensor<double>& v = p.value;
      const double mean = v.vector().mean();
      const double sd = std::sqrt((v.vector().array() - mean).square().sum() / static_cast<double>(v.size()));
      EXPECT_NEAR(sd, expected, 0.05 * expected) << p.name << " (" << v.size() << " values)";
      ++checked;
    }
    EXPECT_EQ(checked, 10);  // embedding, positions, memory, E, q/k/v/out, ffn in/out
  }
}

// AdamW decays weight matrices, embeddings and E, not norms' gains, biases, positions, memory tokens or ρ:
// with a zero gradient a step moves the former by the factor (1 − lr·wd) and leaves the latter unchanged.
TEST(NetsModel, WeightDecaySkipsNormsBiasesPositionsAndMemory) {
  SequenceClassifier<double> model(parse_model_config(small_config("rmaat_learned")));
  auto& params = model.parameters();
  perturb(model, 4);
  std::vector<Tensor<double>> before;
  for (std::size_t i = 0; i < params.size(); ++i) before.push_back(params[i].value);
  nn::AdamWParams hp;
  hp.lr = 0.1;
  hp.weight_decay = 0.5;
  nn::AdamW<double> adam(hp, params.values(), weight_decay_mask(params));
  params.zero_grads();
  adam.step(params.values(), params.const_grads());
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const std::string& n = params[i].name;
    const bool decayed = decays_weight(n);
    for (Index e = 0; e < params[i].value.size(); ++e)
      ASSERT_DOUBLE_EQ(params[i].value[e], before[i][e] * (decayed ? 1.0 - 0.1 * 0.5 : 1.0)) << n;
    if (!decayed) kept.push_back(n);
  }
  for (const char* n :
       {"positions", "memory", "final_norm.weight", "head.bias", "layers.0.norm1.weight",
        "layers.1.ffn.in.bias", "layers.0.attention.decay", "layers.0.attention.synaptic_scale"})
    EXPECT_NE(std::find(kept.begin(), kept.end(), n), kept.end()) << n;
  for (const char* n :
       {"embedding", "layers.0.attention.q.weight", "layers.0.attention.position", "head.weight"})
    EXPECT_TRUE(decays_weight(n)) << n;
}

TEST(NetsModel, InitialisationIsSeededAndDocumented) {
  SequenceClassifier<float> a(parse_model_config(small_config("rmaat"))),
      b(parse_model_config(small_config("rmaat")));
  nlohmann::json other = small_config("rmaat");
  other["seed"] = 6;
  SequenceClassifier<float> c(parse_model_config(other));
  EXPECT_EQ(a.parameters().at("embedding").value.values(), b.parameters().at("embedding").value.values());
  EXPECT_NE(a.parameters().at("embedding").value.values(), c.parameters().at("embedding").value.values());
  EXPECT_EQ(a.parameters().at("layers.1.norm2.weight").value[3], 1.0f);
  EXPECT_EQ(a.parameters().at("layers.0.attention.q.bias").value.size(), 8);
}

TEST(NetsModel, ConfigErrorsNameTheField) {
  const auto message = [](nlohmann::json c) -> std::string {
    try {
      parse_model_config(c);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  auto c = small_config("transformer");
  c["name"] = "gpt";
  EXPECT_NE(message(c).find("model.name = gpt"), std::string::npos) << message(c);
  c = small_config("transformer");
  c["segment_length"] = 4;
  EXPECT_NE(message(c).find("model.segment_length"), std::string::npos) << message(c);
  c = small_config("rmt");
  c["heads"] = 3;
  EXPECT_NE(message(c).find("model.heads = 3"), std::string::npos) << message(c);
  c = small_config("rmt");
  c["retention"] = {{"source", "none"}};
  EXPECT_NE(message(c).find("model.retention"), std::string::npos) << message(c);
  c = small_config("rmaat");
  c["retention"] = {{"source", "file"}, {"path", "/nonexistent/rf.h5"}};
  EXPECT_NE(message(c).find("model.retention.path"), std::string::npos) << message(c);
  c = small_config("at");
  c["attention"] = {{"alpha", -1}};
  EXPECT_NE(message(c).find("model.attention.alpha"), std::string::npos) << message(c);
  c = small_config("at");
  c["dropout"] = 1.0;
  EXPECT_NE(message(c).find("model.dropout"), std::string::npos) << message(c);
  c = small_config("rmaat");
  c["segment_positions"] = "absolute";
  EXPECT_NE(message(c).find("model.segment_positions = absolute"), std::string::npos) << message(c);
  c = small_config("rmaat");
  c["retention"]["normalization"] = "max";
  EXPECT_NE(message(c).find("model.retention.normalization = max"), std::string::npos) << message(c);
  c = small_config("at");
  c["segment_positions"] = "global";
  EXPECT_NE(message(c).find("model.segment_positions"), std::string::npos) << message(c);
  c = small_config("rlt");
  c["lyers"] = 2;
  EXPECT_NE(message(c).find("model.lyers"), std::string::npos) << message(c);
}

TEST(NetsModel, BatchErrorsNameTheCause) {
  SequenceClassifier<float> model(parse_model_config(small_config("rmt")));
  const auto message = [&](const nn::Batch& b) -> std::string {
    try {
      model.evaluate(b);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  nn::Batch long_batch = small_batch(12);
  EXPECT_NE(message(long_batch).find("longer than the model's max_length 10"), std::string::npos);
  nn::Batch bad_token = small_batch();
  bad_token.tokens[3] = 7;
  EXPECT_NE(message(bad_token).find("7"), std::string::npos) << message(bad_token);
  nn::Batch bad_label = small_batch();
  bad_label.labels[1] = 3;
  EXPECT_NE(message(bad_label).find("label"), std::string::npos) << message(bad_label);
  nn::Batch empty_row = small_batch();
  for (Index i = 0; i < 10; ++i) empty_row.mask[10 + i] = 0;
  EXPECT_NE(message(empty_row).find("batch.mask[1]"), std::string::npos) << message(empty_row);
}

}  // namespace glia::nets

namespace glia::nets {

// A checkpoint restores parameters and optimizer state exactly; one from another model is refused with
// the parameter named.
TEST(NetsCheckpoint, RoundTripAndOtherModelRefused) {
  const std::string path = ::testing::TempDir() + "/nets_checkpoint.h5";
  SequenceClassifier<float> a(parse_model_config(small_config("rmaat")));
  nn::AdamW<float> adam(nn::AdamWParams{}, a.parameters().values());
  TrainingPass pass;
  a.forward_backward(small_batch(), pass);
  adam.step(a.parameters().values(), a.parameters().const_grads(), 1e-2);
  nn::write_checkpoint(path, a.parameters(), adam, nn::CheckpointState{"{}", 4, 1, 2});

  nlohmann::json other_seed = small_config("rmaat");
  other_seed["seed"] = 99;
  SequenceClassifier<float> b(parse_model_config(other_seed));
  nn::AdamW<float> adam_b(nn::AdamWParams{}, b.parameters().values());
  const nn::CheckpointState s = nn::read_checkpoint(path, b.parameters(), &adam_b);
  EXPECT_EQ(s.step, 1);
  EXPECT_EQ(s.examples_seen, 2);
  EXPECT_EQ(s.seed, 4u);
  EXPECT_EQ(adam_b.steps(), 1);
  for (std::size_t i = 0; i < a.parameters().size(); ++i) {
    EXPECT_EQ(a.parameters()[i].value.values(), b.parameters()[i].value.values());
    EXPECT_EQ(adam.second_moments()[i].values(), adam_b.second_moments()[i].values());
  }

  SequenceClassifier<float> rmt(parse_model_config(small_config("rmt")));
  try {
    nn::read_checkpoint<float>(path, rmt.parameters(), nullptr);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("attention.position"), std::string::npos) << e.what();
  }
  nlohmann::json wider = small_config("rmaat");
  wider["d_model"] = 12;
  SequenceClassifier<float> w(parse_model_config(wider));
  EXPECT_THROW(nn::read_checkpoint<float>(path, w.parameters(), nullptr), ConfigError);
}

// srformer's λ and θ are projected back into their domain after a step; nothing else moves.
TEST(NetsModel, ProjectionKeepsTheRafParametersValid) {
  nlohmann::json cfg = small_config("transformer");
  cfg["name"] = "srformer";
  cfg["segment_length"] = 4;
  SequenceClassifier<double> model(parse_model_config(cfg));
  auto& params = model.parameters();
  params.at("layers.0.attention.leak").value[0] = -0.5;
  params.at("layers.1.attention.threshold").value[0] = -1.0;
  params.at("layers.1.attention.leak").value[0] = 0.25;
  const Tensor<double> before = params.at("layers.0.attention.recurrent").value;
  model.project_parameters();
  EXPECT_EQ(params.at("layers.0.attention.leak").value[0], 0.0);
  EXPECT_EQ(params.at("layers.1.attention.threshold").value[0], 1e-6);
  EXPECT_EQ(params.at("layers.1.attention.leak").value[0], 0.25);
  EXPECT_EQ(params.at("layers.0.attention.recurrent").value.values(), before.values());
  EXPECT_FALSE(decays_weight("layers.0.attention.leak"));
  EXPECT_TRUE(decays_weight("layers.0.attention.recurrent"));
}

}  // namespace glia::nets

namespace glia::nets {

// A checkpoint written before σ's synaptic scale was a setting was trained with c = 1/N: its stored config is
// read with that value, while a new config with σ on defaults to 1/√N.
TEST(NetsCheckpoint, OlderConfigsKeepTheScaleTheyWereTrainedWith) {
  nlohmann::json run = {{"model", small_config("at")}, {"data", {{"path", "unused"}}}, {"output", "unused"}};
  run["model"]["attention"] = {{"nonlinearity", true}};
  EXPECT_EQ(parse_checkpoint_config(run.dump(), "old").model.astro.scale, nn::SynapticScale::inverse_n);
  EXPECT_EQ(parse_train_config(run).model.astro.scale, nn::SynapticScale::inverse_sqrt_n);
  run["model"]["attention"]["synaptic_scale"] = "learned";
  EXPECT_EQ(parse_checkpoint_config(run.dump(), "new").model.astro.scale, nn::SynapticScale::learned);
}

}  // namespace glia::nets
