#pragma once
// Runs a sweep: the variants not yet done, chunk by chunk, on the CPU (OpenMP) or CUDA, into a
// resumable HDF5 file (sweep_file.hpp) or into memory.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/sweep/chunk_sharing.hpp"
#include "models/sweep/sweep_config.hpp"

namespace glia::sweep {

struct SweepOptions {
  std::string output;                                        // HDF5 file; empty: keep the results in memory
  std::int64_t chunk = 0;                                    // variants per chunk; 0: the config's
  int threads = 0;                                           // CPU threads; 0: OpenMP's default
  std::function<void(std::int64_t, std::int64_t)> progress;  // (variants done, to do) in this run
  std::function<void()> between_chunks;                      // may throw to stop (file stays valid)
  // Several processes share the chunks (chunk_sharing.hpp); null or size 1: this process runs them all. Needs
  // an output file; process 0 writes it, the others return an outcome with only `computed` set. An exception
  // on any process (between_chunks included) must end them all (the CLI calls MPI_Abort): the others would
  // wait.
  const ChunkSharing* sharing = nullptr;
};

struct SweepOutcome {
  std::uint64_t n_variants = 0;
  std::uint64_t computed = 0;  // in this run
  std::uint64_t resumed = 0;   // already in the file
  std::uint64_t failed = 0;    // failed variants, all runs
  // In-memory results (no output file): all variants.
  std::vector<double> summaries;  // n_summaries x n_variants
  std::vector<std::int32_t> status;
  std::vector<double> failed_at, failed_value;
  std::vector<std::string> failed_variable, reason;
  std::vector<double> trace_t;
  std::vector<double> traces;  // traced variants x trace variables x samples
};

SweepOutcome run_sweep(const SweepSpec& s, const SweepOptions& o);

}  // namespace glia::sweep
