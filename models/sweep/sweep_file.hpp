#pragma once
// The HDF5 result file of a sweep, written chunk by chunk and resumable:
//   /                     attributes format = "glia-sweep", format_version, complete (0/1),
//                         glia_version, git_commit, created, config (resolved JSON), definition,
//                         model, n_variants, seed, device, duration, dt, method
//   /design/<name>        (variants,) the design table; attributes kind, names, grid_shape
//   /summaries/<name>     (variants,) NaN until computed, and for failed variants
//                         (network and retention sweeps: the same layout; docs/sweep_config.md)
//   /status/done          (variants,) 1 once the variant's results are in the file
//   /status/checksum      (variants,) checksum of the variant's summaries, status code, failure values and
//                         done flag (engine/io/checksum.hpp), verified when the file is resumed or loaded
//   /status/code          (variants,) -1 not run, 0 ok, 1 failed
//   /status/failed_at, failed_value, failed_variable, reason
//   /traces/t, variants, <variable> (traced variants, samples)
// Everything is created at full size when the file is made (at a temporary name, renamed
// when ready), so a chunk's writes touch raw data only; each chunk's results are flushed
// before its done flags are set and flushed. A killed run leaves a valid file; reopening it for
// the same sweep computes only the variants not done.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/hdf5_file.hpp"
#include "models/sweep/sweep_config.hpp"

namespace glia::sweep {

// The results of a chunk of variants, whatever the model.
struct ChunkResults {
  std::vector<double> summaries;     // n_summaries x n (NaN for failed variants)
  std::vector<std::int32_t> status;  // 0 ok, 1 failed
  std::vector<double> failed_at, failed_value;
  std::vector<std::string> failed_variable, reason;
  std::vector<double> traces;  // n_slots x n_trace_vars x n_trace_samples
};

// Refuses (ConfigError naming `field` and the file) a file in which a variant marked done does not hold the
// results its checksum was computed from.
void verify_sweep_results(const io::Hdf5File& f, const std::string& path, const std::string& field);

class SweepFile {
 public:
  // Creates `path`, or reopens it when it holds this same sweep (same definition and design).
  // ConfigError("output") when it holds another sweep or something else.
  SweepFile(const SweepSpec& s, const std::string& path);

  const std::vector<std::uint8_t>& done() const { return done_; }

  // Stores the results of `variants` (design indices, ascending) and marks them done.
  void write_chunk(const std::vector<std::uint64_t>& variants, const ChunkResults& out,
                   const std::vector<std::int64_t>& slot_row);

  // Number of failed variants among those done.
  std::uint64_t failed() const;

  // Sets complete = 1 (when every variant is done) and closes the file.
  void finish();

 private:
  void create(const std::string& path);
  void check_same_sweep(const std::string& path);
  const SweepSpec& s_;
  io::Hdf5File file_;
  std::vector<std::uint8_t> done_;
};

}  // namespace glia::sweep
