#include "apps/glia/retention_command.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/progress.hpp"
#include "engine/io/text_file.hpp"
#include "models/mapping/retention.hpp"

namespace glia::cli {

CLI::App* add_retention_subcommand(CLI::App& app, RetentionArgs& args) {
  CLI::App* sub = app.add_subcommand(
      "retention",
      "derive retention factors RF(t, T) from simulated astrocyte LTP (JSON config), write HDF5");
  sub->add_option("CONFIG", args.config_path, "JSON retention configuration (docs/retention_config.md)")
      ->required();
  sub->add_option("-o,--output", args.output, "HDF5 output path (overrides \"output\" in the config)");
  sub->add_flag("-q,--quiet", args.quiet, "no summary (warnings are still printed)");
  sub->add_option("--dump-config", args.dump_config,
                  "write the network config that is simulated (for glia simulate) and stop");
  return sub;
}

int retention_command(const RetentionArgs& a) {
  mapping::RetentionSpec spec =
      mapping::parse_retention_config_text(io::read_text_file(a.config_path, "CONFIG"), a.config_path);
  if (!a.dump_config.empty()) {
    io::check_output_is_not_an_input(a.dump_config, "--dump-config", {a.config_path});
    mapping::NeuronAstrocyteSpec net = spec.network;
    net.n_cycles = spec.n_cycles;
    io::write_text_atomically(a.dump_config, mapping::neuron_astrocyte_network_config(net).dump(1) + "\n",
                              "--dump-config");
    if (!a.quiet)
      std::printf(
          "glia retention: wrote %s, the network config of %lld STP cycles: run it with glia simulate\n",
          a.dump_config.c_str(), static_cast<long long>(spec.n_cycles));
    return 0;
  }
  const std::string output = a.output.empty() ? spec.output : a.output;
  if (output.empty())
    throw ConfigError("output", "", "no output file: give \"output\" in the config or --output");
  io::check_output_is_not_an_input(output, a.output.empty() ? "output" : "--output", {a.config_path});
  spec.resolved["output"] = output;
  const auto t0 = std::chrono::steady_clock::now();
  ProgressLine line("retention", 0.0, !a.quiet);
  const mapping::RetentionResult r = mapping::derive_retention(
      spec, [&](std::int64_t done, std::int64_t total) { line.update(done, total); });
  mapping::write_retention(spec, r, output);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& w : r.warnings) std::fprintf(stderr, "glia retention: warning: %s\n", w.c_str());
  if (a.quiet) return 0;
  std::printf("glia retention: %lld cycles of %.4g s (%lld x %lld neurons, %lld synapses) in %.3g s wall\n",
              static_cast<long long>(r.n_cycles), r.T_cycle, static_cast<long long>(r.n_pre),
              static_cast<long long>(r.n_post), static_cast<long long>(r.n_pre * r.n_post), wall);
  std::printf("  p^l (mean) at the last cycle end: %.6g\n", r.p_l_mean.back());
  std::printf("  fit %s:", mapping::ltp_model_name(r.fit.model));
  const auto names = mapping::ltp_model_parameter_names(r.fit.model);
  for (std::size_t k = 0; k < names.size(); ++k) std::printf(" %s = %.6g", names[k].c_str(), r.fit.params[k]);
  std::printf("; rmse %.3g (%.3g of max p^l), max error %.3g\n", r.fit.rmse, r.fit.relative_rmse,
              r.fit.max_abs_error);
  for (std::size_t k = 0; k < r.T.size(); ++k) {
    const auto& s = r.rf_simulated[k];
    const auto& f = r.rf_fitted[k];
    std::printf("  T = %lld: RF(1) = %.4f, RF(T) = %.4f (fitted %.4f, %.4f); falls with t from t = %lld\n",
                static_cast<long long>(r.T[k]), s.front(), s.back(), f.front(), f.back(),
                static_cast<long long>(r.falls_from[k]));
  }
  std::printf("  wrote %s\n", output.c_str());
  return 0;
}

}  // namespace glia::cli
