#include "apps/glia/bench_command.hpp"

#include "apps/glia/cli_checks.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/core/philox.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "engine/nn/allocation.hpp"
#include "engine/nn/optim/adamw.hpp"
#include "models/nets/sequence_classifier.hpp"

namespace glia::cli {

namespace {

double rss_mib(bool peak) {
  if (peak) {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
  }
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0.0;
}

}  // namespace

CLI::App* add_bench_subcommand(CLI::App& app, BenchArgs& args) {
  CLI::App* bench = app.add_subcommand("bench", "benchmark programs (one JSON line on stdout)");
  bench->require_subcommand(1);
  CLI::App* sub = bench->add_subcommand("nn", "time full training steps of a model config on random batches");
  sub->add_option("MODEL", args.model_config, "JSON model config (docs/model_config.md)")->required();
  sub->add_option("--batch-size", args.batch_size, "sequences per batch")->check(integer_in(1, kMaxCount));
  sub->add_option("--steps", args.steps, "timed steps")->check(integer_in(1, kMaxCount));
  sub->add_option("--warmup", args.warmup, "untimed steps first")->check(integer_in(0, kMaxCount));
  sub->add_option("--strategy", args.strategy, "bptt or amrb (segment models and fam)");
  sub->add_option("--threads", args.threads, "CPU threads")->check(integer_in(0, max_threads()));
  sub->add_option("--seed", args.seed, "seed of the random batches")->check(unsigned_64());
  return bench;
}

int bench_command(const BenchArgs& a) {
  use_threads(a.threads, "--threads");
  nn::keep_freed_memory_for_reuse();
  const nets::ModelConfig config =
      nets::parse_model_config(io::parse_json(io::read_text_file(a.model_config, "MODEL"), a.model_config));
  nets::check_model_memory(config, a.batch_size, "MODEL", "--batch-size");
  nets::TrainingPass pass;
  if (config.segmented || config.fam())
    pass.strategy = nets::strategy_from_name(
        "--strategy", a.strategy.empty() ? (config.name == "rmaat" ? "amrb" : "bptt") : a.strategy);
  else if (!a.strategy.empty())
    throw ConfigError("--strategy", a.strategy, "only segment models and fam have a training strategy");

  nets::SequenceClassifier<float> model(config);
  nn::AdamW<float> optimizer(nn::AdamWParams{}, model.parameters().values(),
                             nets::weight_decay_mask(model.parameters()));
  const nn::Index B = a.batch_size, L = config.max_length;
  nn::Batch batch{nn::Tensor<std::int32_t>({B, L}), nn::Tensor<std::uint8_t>({B, L}),
                  nn::Tensor<std::int32_t>({B})};
  for (nn::Index i = 0; i < B * L; ++i) {
    batch.tokens[i] =
        static_cast<std::int32_t>(philox_uniform(a.seed, 0, static_cast<std::uint32_t>(i), 0x62656e63u) *
                                  static_cast<double>(config.vocab_size));
    batch.mask[i] = 1;
  }
  for (nn::Index b = 0; b < B; ++b) batch.labels[b] = static_cast<std::int32_t>(b % config.num_classes);

  const double rss_before = rss_mib(false);
  std::vector<double> seconds;
  for (std::int64_t s = 0; s < a.warmup + a.steps; ++s) {
    const auto t0 = std::chrono::steady_clock::now();
    model.parameters().zero_grads();
    pass.micro_step = s;
    model.forward_backward(batch, pass);
    nn::clip_grad_norm(model.parameters().grads(), 1.0);
    optimizer.step(model.parameters().values(), model.parameters().const_grads(), 1e-4);
    model.project_parameters();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s >= a.warmup) seconds.push_back(dt);
  }
  const nlohmann::json j = {{"model", config.name},
                            {"strategy", config.segmented ? nets::strategy_name(pass.strategy) : ""},
                            {"segments", config.segments()},
                            {"batch_size", B},
                            {"max_length", L},
                            {"parameters", model.parameters().count()},
                            {"threads", omp_get_max_threads()},
                            {"seconds_per_step", seconds},
                            {"rss_before_mib", rss_before},
                            {"peak_rss_mib", rss_mib(true)},
                            {"glia_version", version()},
                            {"git_commit", git_commit()}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace glia::cli
