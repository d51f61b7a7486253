// The `glia` command line. Exit status: 0 success, 2 usage or configuration error (one
// line on stderr naming the field and value), 1 any other failure.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <new>
#include <sstream>

#include "apps/glia/bench_command.hpp"

#include "apps/glia/cli_checks.hpp"
#include "apps/glia/data_command.hpp"
#include "apps/glia/mpi_sweep.hpp"
#include "apps/glia/retention_command.hpp"
#include "apps/glia/sweep_command.hpp"
#include "apps/glia/train_command.hpp"
#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/progress.hpp"
#include "engine/core/threads.hpp"
#include "engine/core/version.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/io/text_file.hpp"
#include "models/network/network.hpp"
#include "models/simulation/driven_network.hpp"

#include <omp.h>

namespace {

constexpr int kExitUsage = 2;

// A network configuration (one with "projections"): groups, projections, astrocytes.
int simulate_network(const nlohmann::json& config, const std::string& config_path,
                     const std::string& output_override, bool quiet) {
  using namespace glia::network;
  NetworkConfig c = parse_network_config(config);
  const std::string output = output_override.empty() ? c.output : output_override;
  if (output.empty())
    throw glia::ConfigError("output", "", "no output file: give \"output\" in the config or --output");
  glia::io::check_output_is_not_an_input(output, output_override.empty() ? "output" : "--output",
                                         {config_path});
  c.resolved["output"] = output;
  glia::ProgressLine line("simulate", c.duration, !quiet);
  const NetworkResult r =
      simulate_network_to_file(c, output, [&](std::int64_t d, std::int64_t t) { line.update(d, t); });
  if (quiet) return 0;
  std::printf(
      "glia simulate: %.4g s simulated (%lld steps of %.3g s) in %.3g s wall (setup %.3g s) on %d threads\n",
      c.duration, static_cast<long long>(c.n_steps), c.dt, r.run_seconds, r.setup_seconds,
      omp_get_max_threads());
  for (const auto& [name, n] : r.synapse_counts)
    std::printf("  %s: %lld synapses\n", name.c_str(), static_cast<long long>(n));
  for (const auto& [name, s] : r.spikes) {
    const auto* g = c.find_group(name);
    std::printf("  %s: %zu spikes (%.3g Hz per element)", name.c_str(), s.t.size(),
                static_cast<double>(s.t.size()) / (c.duration * (g ? g->n : 1)));
    if (!s.r.empty()) {
      double mean_r = 0.0;
      for (double v : s.r) mean_r += v;
      std::printf(", mean release r = %.4f (first %.4f, last %.4f)", mean_r / static_cast<double>(s.r.size()),
                  s.r.front(), s.r.back());
    }
    std::printf("\n");
  }
  std::printf("  wrote %s\n", output.c_str());
  return 0;
}

int simulate(const std::string& config_path, const std::string& output_override,
             const std::string& device_override, bool quiet) {
  // Either form of config; the driven-synapse form is a thin builder of a network config.
  nlohmann::json network = glia::simulation::as_network_config(
      glia::io::parse_json(glia::io::read_text_file(config_path, "CONFIG"), config_path));
  if (!device_override.empty()) {
    if (device_override != "cpu" && device_override != "cuda")
      throw glia::ConfigError("--device", "\"" + device_override + "\"", "expected \"cpu\" or \"cuda\"");
    network["simulation"]["device"] = device_override;
  }
  return simulate_network(network, config_path, output_override, quiet);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"glia: neuron-synapse-astrocyte simulation and astromorphic transformers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("glia ") + glia::version() + " (" + glia::git_commit() + ")");

  std::string config_path, output, device;
  bool quiet = false;
  std::int64_t threads = 0;
  CLI::App* sim = app.add_subcommand("simulate", "run a simulation described by a JSON config, write HDF5");
  sim->add_option("CONFIG", config_path, "JSON configuration file")->required();
  sim->add_option("-o,--output", output, "HDF5 output path (overrides \"output\" in the config)");
  sim->add_option("--device", device, "cpu or cuda (overrides simulation.device)");
  sim->add_flag("-q,--quiet", quiet, "no progress line and no summary");
  sim->add_option("--threads", threads,
                  "CPU threads (default: OMP_NUM_THREADS or all cores); results do not depend on it")
      ->check(glia::cli::integer_in(0, glia::max_threads()));

  CLI::App* info = app.add_subcommand("info", "print version, commit and available backends");

  glia::cli::SweepArgs sweep_args;
  CLI::App* sweep =
      app.add_subcommand("sweep", "run a parameter sweep (JSON config) into a resumable HDF5 file");
  sweep->add_option("CONFIG", sweep_args.config_path, "JSON sweep configuration")->required();
  sweep->add_option("-o,--output", sweep_args.output,
                    "HDF5 output path (overrides \"output\" in the config)");
  sweep
      ->add_option("--threads", sweep_args.threads,
                   "CPU threads (default: all cores); results do not depend on it")
      ->check(glia::cli::integer_in(1, glia::max_threads()));
  sweep
      ->add_option("--chunk", sweep_args.chunk,
                   "variants per chunk (default: the config's); results do not depend on it")
      ->check(glia::cli::integer_in(1, glia::cli::kMaxCount));
  sweep->add_flag("-q,--quiet", sweep_args.quiet, "no progress line and no summary");
  CLI::Option* dump =
      sweep->add_option("--dump-config", sweep_args.dump_config,
                        "write the network config a design variant runs (for glia simulate) and stop");
  sweep->add_option("--variant", sweep_args.variant, "the design variant for --dump-config (default 0)")
      ->needs(dump);

  glia::cli::RetentionArgs retention_args;
  CLI::App* retention = glia::cli::add_retention_subcommand(app, retention_args);

  glia::cli::DataArgs data_args;
  CLI::App* data = glia::cli::add_data_subcommand(app, data_args);

  glia::cli::TrainArgs train_args;
  CLI::App* train = glia::cli::add_train_subcommand(app, train_args);
  glia::cli::EvaluateArgs evaluate_args;
  CLI::App* evaluate = glia::cli::add_evaluate_subcommand(app, evaluate_args);
  glia::cli::BenchArgs bench_args;
  CLI::App* bench = glia::cli::add_bench_subcommand(app, bench_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, as every other usage error: "glia simulate: error: --threads = -1: must be ...".
    std::string what = e.what();
    for (const std::string from : {": = ", ": Value "}) {
      const auto pos = what.find(from);
      if (pos != std::string::npos) what.replace(pos, from.size(), " = ");
    }
    std::string sub = "";
    for (const CLI::App* s : app.get_subcommands()) sub = " " + s->get_name();
    std::fprintf(stderr, "glia%s: error: %s\n", sub.c_str(), what.c_str());
    return kExitUsage;
  }

  try {
    if (sim->parsed()) {
      glia::use_threads(threads, "--threads");
      return simulate(config_path, output, device, quiet);
    }
    if (sweep->parsed()) return glia::cli::sweep_command(sweep_args);
    if (retention->parsed()) return glia::cli::retention_command(retention_args);
    if (train->parsed()) return glia::cli::train_command(train_args);
    if (evaluate->parsed()) return glia::cli::evaluate_command(evaluate_args);
    if (bench->parsed()) return glia::cli::bench_command(bench_args);
    if (data->parsed()) return glia::cli::data_command(data_args);
    if (info->parsed()) {
      std::string why;
      const int n = glia::cuda_device_count(&why);
      std::printf("glia %s\ncommit %s\ncuda backend: %s\ncuda devices: %d%s%s\nmpi (glia sweep): %s\n",
                  glia::version(), glia::git_commit(), glia::cuda_built() ? "built" : "not built", n,
                  n == 0 ? " - " : "", n == 0 ? why.c_str() : "",
                  glia::cli::mpi_built() ? "built" : "not built");
      return 0;
    }
  } catch (const glia::ConfigError& e) {
    std::fprintf(stderr, "glia %s: error: %s\n", app.get_subcommands().front()->get_name().c_str(), e.what());
    return kExitUsage;
  } catch (const std::filesystem::filesystem_error& e) {
    // A path that cannot be created, read or replaced is a usage error: name the path and the cause.
    std::fprintf(stderr, "glia %s: error: \"%s\": %s\n", app.get_subcommands().front()->get_name().c_str(),
                 e.path1().c_str(), e.code().message().c_str());
    return kExitUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "glia %s: error: out of memory: the run needs more memory than this machine has\n",
                 app.get_subcommands().front()->get_name().c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "glia: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
