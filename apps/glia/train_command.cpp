#include "apps/glia/train_command.hpp"

#include "apps/glia/cli_checks.hpp"

#include <omp.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "engine/nn/checkpoint.hpp"
#include "models/nets/simulated_attention.hpp"
#include "models/nets/training.hpp"

namespace glia::cli {

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

}  // namespace

CLI::App* add_train_subcommand(CLI::App& app, TrainArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "train", "train a sequence classifier (JSON config); resumes from the run directory");
  sub->add_option("CONFIG", args.config_path, "JSON training configuration (docs/training_config.md)")
      ->required();
  sub->add_option("-o,--output", args.output, "run directory (overrides \"output\" in the config)");
  sub->add_option("--steps", args.steps,
                  "optimizer steps (overrides training.steps; a finished run may be extended)")
      ->check(integer_in(1, kMaxCount));
  sub->add_option("--until-step", args.until_step,
                  "write a checkpoint and stop after this step (the same command continues the run)")
      ->check(integer_in(1, kMaxCount));
  args.seed_opt =
      sub->add_option("--seed", args.seed,
                      "seed of the run: overrides model.seed (initialisation) and training.seed (data "
                      "order, dropout); give another --output per seed")
          ->check(unsigned_64());
  sub->add_option("--threads", args.threads, "CPU threads (default: OMP_NUM_THREADS or all cores)")
      ->check(integer_in(0, max_threads()));
  sub->add_flag("-q,--quiet", args.quiet, "no progress lines and no summary");
  return sub;
}

CLI::App* add_evaluate_subcommand(CLI::App& app, EvaluateArgs& args) {
  CLI::App* sub =
      app.add_subcommand("evaluate", "loss and accuracy of a training checkpoint on a data split");
  sub->add_option("CHECKPOINT", args.checkpoint, "checkpoint.h5 written by glia train")->required();
  sub->add_option("--split", args.split, "split to evaluate (default: test)");
  sub->add_option("--data", args.data, "data set directory (default: the one the run trained on)");
  sub->add_option("--batch-size", args.batch_size, "examples per batch")->check(integer_in(1, kMaxCount));
  sub->add_option("-o,--output", args.output, "also write the result as JSON here");
  sub->add_option("--examples", args.examples, "evaluate the first N examples of the split (default: all)")
      ->check(integer_in(0, kMaxCount));
  sub->add_option("--threads", args.threads, "CPU threads")->check(integer_in(0, max_threads()));
  CLI::Option* simulate = sub->add_flag(
      "--simulate-heads", args.simulate_heads,
      "also run every attention head as a neuron-astrocyte simulation (at, rmaat) and compare with the "
      "operator: accuracies, prediction agreement, max |logit difference|");
  sub->add_option(
         "--tau-ratio", args.tau_ratio,
         "simulated heads: neuron time constant / token presentation time, tau_n/tau_p (default 0.01)")
      ->needs(simulate);
  sub->add_option("--dt-ratio", args.dt_ratio, "simulated heads: integration step / tau_n (default 1)")
      ->needs(simulate);
  sub->add_option("--method", args.method, "simulated heads: euler, rk2 or rk4 (default rk4)")
      ->needs(simulate);
  sub->add_option("--neuron-leak", args.neuron_leak,
                  "simulated heads: leak of the rate neurons (default 1: they relax to their drive)")
      ->needs(simulate);
  sub->add_option(
         "--synapse-leak", args.synapse_leak,
         "simulated heads: leak of the synapses and astrocyte processes (default 0: the operator's limit)")
      ->needs(simulate);
  sub->add_flag("-q,--quiet", args.quiet, "simulated heads: no progress line")->needs(simulate);
  sub->add_option(
         "--dump-config", args.dump_config,
         "simulated heads: write the network config of the first head simulated (example 0, segment 0, "
         "layer 0, head 0) for glia simulate, and stop")
      ->needs(simulate);
  return sub;
}

int train_command(const TrainArgs& a) {
  use_threads(a.threads, "--threads");
  nlohmann::json config = io::parse_json(io::read_text_file(a.config_path, "CONFIG"), a.config_path);
  if (!a.output.empty() && config.is_object()) config["output"] = a.output;
  if (a.steps > 0 && config.is_object()) config["training"]["steps"] = a.steps;
  if (a.seed_opt && a.seed_opt->count() && config.is_object()) {
    config["model"]["seed"] = a.seed;
    config["training"]["seed"] = a.seed;
  }
  const nets::TrainConfig c = nets::parse_train_config(config);
  // The run directory's files must not be the config, the retention file or inside the data set.
  io::check_output_outside_directory(c.output, "output", c.data_path);
  for (const char* file : {"checkpoint.h5", "metrics.csv", "eval.csv", "result.json"})
    io::check_output_is_not_an_input((std::filesystem::path(c.output) / file).string(), "output",
                                     {a.config_path, c.model.retention.path});
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  nets::TrainOptions options;
  options.progress = !a.quiet;
  options.stop = &stop_requested;
  options.until_step = a.until_step;
  const nets::TrainResult r = nets::train(c, options);
  if (r.interrupted && !stop_requested.load()) {
    if (!a.quiet)
      std::printf("glia train: stopped after step %lld of %lld as asked; checkpoint written to %s\n",
                  static_cast<long long>(r.step), static_cast<long long>(c.steps), r.checkpoint.c_str());
    return 0;
  }
  if (r.interrupted) {
    std::fprintf(
        stderr,
        "glia train: interrupted at step %lld; checkpoint written to %s; run the same command to resume\n",
        static_cast<long long>(r.step), r.checkpoint.c_str());
    return 130;
  }
  if (a.quiet) return 0;
  std::printf("glia train: %s, %lld steps%s in %.1f s\n", c.model.name.c_str(),
              static_cast<long long>(r.step),
              r.resumed_from ? (" (resumed from step " + std::to_string(r.resumed_from) + ")").c_str() : "",
              r.train_seconds);
  for (const nets::EvalResult& e : r.evaluations)
    std::printf("  %s: accuracy %.4f, loss %.4f (%lld examples)\n", e.split.c_str(), e.accuracy, e.loss,
                static_cast<long long>(e.examples));
  std::printf("  wrote %s, %s, %s\n", r.checkpoint.c_str(), r.metrics.c_str(), r.result.c_str());
  return 0;
}

namespace {

int compare_simulated_command(const EvaluateArgs& a) {
  nets::SimulatedComparisonOptions o;
  o.split = a.split;
  o.data_path = a.data;
  o.examples = a.examples;
  o.batch_size = a.batch_size;
  o.settings.tau_ratio = a.tau_ratio;
  o.settings.dt_ratio = a.dt_ratio;
  o.settings.method = a.method;
  o.settings.neuron_leak = a.neuron_leak;
  o.settings.synapse_leak = a.synapse_leak;
  o.style = nets::OptionStyle::command_line;
  o.progress = !a.quiet;
  o.output = a.output;
  if (!a.dump_config.empty()) {
    io::write_text_atomically(a.dump_config,
                              nets::simulated_head_checkpoint_config(a.checkpoint, o).dump(1) + "\n",
                              "--dump-config");
    std::printf(
        "glia evaluate: wrote %s, the network config of head 0 of layer 0 (segment 0, example 0): run it "
        "with glia simulate\n",
        a.dump_config.c_str());
    return 0;
  }
  const nlohmann::json r = nets::compare_simulated_checkpoint(a.checkpoint, o);
  const nlohmann::json& s = r["settings"];
  std::printf(
      "glia evaluate: %s (%s), %lld examples, every head simulated: tau_n/tau_p %g, dt/tau_n %g, %s, neuron "
      "leak %g, synapse leak %g\n",
      r["split"].get<std::string>().c_str(), r["model"].get<std::string>().c_str(),
      static_cast<long long>(r["examples"].get<std::int64_t>()), s["tau_ratio"].get<double>(),
      s["dt_ratio"].get<double>(), s["method"].get<std::string>().c_str(), s["neuron_leak"].get<double>(),
      s["synapse_leak"].get<double>());
  std::printf("  operator:  accuracy %.4f, loss %.4f\n", r["operator_accuracy"].get<double>(),
              r["operator_loss"].get<double>());
  std::printf("  simulated: accuracy %.4f, loss %.4f\n", r["simulated_accuracy"].get<double>(),
              r["simulated_loss"].get<double>());
  std::printf("  prediction agreement %.4f (%lld of %lld differ), max |logit difference| %.3g\n",
              r["agreement"].get<double>(), static_cast<long long>(r["disagreements"].get<std::int64_t>()),
              static_cast<long long>(r["examples"].get<std::int64_t>()),
              r["max_abs_logit_diff"].get<double>());
  std::printf("  wall %.1f s (operator %.2f s, simulation %.1f s, %lld head slices), threads: %d\n",
              r["wall_seconds"].get<double>(), r["operator_seconds"].get<double>(),
              r["simulated_seconds"].get<double>(),
              static_cast<long long>(r["heads_simulated"].get<std::int64_t>()), r["threads"].get<int>());
  for (const auto& w : r["warnings"]) std::printf("  warning: %s\n", w.get<std::string>().c_str());
  if (!a.output.empty()) std::printf("  wrote %s\n", a.output.c_str());
  return 0;
}

}  // namespace

int evaluate_command(const EvaluateArgs& a) {
  use_threads(a.threads, "--threads");
  // The inputs: the checkpoint, the data set it reads (or --data) and a retention file its model reads.
  const nets::TrainConfig run = nets::parse_checkpoint_config(
      nn::read_checkpoint_state(a.checkpoint, "CHECKPOINT").config_json, "checkpoint config");
  for (const auto& [path, field] :
       {std::pair{a.output, "--output"}, std::pair{a.dump_config, "--dump-config"}})
    if (!path.empty()) {
      io::check_output_is_not_an_input(path, field, {a.checkpoint, run.model.retention.path});
      io::check_output_outside_directory(path, field, a.data.empty() ? run.data_path : a.data);
    }
  if (a.simulate_heads) return compare_simulated_command(a);
  const nets::EvalResult e =
      nets::evaluate_checkpoint(a.checkpoint, a.split, a.data, a.batch_size, a.examples, "--batch-size");
  std::printf("glia evaluate: %s: accuracy %.4f, loss %.4f (%lld examples)\n", e.split.c_str(), e.accuracy,
              e.loss, static_cast<long long>(e.examples));
  if (!a.output.empty()) {
    const nlohmann::json j = {{"checkpoint", a.checkpoint}, {"split", e.split},
                              {"accuracy", e.accuracy},     {"loss", e.loss},
                              {"examples", e.examples},     {"glia_version", version()},
                              {"git_commit", git_commit()}};
    io::write_text_atomically(a.output, j.dump(2) + "\n", "--output");
  }
  return 0;
}

}  // namespace glia::cli
