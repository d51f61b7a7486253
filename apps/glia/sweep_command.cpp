#include "apps/glia/sweep_command.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "apps/glia/mpi_sweep.hpp"
#include "engine/core/error.hpp"
#include "engine/core/progress.hpp"
#include "engine/io/text_file.hpp"
#include "models/sweep/sweep_run.hpp"
#include "models/sweep/unit_sweep.hpp"

namespace glia::cli {

namespace {

int run(const SweepArgs& a, const MpiSweepSession& mpi) {
  sweep::SweepSpec spec =
      sweep::parse_sweep_config_text(io::read_text_file(a.config_path, "CONFIG"), a.config_path);
  if (!a.dump_config.empty()) {
    io::check_output_is_not_an_input(a.dump_config, "--dump-config", {a.config_path});
    const std::string text = sweep::variant_network_config(spec, a.variant, "--variant").dump(1) + "\n";
    if (mpi.rank() == 0) io::write_text_atomically(a.dump_config, text, "--dump-config");  // one writer
    if (!a.quiet && mpi.rank() == 0)
      std::printf(
          "glia sweep: wrote %s, the network config of design variant %lld: run it with glia simulate\n",
          a.dump_config.c_str(), static_cast<long long>(a.variant));
    return 0;
  }
  sweep::SweepOptions o;
  o.output = a.output.empty() ? spec.output : a.output;
  if (o.output.empty())
    throw ConfigError("output", "", "no output file: give \"output\" in the config or --output");
  io::check_output_is_not_an_input(o.output, a.output.empty() ? "output" : "--output", {a.config_path});
  spec.resolved["output"] = o.output;
  if (a.threads != -1 && a.threads < 1)
    throw ConfigError("--threads", std::to_string(a.threads), "must be >= 1");
  if (a.chunk != -1 && a.chunk < 1) throw ConfigError("--chunk", std::to_string(a.chunk), "must be >= 1");
  o.threads = a.threads > 0 ? a.threads : 0;
  // The cores of this machine divided among its processes, and no more than this process may run on (mpirun
  // binds each of 1-2 ranks to one core unless told --bind-to none).
  if (o.threads == 0 && mpi.local_size() > 1)
    o.threads =
        std::max(1, std::min(omp_get_num_procs(),
                             static_cast<int>(std::thread::hardware_concurrency()) / mpi.local_size()));
  o.chunk = a.chunk > 0 ? a.chunk : 0;
  o.sharing = mpi.sharing();
  const bool quiet = a.quiet || mpi.rank() != 0;  // process 0 speaks for the job
  // The progress counts variants; its "simulated" time is variants x duration.
  ProgressLine line("sweep", 0.0, !quiet);
  o.progress = [&](std::int64_t done, std::int64_t total) { line.update(done, total); };
  const auto t0 = std::chrono::steady_clock::now();
  const sweep::SweepOutcome r = sweep::run_sweep(spec, o);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (quiet) return 0;
  if (spec.model == "retention") {
    std::printf(
        "glia sweep: %llu variants of model retention (first: %.4g s of STP cycles, dt %.3g s, %s; "
        "%s)\n",
        static_cast<unsigned long long>(r.n_variants), spec.duration, spec.dt, spec.method_name.c_str(),
        o.threads == 1 ? "one after another" : "in parallel, one per thread");
  } else if (spec.model == "network") {
    std::printf(
        "glia sweep: %llu variants of model network, %.4g s each (base dt %.3g s; one after another)\n",
        static_cast<unsigned long long>(r.n_variants), spec.duration, spec.dt);
  } else {
    std::printf("glia sweep: %llu variants of model %s, %.4g s each (dt %.3g s, %s)\n",
                static_cast<unsigned long long>(r.n_variants), spec.model.c_str(), spec.duration, spec.dt,
                spec.method_name.c_str());
  }
  std::printf("  computed %llu in %.3g s wall (%.3g variant-s per wall s)",
              static_cast<unsigned long long>(r.computed), wall,
              wall > 0 ? static_cast<double>(r.computed) * spec.duration / wall : 0.0);
  if (r.resumed > 0) std::printf(", %llu already in the file", static_cast<unsigned long long>(r.resumed));
  if (mpi.active()) std::printf(" by %d processes", o.sharing->size);
  std::printf("\n  failed: %llu\n  wrote %s\n", static_cast<unsigned long long>(r.failed), o.output.c_str());
  return 0;
}

}  // namespace

int sweep_command(const SweepArgs& a) {
  const MpiSweepSession mpi;
  if (!mpi.active()) return run(a, mpi);
  // Under mpirun an error on any process ends the whole job (the others would wait for it forever); the file
  // keeps the chunks written so far and resumes.
  try {
    return run(a, mpi);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "glia sweep: error: rank %d: %s\n", mpi.rank(), e.what());
    mpi.abort(2);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "glia sweep: error: rank %d: %s\n", mpi.rank(), e.what());
    mpi.abort(1);
  }
}

}  // namespace glia::cli
