#include "models/nets/training.hpp"

#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <unistd.h>
#include "data/dataset.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "engine/nn/allocation.hpp"
#include "engine/nn/checkpoint.hpp"
#include "models/nets/data_order.hpp"

namespace glia::nets {

namespace fs = std::filesystem;
using nn::Tensor;

namespace {

std::int64_t positive(io::JsonObjectReader& r, const std::string& key, std::int64_t fallback) {
  const std::int64_t v = r.integer(key, fallback);
  if (v < 1) throw ConfigError(r.field(key), std::to_string(v), "must be a positive integer");
  return v;
}

std::int64_t non_negative(io::JsonObjectReader& r, const std::string& key, std::int64_t fallback) {
  const std::int64_t v = r.integer(key, fallback);
  if (v < 0) throw ConfigError(r.field(key), std::to_string(v), "must be >= 0");
  return v;
}

const nlohmann::json& object_member(io::JsonObjectReader& r, const std::string& key) {
  static const nlohmann::json empty = nlohmann::json::object();
  if (!r.has(key)) return empty;
  const nlohmann::json& j = r.member(key);
  if (!j.is_object()) throw ConfigError(r.field(key), io::json_text(j), "must be a JSON object");
  return j;
}

double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string duration_text(double s) {
  char buf[32];
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  else
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s / 3600), static_cast<int>(s / 60) % 60);
  return buf;
}

// Keeps the header and the rows whose first column (the step) is at most `step`: a resumed run rewrites
// what came after its checkpoint, and a run without a checkpoint starts its logs afresh (step 0), whatever an
// earlier attempt that died before its first checkpoint left there. Lines that are not rows are dropped.
void truncate_log(const std::string& path, std::int64_t step) {
  std::ifstream in(path);
  if (!in) return;
  std::ostringstream kept;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    std::int64_t row_step = 0;
    const auto end = line.find(',');
    const auto r =
        std::from_chars(line.data(), line.data() + (end == std::string::npos ? line.size() : end), row_step);
    if (header || (r.ec == std::errc() && row_step <= step)) kept << line << '\n';
    header = false;
  }
  in.close();
  std::ofstream(path, std::ios::trunc) << kept.str();
}

std::ofstream open_log(const std::string& path, const char* header) {
  const bool fresh = !fs::exists(path) || fs::file_size(path) == 0;
  std::ofstream out(path, std::ios::app);
  if (!out) throw ConfigError("output", path, "cannot write the log file");
  if (fresh) out << header << '\n';
  return out;
}

// Writes text to path atomically (temporary file, then rename).
}  // namespace

nn::Batch read_batch(const data::Dataset& data, const std::vector<std::int64_t>& indices) {
  const auto B = static_cast<Index>(indices.size());
  const Index L = data.info().max_length;
  nn::Batch b{Tensor<std::int32_t>({B, L}), Tensor<std::uint8_t>({B, L}), Tensor<std::int32_t>({B})};
  for (Index r = 0; r < B; ++r)
    data.read(indices[static_cast<std::size_t>(r)], b.tokens.data() + r * L, b.mask.data() + r * L, L,
              b.labels.data() + r);
  return b;
}

void check_data_fits_model(const data::Dataset& d, const ModelConfig& m, const std::string& field) {
  const data::DatasetInfo& i = d.info();
  if (i.vocab_size > m.vocab_size)
    throw ConfigError(field, i.manifest_path,
                      "the data set's vocab_size " + std::to_string(i.vocab_size) +
                          " exceeds model.vocab_size " + std::to_string(m.vocab_size));
  if (i.num_classes != m.num_classes)
    throw ConfigError(field, i.manifest_path,
                      "the data set has " + std::to_string(i.num_classes) +
                          " classes, model.num_classes is " + std::to_string(m.num_classes));
  if (i.pair != m.two_tower)
    throw ConfigError(field, i.manifest_path,
                      i.pair ? "the data set holds pairs of sequences: the model needs a \"two_tower\" head"
                             : "the model has a \"two_tower\" head but the data set does not hold pairs");
  const std::int64_t side = i.pair ? i.max_length / 2 : i.max_length;  // a pair row is [a ; b]
  if (side > m.max_length)
    throw ConfigError(field, i.manifest_path,
                      "the data set's sequences are up to " + std::to_string(side) +
                          " tokens, longer than model.max_length " + std::to_string(m.max_length));
}

TrainConfig parse_train_config(const nlohmann::json& config) {
  if (!config.is_object()) throw ConfigError("config", io::json_text(config), "must be a JSON object");
  io::JsonObjectReader r(config, "");
  TrainConfig c;
  c.model = parse_model_config(r.member("model"), "model");

  io::JsonObjectReader d(object_member(r, "data"), "data");
  if (!r.has("data")) throw ConfigError("data", "", "missing: the data set to train on");
  c.data_path = d.string("path");
  c.train_split = d.string("train", "train");
  c.eval_split = d.string("eval", "val");
  c.test_split = d.string("test", "test");
  c.eval_examples = non_negative(d, "eval_examples", 0);
  d.finish();

  io::JsonObjectReader t(object_member(r, "training"), "training");
  c.steps = positive(t, "steps", 1000);
  c.batch_size = positive(t, "batch_size", 16);
  c.accumulate = positive(t, "accumulate", 1);
  const std::string default_strategy = c.model.name == "rmaat" ? "amrb" : "bptt";
  if (c.model.segmented) {
    c.strategy = strategy_from_name(t.field("strategy"), t.string("strategy", default_strategy));
    c.truncate = non_negative(t, "truncate", 0);
  } else if (c.model.fam()) {  // the FAM rows are the carried state; every block is backpropagated
    c.strategy = strategy_from_name(t.field("strategy"), t.string("strategy", default_strategy));
    if (t.has("truncate"))
      throw ConfigError(t.field("truncate"), "", "fam backpropagates through every block (no truncation)");
  } else {
    for (const char* key : {"strategy", "truncate"})
      if (t.has(key))
        throw ConfigError(t.field(key), "",
                          "only segment models (rmt, rlt, rmaat) and fam have a training strategy");
  }
  c.label_smoothing =
      io::check_in_range(t.field("label_smoothing"), t.number("label_smoothing", 0.0), 0, false, 1, "");
  c.clip = io::check_non_negative(t.field("clip"), t.number("clip", 1.0), "");
  c.seed = t.unsigned_integer("seed", 0);
  io::JsonObjectReader o(object_member(t, "optimizer"), t.field("optimizer"));
  c.optimizer.lr = io::check_positive(o.field("lr"), o.number("lr", 1e-3), "");
  c.optimizer.beta1 = o.number("beta1", 0.9);
  c.optimizer.beta2 = o.number("beta2", 0.999);
  c.optimizer.eps = o.number("eps", 1e-8);
  c.optimizer.weight_decay = o.number("weight_decay", 0.01);
  o.finish();
  io::JsonObjectReader s(object_member(t, "schedule"), t.field("schedule"));
  const std::string schedule_name = s.string("kind", "cosine");
  c.schedule.kind = nn::schedule_kind(s.field("kind"), schedule_name);
  c.schedule.base_lr = c.optimizer.lr;
  c.schedule.warmup = non_negative(s, "warmup", 0);
  c.schedule.min_lr = io::check_non_negative(s.field("min_lr"), s.number("min_lr", 0.0), "");
  c.schedule.total = c.steps;
  s.finish();
  nn::check_schedule(c.schedule);
  c.eval_every = non_negative(t, "eval_every", 0);
  c.checkpoint_every = non_negative(t, "checkpoint_every", 100);
  c.log_every = positive(t, "log_every", 10);
  t.finish();
  c.output = r.string("output", "");
  r.finish();
  // AdamW validates its own fields; do it now so a bad config fails before any work.
  nn::ParameterSet<float> probe;
  nn::AdamW<float>(c.optimizer, probe.values());

  c.resolved = {
      {"model", c.model.resolved},
      {"data",
       {{"path", c.data_path},
        {"train", c.train_split},
        {"eval", c.eval_split},
        {"test", c.test_split},
        {"eval_examples", c.eval_examples}}},
      {"training",
       {{"steps", c.steps},
        {"batch_size", c.batch_size},
        {"accumulate", c.accumulate},
        {"label_smoothing", c.label_smoothing},
        {"clip", c.clip},
        {"seed", c.seed},
        {"optimizer",
         {{"lr", c.optimizer.lr},
          {"beta1", c.optimizer.beta1},
          {"beta2", c.optimizer.beta2},
          {"eps", c.optimizer.eps},
          {"weight_decay", c.optimizer.weight_decay}}},
        {"schedule", {{"kind", schedule_name}, {"warmup", c.schedule.warmup}, {"min_lr", c.schedule.min_lr}}},
        {"eval_every", c.eval_every},
        {"checkpoint_every", c.checkpoint_every},
        {"log_every", c.log_every}}},
      {"output", c.output}};
  if (c.model.fam()) c.resolved["training"]["strategy"] = strategy_name(c.strategy);
  if (c.model.segmented) {
    c.resolved["training"]["strategy"] = strategy_name(c.strategy);
    c.resolved["training"]["truncate"] = c.truncate;
  }
  return c;
}

TrainConfig parse_train_config_text(const std::string& text, const std::string& what) {
  return parse_train_config(io::parse_json(text, what));
}

EvalResult evaluate_split(const SequenceClassifier<float>& model, const data::Dataset& data,
                          std::int64_t batch_size, std::int64_t max_examples) {
  const std::int64_t n = max_examples > 0 ? std::min(max_examples, data.size()) : data.size();
  EvalResult e;
  e.split = data.info().split;
  double loss = 0;
  std::int64_t correct = 0;
  for (std::int64_t first = 0; first < n; first += batch_size) {
    std::vector<std::int64_t> indices;
    for (std::int64_t i = first; i < std::min(n, first + batch_size); ++i) indices.push_back(i);
    const auto r = model.evaluate(read_batch(data, indices));
    loss += r.stats.loss * static_cast<double>(indices.size());
    correct += r.stats.correct;
  }
  e.examples = n;
  e.loss = n ? loss / static_cast<double>(n) : 0;
  e.accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0;
  return e;
}

TrainResult train(const TrainConfig& c, const TrainOptions& options) {
  if (c.output.empty())
    throw ConfigError("output", "", "no run directory: give \"output\" in the config or --output");
  const data::Dataset train_data = data::Dataset::open(c.data_path, c.train_split);
  check_data_fits_model(train_data, c.model, "data.path");
  std::optional<data::Dataset> eval_data;
  if (!c.eval_split.empty()) eval_data = data::Dataset::open(c.data_path, c.eval_split);

  // Training needs the batch's activations: refuse a batch that cannot fit before anything is created
  // (loading or evaluating a checkpoint does not, so the parser does not check this).
  check_model_memory(c.model, c.batch_size, "model", "training.batch_size");
  fs::create_directories(c.output);
  nn::keep_freed_memory_for_reuse();
  TrainResult result;
  result.checkpoint = (fs::path(c.output) / "checkpoint.h5").string();
  result.metrics = (fs::path(c.output) / "metrics.csv").string();
  const std::string eval_log = (fs::path(c.output) / "eval.csv").string();
  result.result = (fs::path(c.output) / "result.json").string();

  SequenceClassifier<float> model(c.model);
  nn::ParameterSet<float>& params = model.parameters();
  nn::AdamW<float> optimizer(c.optimizer, params.values(), weight_decay_mask(params));
  std::int64_t step = 0, seen = 0;
  double earlier_seconds = 0.0;  // training time of the sittings before this one (from the checkpoint)
  const std::string config_text = c.resolved.dump();
  if (fs::exists(result.checkpoint)) {
    const nn::CheckpointState s = nn::read_checkpoint_state(result.checkpoint, "output");
    // Everything but the number of steps must match: a run may be extended.
    nlohmann::json saved = io::parse_json(s.config_json, "checkpoint config"), now = c.resolved;
    saved["training"].erase("steps");
    now["training"].erase("steps");
    if (saved["model"]["name"] != now["model"]["name"])
      throw ConfigError("output", c.output,
                        "holds a checkpoint of a different run (model " + saved["model"]["name"].dump() +
                            ", the config asks for " + now["model"]["name"].dump() +
                            "); use another output directory");
    if (saved != now) {
      const nlohmann::json diff = nlohmann::json::diff(saved, now);
      throw ConfigError("output", c.output,
                        "holds a checkpoint of a different run (first difference at " +
                            diff.front().value("path", std::string("?")) +
                            "); use another output directory or the same config");
    }
    nn::read_checkpoint(result.checkpoint, params, &optimizer, "output");
    step = s.step;
    seen = s.examples_seen;
    earlier_seconds = s.train_seconds;
    result.resumed_from = step;
  }
  truncate_log(result.metrics, step);
  truncate_log(eval_log, step);
  std::ofstream metrics =
      open_log(result.metrics, "step,lr,loss,accuracy,grad_norm,tokens_per_s,elapsed_s,peak_rss_mib");
  std::ofstream evals = open_log(eval_log, "step,split,loss,accuracy,examples");

  const auto t0 = std::chrono::steady_clock::now();  // before `save`, which adds the time since
  DataOrder order(train_data.size(), c.seed);
  TrainingPass pass;
  pass.dropout_seed = c.seed;
  pass.d_loss = 1.0 / static_cast<double>(c.accumulate);
  pass.label_smoothing = c.label_smoothing;
  pass.strategy = c.strategy;
  pass.truncate = c.truncate;

  const auto save = [&] {
    const double seconds =
        earlier_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nn::write_checkpoint(result.checkpoint, params, optimizer,
                         nn::CheckpointState{config_text, c.seed, step, seen, seconds});
    metrics.flush();
    evals.flush();
  };
  const std::int64_t first_step = step;
  double window_loss = 0, window_correct = 0, window_examples = 0, window_tokens = 0;
  auto window_start = t0;
  while (step < c.steps) {
    const auto step_start = std::chrono::steady_clock::now();
    params.zero_grads();
    double loss = 0;
    std::int64_t correct = 0, tokens = 0;
    for (std::int64_t micro = 0; micro < c.accumulate; ++micro) {
      std::vector<std::int64_t> indices;
      for (std::int64_t i = 0; i < c.batch_size; ++i) indices.push_back(order.index(seen + i));
      const nn::Batch batch = read_batch(train_data, indices);
      for (Index i = 0; i < batch.mask.size(); ++i) tokens += batch.mask[i];
      pass.micro_step = step * c.accumulate + micro;
      const PassStats s = model.forward_backward(batch, pass);
      if (!std::isfinite(s.loss))
        throw RuntimeError(
            "loss is " + std::to_string(s.loss) + " at step " + std::to_string(step + 1) + " (micro-batch " +
            std::to_string(micro) + ", lr " + std::to_string(nn::learning_rate(c.schedule, step + 1)) +
            "); the last checkpoint is kept. Lower training.optimizer.lr or raise training.clip");
      loss += s.loss / static_cast<double>(c.accumulate);
      correct += s.correct;
      seen += c.batch_size;
    }
    const double norm =
        c.clip > 0 ? nn::clip_grad_norm(params.grads(), c.clip) : nn::clip_grad_norm(params.grads(), 1e300);
    if (!std::isfinite(norm))
      throw RuntimeError("gradient norm is " + std::to_string(norm) + " at step " + std::to_string(step + 1) +
                         "; the last checkpoint is kept");
    ++step;
    const double lr = nn::learning_rate(c.schedule, step);
    optimizer.step(params.values(), params.const_grads(), lr);
    model.project_parameters();

    const auto now = std::chrono::steady_clock::now();
    window_loss += loss;
    window_correct += static_cast<double>(correct);
    window_examples += static_cast<double>(c.batch_size * c.accumulate);
    window_tokens += static_cast<double>(tokens);
    const double elapsed = std::chrono::duration<double>(now - t0).count();
    const double tokens_per_s =
        static_cast<double>(tokens) / std::max(1e-9, std::chrono::duration<double>(now - step_start).count());
    metrics << step << ',' << lr << ',' << loss << ','
            << static_cast<double>(correct) / static_cast<double>(c.batch_size * c.accumulate) << ',' << norm
            << ',' << tokens_per_s << ',' << elapsed << ',' << peak_rss_mib() << '\n';
    if (options.progress && (step % c.log_every == 0 || step == c.steps)) {
      const double window_s = std::chrono::duration<double>(now - window_start).count();
      const double rate = static_cast<double>(step - first_step) / std::max(elapsed, 1e-9);
      std::fprintf(
          stderr, "step %lld/%lld  loss %.4f  acc %.3f  lr %.2e  %.0f tok/s  ETA %s\n",
          static_cast<long long>(step), static_cast<long long>(c.steps),
          window_loss / std::max(1.0, window_examples / static_cast<double>(c.batch_size * c.accumulate)),
          window_correct / std::max(1.0, window_examples), lr, window_tokens / std::max(window_s, 1e-9),
          duration_text(static_cast<double>(c.steps - step) / std::max(rate, 1e-12)).c_str());
      window_loss = window_correct = window_examples = window_tokens = 0;
      window_start = now;
    }
    if (c.eval_every > 0 && step % c.eval_every == 0 && eval_data) {
      const EvalResult e = evaluate_split(model, *eval_data, c.batch_size, c.eval_examples);
      evals << step << ',' << e.split << ',' << e.loss << ',' << e.accuracy << ',' << e.examples << '\n';
      if (options.progress)
        std::fprintf(stderr, "step %lld  %s loss %.4f  accuracy %.4f (%lld examples)\n",
                     static_cast<long long>(step), e.split.c_str(), e.loss, e.accuracy,
                     static_cast<long long>(e.examples));
    }
    if (c.checkpoint_every > 0 && step % c.checkpoint_every == 0) save();
    if ((options.stop && options.stop->load()) ||
        (options.until_step > 0 && step >= options.until_step && step < c.steps)) {
      save();
      result.interrupted = true;
      break;
    }
  }
  if (!result.interrupted) save();
  result.step = step;
  result.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (result.interrupted) return result;

  // Final evaluation on the eval and test splits, and the result file.
  nlohmann::json evaluations = nlohmann::json::array();
  for (const std::string& split : {c.eval_split, c.test_split}) {
    if (split.empty()) continue;
    const data::Dataset d = data::Dataset::open(c.data_path, split);
    const EvalResult e = evaluate_split(model, d, c.batch_size);
    result.evaluations.push_back(e);
    evaluations.push_back(
        {{"split", e.split}, {"loss", e.loss}, {"accuracy", e.accuracy}, {"examples", e.examples}});
  }
  const nlohmann::json summary = {{"glia_version", version()},
                                  {"git_commit", git_commit()},
                                  {"config", c.resolved},
                                  {"seed", c.seed},
                                  {"task", train_data.info().task},
                                  {"data_seed", train_data.info().seed},
                                  {"steps", step},
                                  {"examples_seen", seen},
                                  {"parameters", params.count()},
                                  {"train_seconds_last_invocation", result.train_seconds},
                                  {"train_seconds", earlier_seconds + result.train_seconds},
                                  {"resumed_from", result.resumed_from},
                                  {"peak_rss_mib", peak_rss_mib()},
                                  {"evaluations", evaluations}};
  io::write_text_atomically(result.result, summary.dump(2) + "\n", "output");
  return result;
}

TrainConfig parse_checkpoint_config(const std::string& config_json, const std::string& what) {
  nlohmann::json config = io::parse_json(config_json, what);
  // Checkpoints written before σ's synaptic scale was a setting (session 6) were trained with c = 1/N.
  if (config.is_object() && config.contains("model") && config["model"].is_object()) {
    nlohmann::json& model = config["model"];
    if (model.contains("attention") && model["attention"].is_object() &&
        model["attention"].value("nonlinearity", false) && !model["attention"].contains("synaptic_scale"))
      model["attention"]["synaptic_scale"] = "1/N";
  }
  return parse_train_config(config);
}

EvalResult evaluate_checkpoint(const std::string& checkpoint, const std::string& split,
                               const std::string& data_path, std::int64_t batch_size,
                               std::int64_t max_examples, const std::string& batch_field) {
  const nn::CheckpointState s = nn::read_checkpoint_state(checkpoint, "CHECKPOINT");
  const TrainConfig c = parse_checkpoint_config(s.config_json, "checkpoint config");
  if (batch_size < 1) throw ConfigError(batch_field, std::to_string(batch_size), "must be >= 1");
  check_model_memory(c.model, batch_size, "model", batch_field);
  SequenceClassifier<float> model(c.model);
  nn::read_checkpoint<float>(checkpoint, model.parameters(), nullptr, "CHECKPOINT");
  const data::Dataset d = data::Dataset::open(data_path.empty() ? c.data_path : data_path, split);
  check_data_fits_model(d, c.model, "--data");
  return evaluate_split(model, d, batch_size, max_examples);
}

}  // namespace glia::nets
