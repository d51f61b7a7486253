#include "models/nets/model_config.hpp"

#include <cmath>
#include <sstream>

#include "engine/core/memory.hpp"
#include "engine/io/json_reader.hpp"
#include "models/mapping/retention.hpp"

namespace glia::nets {

namespace {

struct Kind {
  const char* name;
  AttentionKind attention;
  bool segmented;
};
constexpr Kind kinds[] = {
    {"transformer", AttentionKind::softmax, false}, {"linear_transformer", AttentionKind::linear, false},
    {"at", AttentionKind::astromorphic, false},     {"rmt", AttentionKind::softmax, true},
    {"rlt", AttentionKind::linear, true},           {"rmaat", AttentionKind::astromorphic, true},
    {"srformer", AttentionKind::srformer, false},   {"fam", AttentionKind::fam, false}};

Index positive(io::JsonObjectReader& r, const std::string& key, Index fallback, bool required = false) {
  const Index v = required ? r.integer(key) : r.integer(key, fallback);
  if (v < 1) throw ConfigError(r.field(key), std::to_string(v), "must be a positive integer");
  return v;
}

void refuse(io::JsonObjectReader& r, const std::string& key, const std::string& model, const char* why) {
  if (r.has(key)) throw ConfigError(r.field(key), "", "not a setting of model '" + model + "' (" + why + ")");
}

RetentionSource parse_retention(const nlohmann::json& j, const std::string& field, Index T) {
  if (!j.is_object()) throw ConfigError(field, io::json_text(j), "must be an object with a \"source\"");
  io::JsonObjectReader r(j, field);
  RetentionSource rs;
  rs.source = r.string("source");
  if (rs.source == "none") {
    rs.rf.assign(static_cast<std::size_t>(T), 1.0);
  } else if (rs.source == "exponential") {
    rs.c = io::check_non_negative(r.field("c"), r.number("c"), "");
    rs.rf = mapping::retention_exponential(rs.c, T);
  } else if (rs.source == "file") {
    rs.path = r.string("path");
    rs.table = r.string("table", "simulated");
    if (rs.table != "simulated" && rs.table != "fitted")
      throw ConfigError(r.field("table"), rs.table, "expected \"simulated\" or \"fitted\"");
    rs.rf = mapping::read_retention(rs.path, T, rs.table, r.field("path")).rf;
  } else {
    throw ConfigError(r.field("source"), rs.source, "expected \"none\", \"file\" or \"exponential\"");
  }
  if (rs.source != "none") {
    // "sum": RF(t, T) as derived, Σ_t RF = 1 (NETWORKS.md §3). "mean" (default): T · RF(t, T), the same
    // profile with mean 1, so the carried memory is not also shrunk by ~1/T per segment (∏_t RF ~ T^{1−T}
    // otherwise: measured, no model learns).
    rs.normalization = r.string("normalization", "mean");
    if (rs.normalization != "sum" && rs.normalization != "mean")
      throw ConfigError(r.field("normalization"), rs.normalization, "expected \"sum\" or \"mean\"");
    if (rs.normalization == "mean")
      for (double& f : rs.rf) f *= static_cast<double>(T);
    // "scaled": mem_{t+1} = f_t mem'_{t+1}; "gated": mem_{t+1} = mem_t + f_t (mem'_{t+1} − mem_t), the memory
    // moves toward what the segment wrote by the retention factor.
    const std::string carry = r.string("carry", "scaled");
    if (carry != "scaled" && carry != "gated")
      throw ConfigError(r.field("carry"), carry, "expected \"scaled\" or \"gated\"");
    rs.gated = carry == "gated";
  }
  r.finish();
  return rs;
}

}  // namespace

ModelConfig parse_model_config(const nlohmann::json& config, const std::string& field) {
  if (!config.is_object()) throw ConfigError(field, io::json_text(config), "must be a JSON object");
  io::JsonObjectReader r(config, field);
  ModelConfig c;
  c.name = r.string("name");
  const Kind* kind = nullptr;
  for (const Kind& k : kinds)
    if (c.name == k.name) kind = &k;
  if (!kind)
    throw ConfigError(
        r.field("name"), c.name,
        "unknown model (expected transformer, linear_transformer, at, rmt, rlt, rmaat, srformer or fam)");
  c.attention = kind->attention;
  c.segmented = kind->segmented;

  c.vocab_size = positive(r, "vocab_size", 0, true);
  c.num_classes = positive(r, "num_classes", 0, true);
  if (c.num_classes < 2)
    throw ConfigError(r.field("num_classes"), std::to_string(c.num_classes), "must be >= 2");
  c.max_length = positive(r, "max_length", 0, true);
  c.d_model = positive(r, "d_model", 64);
  c.heads = positive(r, "heads", 4);
  if (c.d_model % c.heads != 0)
    throw ConfigError(r.field("heads"), std::to_string(c.heads),
                      "must divide d_model = " + std::to_string(c.d_model));
  c.layers = positive(r, "layers", 2);
  if (c.layers > 127) throw ConfigError(r.field("layers"), std::to_string(c.layers), "at most 127 layers");
  c.ffn = positive(r, "ffn", 4 * c.d_model);
  c.dropout = io::check_non_negative(r.field("dropout"), r.number("dropout", 0.1), "");
  if (c.dropout >= 1.0)
    throw ConfigError(r.field("dropout"), io::number_text(c.dropout), "must be in [0, 1)");
  const std::string norm = r.string("norm", "pre");
  if (norm != "pre" && norm != "post")
    throw ConfigError(r.field("norm"), norm, "expected \"pre\" or \"post\"");
  c.pre_norm = norm == "pre";
  const std::string positions = r.string("positions", "learned");
  if (positions != "learned" && positions != "sinusoidal")
    throw ConfigError(r.field("positions"), positions, "expected \"learned\" or \"sinusoidal\"");
  c.learned_positions = positions == "learned";
  // 1/√d by default (NETWORKS.md §3): 0.02, the value for d ≈ 768, leaves attention flat at d = 64.
  if (r.has("init_std") && r.member("init_std").is_string()) {
    const std::string rule = r.string("init_std");
    if (rule != "1/sqrt(d)")
      throw ConfigError(r.field("init_std"), rule, "expected a number or \"1/sqrt(d)\"");
    c.init_std = 1.0 / std::sqrt(static_cast<double>(c.d_model));
  } else {
    c.init_std = io::check_positive(
        r.field("init_std"), r.number("init_std", 1.0 / std::sqrt(static_cast<double>(c.d_model))), "");
  }
  c.seed = r.unsigned_integer("seed", 0);

  if (c.segmented) {
    c.segment_length = positive(r, "segment_length", 0, true);
    c.memory_tokens = positive(r, "memory_tokens", 8);
    const std::string readout = r.string("readout", "memory");
    if (readout != "memory" && readout != "tokens")
      throw ConfigError(r.field("readout"), readout, "expected \"memory\" or \"tokens\"");
    c.readout_memory = readout == "memory";
    const std::string segment_positions = r.string("segment_positions", "local");
    if (segment_positions != "local" && segment_positions != "global")
      throw ConfigError(r.field("segment_positions"), segment_positions, "expected \"local\" or \"global\"");
    c.global_positions = segment_positions == "global";
    if (c.segments() > 255)
      throw ConfigError(r.field("segment_length"), std::to_string(c.segment_length),
                        "gives " + std::to_string(c.segments()) + " segments; at most 255 are supported");
  } else if (c.attention == AttentionKind::srformer) {
    // Segments of the attention operator only (NETWORKS.md §6): no memory tokens, no segment recurrence.
    c.segment_length = positive(r, "segment_length", 0, true);
    if (c.segment_length > c.max_length)
      throw ConfigError(r.field("segment_length"), std::to_string(c.segment_length),
                        "must be <= max_length = " + std::to_string(c.max_length));
    for (const char* key : {"memory_tokens", "readout", "segment_positions"})
      refuse(r, key, c.name, "it has no memory tokens");
    const nlohmann::json raf = r.has("raf") ? r.member("raf") : nlohmann::json::object();
    if (!raf.is_object()) throw ConfigError(r.field("raf"), io::json_text(raf), "must be a JSON object");
    io::JsonObjectReader f(raf, r.field("raf"));
    c.raf_lambda_init = io::check_non_negative(f.field("lambda_init"), f.number("lambda_init", 0.1), "");
    c.raf_theta_init = io::check_positive(f.field("theta_init"), f.number("theta_init", 0.1), "");
    f.finish();
  } else if (c.fam()) {
    // Blocks of the sequence with F FAM rows per layer carried between them (NETWORKS.md §7).
    c.segment_length = positive(r, "segment_length", 0, true);
    if (c.segment_length > c.max_length)
      throw ConfigError(r.field("segment_length"), std::to_string(c.segment_length),
                        "the block length must be <= max_length = " + std::to_string(c.max_length));
    c.memory_tokens = r.integer("memory_tokens", 8);
    if (c.memory_tokens < 0)
      throw ConfigError(r.field("memory_tokens"), std::to_string(c.memory_tokens), "must be >= 0");
    c.mem_segment = r.integer("mem_segment", 1);
    if (c.mem_segment < 0)
      throw ConfigError(r.field("mem_segment"), std::to_string(c.mem_segment), "must be >= 0");
    const std::string readout = r.string("readout", "tokens");
    if (readout != "memory" && readout != "tokens")
      throw ConfigError(r.field("readout"), readout, "expected \"tokens\" or \"memory\"");
    c.readout_memory = readout == "memory";
    if (c.readout_memory && c.memory_tokens == 0)
      throw ConfigError(r.field("readout"), readout, "needs memory_tokens >= 1 (there is no FAM to read)");
    refuse(r, "segment_positions", c.name, "positions are those of the whole sequence");
    if (c.blocks() > 255)  // the dropout keys hold the block in 8 bits (docs/model_config.md, "Dropout keys")
      throw ConfigError(r.field("segment_length"), std::to_string(c.segment_length),
                        "gives " + std::to_string(c.blocks()) + " blocks; at most 255 are supported");
  } else {
    for (const char* key : {"segment_length", "memory_tokens", "readout", "segment_positions", "mem_segment"})
      refuse(r, key, c.name, "it has no segments");
  }
  if (!c.fam()) refuse(r, "mem_segment", c.name, "only fam caches earlier blocks");
  if (c.attention != AttentionKind::srformer) refuse(r, "raf", c.name, "only srformer has RAF neurons");

  const nlohmann::json attention = r.has("attention") ? r.member("attention") : nlohmann::json::object();
  if (!attention.is_object())
    throw ConfigError(r.field("attention"), io::json_text(attention), "must be a JSON object");
  io::JsonObjectReader a(attention, r.field("attention"));
  if (c.attention == AttentionKind::astromorphic) {
    c.astro.alpha = io::check_positive(a.field("alpha"), a.number("alpha", 0.25), "");
    c.astro.astrocyte_term = a.boolean("astrocyte_term", true);
    // σ is off by default (NETWORKS.md §2: RMAAT's read-out has none); with σ on, c = 1/N leaves the output
    // nearly constant, so the default scale is 1/√N.
    c.astro.nonlinearity = a.boolean("nonlinearity", false);
    if (c.astro.nonlinearity) {
      const std::string scale = a.string("synaptic_scale", "1/sqrt(N)");
      if (scale == "1/N")
        c.astro.scale = nn::SynapticScale::inverse_n;
      else if (scale == "1/sqrt(N)")
        c.astro.scale = nn::SynapticScale::inverse_sqrt_n;
      else if (scale == "learned")
        c.astro.scale = nn::SynapticScale::learned;
      else
        throw ConfigError(a.field("synaptic_scale"), scale, "expected \"1/N\", \"1/sqrt(N)\" or \"learned\"");
    } else if (a.has("synaptic_scale")) {
      throw ConfigError(a.field("synaptic_scale"), io::json_text(a.member("synaptic_scale")),
                        "applies only with \"nonlinearity\": true (without σ, c = 1)");
    }
    c.astro.epsilon = io::check_positive(a.field("epsilon"), a.number("epsilon", 1e-6), "");
    c.decay_init = io::check_positive(a.field("decay_init"), a.number("decay_init", 0.1), "");
  } else if (c.attention == AttentionKind::linear) {
    c.linear_epsilon = io::check_positive(a.field("epsilon"), a.number("epsilon", 1e-6), "");
  }
  a.finish();  // softmax has no options: any key is unknown

  if (r.has("two_tower")) {
    const nlohmann::json& tt = r.member("two_tower");
    if (!tt.is_object())
      throw ConfigError(r.field("two_tower"), io::json_text(tt),
                        "must be a JSON object ({} for the defaults)");
    io::JsonObjectReader t(tt, r.field("two_tower"));
    c.two_tower = true;
    c.pair_hidden = positive(t, "hidden", c.d_model);
    t.finish();
  }
  if (c.name == "rmaat") {
    const nlohmann::json none = {{"source", "none"}};
    c.retention = parse_retention(r.has("retention") ? r.member("retention") : none, r.field("retention"),
                                  c.segments());
  } else {
    refuse(r, "retention", c.name, "only rmaat scales its memory by retention factors");
    c.retention.rf.assign(static_cast<std::size_t>(c.segments()), 1.0);
  }
  r.finish();
  check_model_memory(c, 1, field, "");

  c.resolved = {{"name", c.name},
                {"vocab_size", c.vocab_size},
                {"num_classes", c.num_classes},
                {"max_length", c.max_length},
                {"d_model", c.d_model},
                {"heads", c.heads},
                {"layers", c.layers},
                {"ffn", c.ffn},
                {"dropout", c.dropout},
                {"norm", norm},
                {"positions", positions},
                {"init_std", c.init_std},
                {"seed", c.seed}};
  if (c.attention == AttentionKind::astromorphic) {
    c.resolved["attention"] = {{"alpha", c.astro.alpha},
                               {"astrocyte_term", c.astro.astrocyte_term},
                               {"nonlinearity", c.astro.nonlinearity},
                               {"epsilon", c.astro.epsilon},
                               {"decay_init", c.decay_init}};
    if (c.astro.nonlinearity)
      c.resolved["attention"]["synaptic_scale"] = c.astro.scale == nn::SynapticScale::inverse_n ? "1/N"
                                                  : c.astro.scale == nn::SynapticScale::inverse_sqrt_n
                                                      ? "1/sqrt(N)"
                                                      : "learned";
  } else if (c.attention == AttentionKind::linear)
    c.resolved["attention"] = {{"epsilon", c.linear_epsilon}};
  if (c.attention == AttentionKind::srformer) {
    c.resolved["segment_length"] = c.segment_length;
    c.resolved["raf"] = {{"lambda_init", c.raf_lambda_init}, {"theta_init", c.raf_theta_init}};
  }
  if (c.fam()) {
    c.resolved["segment_length"] = c.segment_length;
    c.resolved["memory_tokens"] = c.memory_tokens;
    c.resolved["mem_segment"] = c.mem_segment;
    c.resolved["readout"] = c.readout_memory ? "memory" : "tokens";
  }
  if (c.segmented) {
    c.resolved["segment_length"] = c.segment_length;
    c.resolved["memory_tokens"] = c.memory_tokens;
    c.resolved["readout"] = c.readout_memory ? "memory" : "tokens";
    c.resolved["segment_positions"] = c.global_positions ? "global" : "local";
  }
  if (c.two_tower) c.resolved["two_tower"] = {{"hidden", c.pair_hidden}};
  if (c.name == "rmaat") {
    nlohmann::json rs = {{"source", c.retention.source}};
    if (c.retention.source == "file") {
      rs["path"] = c.retention.path;
      rs["table"] = c.retention.table;
    }
    if (c.retention.source == "exponential") rs["c"] = c.retention.c;
    if (c.retention.source != "none") {
      rs["normalization"] = c.retention.normalization;
      rs["carry"] = c.retention.gated ? "gated" : "scaled";
    }
    c.resolved["retention"] = rs;
  }
  return c;
}

void check_model_memory(const ModelConfig& c, Index batch, const std::string& model_field,
                        const std::string& batch_field) {
  // Parameters: embedding, positions, the layers (attention 4 d², feed-forward 2 d ffn, norms), the head;
  // in training each has a gradient and two AdamW moments besides its value (float32).
  const double d = static_cast<double>(c.d_model), ffn = static_cast<double>(c.ffn),
               L = static_cast<double>(c.layers);
  const double M = c.segmented ? static_cast<double>(c.memory_tokens) : 0.0;
  const double rows =
      c.segmented ? static_cast<double>(c.segment_length) + M : static_cast<double>(c.max_length);
  double params = static_cast<double>(c.vocab_size) * d + (static_cast<double>(c.max_length) + M) * d +
                  L * (4.0 * d * d + 2.0 * d * ffn + 10.0 * d + ffn) +
                  d * static_cast<double>(c.num_classes) +
                  (c.two_tower ? 5.0 * d * static_cast<double>(c.pair_hidden) : 0.0);
  if (c.attention == AttentionKind::astromorphic) params += L * rows * d;  // the position code E
  if (c.attention == AttentionKind::srformer) params += L * d * d / static_cast<double>(c.heads);  // W_R
  if (c.fam()) params += L * static_cast<double>(c.memory_tokens) * d;  // the initial FAM
  const double param_bytes = 16.0 * params;
  // Activations kept for the backward pass, per example: ~10 d + 2 ffn floats per row and layer, plus the
  // attention matrix of softmax attention (heads x rows² per segment and layer).
  const double segments = static_cast<double>(c.segments());
  double per_example = L * segments * rows * (10.0 * d + 2.0 * ffn);
  if (c.attention == AttentionKind::softmax)
    per_example += L * segments * static_cast<double>(c.heads) * rows * rows;
  if (c.attention == AttentionKind::srformer)  // segment-local weights, and X, Ũ, P per segment and head
    per_example +=
        L * static_cast<double>(c.heads) *
        (rows * static_cast<double>(c.segment_length) +
         3.0 * static_cast<double>(c.max_length / c.segment_length + 1) * (d / c.heads) * (d / c.heads));
  if (c.fam()) {  // the FAM rows of every block and layer, and the attention weights of each block
    const double F = static_cast<double>(c.memory_tokens), Bl = static_cast<double>(c.segment_length),
                 blocks = static_cast<double>(c.blocks());
    const double C = Bl * static_cast<double>(c.mem_segment);
    per_example += L * blocks * F * (10.0 * d + 2.0 * ffn) +
                   L * blocks * static_cast<double>(c.heads) * (Bl * (F + C + Bl) + F * (F + Bl));
  }
  if (c.two_tower) per_example *= 2.0;  // both sequences of a pair
  const double act_bytes = 4.0 * static_cast<double>(batch) * per_example;
  const double limit = memory_limit_bytes();
  if (param_bytes + act_bytes <= limit) return;
  std::ostringstream s;
  s << "the model would need about " << gib_text(param_bytes + act_bytes) << " (parameters "
    << gib_text(param_bytes) << ", activations of a batch " << gib_text(act_bytes) << "), more than the "
    << gib_text(limit) << " this process may use";
  // Name the field that asks for the most: the batch when one example fits, the sequence length when it does
  // not; among the parameters the embedding (vocab_size), the positions (max_length) or the layers (d_model).
  const std::string prefix = model_field.empty() ? "" : model_field + ".";
  if (act_bytes > param_bytes) {
    if (!batch_field.empty() && 4.0 * per_example <= limit)
      throw ConfigError(batch_field, std::to_string(batch), s.str());
    throw ConfigError(prefix + "max_length", std::to_string(c.max_length), s.str());
  }
  const double embedding = static_cast<double>(c.vocab_size) * d,
               positions = static_cast<double>(c.max_length) * d;
  const double layers = L * (4.0 * d * d + 2.0 * d * ffn);
  if (embedding >= positions && embedding >= layers)
    throw ConfigError(prefix + "vocab_size", std::to_string(c.vocab_size), s.str());
  if (positions >= layers) throw ConfigError(prefix + "max_length", std::to_string(c.max_length), s.str());
  throw ConfigError(prefix + "d_model", std::to_string(c.d_model), s.str());
}

}  // namespace glia::nets
