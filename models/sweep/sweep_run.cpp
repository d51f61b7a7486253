#include "models/sweep/sweep_run.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>

#include "engine/core/backend.hpp"
#include "engine/core/error.hpp"
#include "engine/core/threads.hpp"
#include "models/sweep/sweep_file.hpp"
#include "models/sweep/unit_sweep.hpp"

namespace glia::sweep {

namespace {

// Results of n variants with n_q summaries each, before any has run: NaN summaries, status 0.
ChunkResults unset_chunk(std::size_t n, std::size_t n_q) {
  ChunkResults r;
  r.summaries.assign(n_q * n, std::nan(""));
  r.status.assign(n, 0);
  r.failed_at.assign(n, std::nan(""));
  r.failed_value.assign(n, std::nan(""));
  r.failed_variable.assign(n, "");
  r.reason.assign(n, "");
  return r;
}

// A chunk of retention derivations: the variants in parallel, one per thread, each written to
// its own slot (a variant's result does not depend on the thread that ran it).
ChunkResults retention_chunk(const SweepSpec& s, const std::vector<std::uint64_t>& variants,
                             std::vector<std::int64_t>& slot_row, int threads) {
  slot_row.clear();
  const std::size_t n = variants.size(), n_q = s.summary_names.size();
  ChunkResults r = unset_chunk(n, n_q);
  std::vector<RetentionVariantResult> out(n);
  std::vector<std::exception_ptr> error(n);
  const int team = std::max(1, std::min(threads > 0 ? threads : omp_get_max_threads(), static_cast<int>(n)));
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(n); ++k) {
    const auto u = static_cast<std::size_t>(k);
    try {
      out[u] = run_retention_variant(s.retention, s.design, variants[u]);
    } catch (...) {  // exceptions must not leave the parallel region
      error[u] = std::current_exception();
    }
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (error[k]) std::rethrow_exception(error[k]);
    for (std::size_t q = 0; q < n_q; ++q) r.summaries[q * n + k] = out[k].summaries[q];
    if (out[k].failed) {
      r.status[k] = 1;
      r.reason[k] = out[k].reason;
    }
  }
  return r;
}

// A chunk of the tripartite/gchi presets (network configs), of network variants (one batch of the network
// engine where it can batch them, else one after another, each a parallel run on all threads), or of
// retention derivations.
ChunkResults run_chunk(const SweepSpec& s, const std::vector<std::uint64_t>& variants,
                       std::vector<std::int64_t>& slot_row, int threads) {
  if (s.model == "network") {
    slot_row.clear();
    const std::size_t n = variants.size(), n_q = s.summary_names.size();
    ChunkResults r = unset_chunk(n, n_q);
    const std::vector<NetworkVariantResult> all = run_network_chunk(s.network, s.design, variants, threads);
    for (std::size_t k = 0; k < n; ++k) {
      const NetworkVariantResult& v = all[k];
      for (std::size_t q = 0; q < n_q; ++q) r.summaries[q * n + k] = v.summaries[q];
      if (v.failed) {
        r.status[k] = 1;
        r.failed_at[k] = v.failed_at;
        r.reason[k] = v.reason;
      }
    }
    return r;
  }
  if (s.model == "retention") return retention_chunk(s, variants, slot_row, threads);
  return run_unit_chunk(s, variants, slot_row, threads);  // tripartite, gchi: network configs
}

// Copies a chunk's results into the in-memory outcome.
void keep(const SweepSpec& s, const std::vector<std::uint64_t>& variants, const ChunkResults& out,
          const std::vector<std::int64_t>& slot_row, SweepOutcome& r) {
  const std::size_t n = variants.size(), n_all = s.design.size();
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint64_t v = variants[k];
    for (std::size_t q = 0; q < s.summary_names.size(); ++q)
      r.summaries[q * n_all + v] = out.summaries[q * n + k];
    r.status[v] = out.status[k];
    r.failed_at[v] = out.failed_at[k];
    r.failed_value[v] = out.failed_value[k];
    r.failed_variable[v] = out.failed_variable[k];
    r.reason[v] = out.reason[k];
    if (out.status[k] != 0) ++r.failed;
  }
  const std::size_t block = s.traces.variables.size() * r.trace_t.size();
  for (std::size_t slot = 0; slot < slot_row.size(); ++slot)
    std::copy_n(out.traces.begin() + static_cast<long>(slot * block), block,
                r.traces.begin() + static_cast<long>(static_cast<std::size_t>(slot_row[slot]) * block));
}

// The chunks of `todo`, chunk c computed by process c mod n; process 0 writes them all, in order.
SweepOutcome run_shared(const SweepSpec& s, const SweepOptions& o, std::int64_t chunk) {
  const ChunkSharing& x = *o.sharing;
  // Every process must run the same sweep: process 0's definition and size against each one's own.
  const std::string mine =
      s.definition.dump() + "\n" + std::to_string(s.design.size()) + "\nchunk " + std::to_string(chunk);
  if (x.broadcast(mine) != mine)
    throw ConfigError(
        "CONFIG", "(rank " + std::to_string(x.rank) + ")",
        "this process's sweep differs from rank 0's (definition, design or --chunk): every rank "
        "must run the same config with the same options");
  SweepOutcome r;
  r.n_variants = s.design.size();
  std::unique_ptr<SweepFile> file;
  std::vector<std::uint64_t> todo;
  if (x.rank == 0) {
    file = std::make_unique<SweepFile>(s, o.output);
    for (std::uint64_t v = 0; v < r.n_variants; ++v)
      if (!file->done()[v]) todo.push_back(v);
  }
  todo = variants_from_bytes(x.broadcast(x.rank == 0 ? variants_to_bytes(todo) : std::string()));
  r.resumed = r.n_variants - todo.size();
  const auto total = static_cast<std::int64_t>(todo.size());
  if (o.progress && x.rank == 0) o.progress(0, total);
  std::vector<std::int64_t> slot_row;
  std::size_t c = 0;
  for (std::size_t lo = 0; lo < todo.size(); lo += static_cast<std::size_t>(chunk), ++c) {
    const std::size_t hi = std::min(todo.size(), lo + static_cast<std::size_t>(chunk));
    const std::vector<std::uint64_t> variants(todo.begin() + static_cast<long>(lo),
                                              todo.begin() + static_cast<long>(hi));
    const int owner = static_cast<int>(c % static_cast<std::size_t>(x.size));
    if (owner == x.rank) {
      const ChunkResults out = run_chunk(s, variants, slot_row, o.threads);
      r.computed += variants.size();
      if (x.rank != 0) {
        x.send(chunk_to_bytes(out, slot_row), 0);
        continue;
      }
      file->write_chunk(variants, out, slot_row);
    } else if (x.rank == 0) {
      const ChunkResults out = chunk_from_bytes(x.receive(owner), slot_row);
      if (out.status.size() != variants.size() ||
          out.summaries.size() != variants.size() * s.summary_names.size())
        throw RuntimeError("sweep chunk from rank " + std::to_string(owner) + ": " +
                           std::to_string(out.status.size()) + " variants, expected " +
                           std::to_string(variants.size()));
      file->write_chunk(variants, out, slot_row);
    } else {
      continue;
    }
    if (o.progress) o.progress(static_cast<std::int64_t>(hi), total);
    if (o.between_chunks && hi < todo.size()) o.between_chunks();
  }
  if (file) {
    r.computed = todo.size();  // computed by all the processes, written by this one
    r.failed = file->failed();
    file->finish();
  }
  return r;
}

}  // namespace

SweepOutcome run_sweep(const SweepSpec& s, const SweepOptions& o) {
  if (s.device == "cuda") {
    std::string why;
    if (cuda_device_count(&why) == 0) throw ConfigError("device", "\"cuda\"", why);
  }
  checked_threads(o.threads, "threads");
  if (o.chunk < 0) throw ConfigError("chunk", std::to_string(o.chunk), "must be >= 1");
  const std::int64_t chunk = o.chunk > 0 ? o.chunk : s.chunk;
  const std::uint64_t n = s.design.size();
  if (o.sharing && o.sharing->size > 1) {
    if (o.output.empty())
      throw ConfigError("output", "", "a sweep shared among processes needs an output file");
    return run_shared(s, o, chunk);
  }

  SweepOutcome r;
  r.n_variants = n;
  std::unique_ptr<SweepFile> file;
  std::vector<std::uint64_t> todo;
  if (!o.output.empty()) {
    file = std::make_unique<SweepFile>(s, o.output);
    for (std::uint64_t v = 0; v < n; ++v)
      if (!file->done()[v]) todo.push_back(v);
    r.resumed = n - todo.size();
  } else {
    for (std::uint64_t v = 0; v < n; ++v) todo.push_back(v);
    const double nan = std::nan("");
    r.summaries.assign(s.summary_names.size() * n, nan);
    r.status.assign(n, -1);
    r.failed_at.assign(n, nan);
    r.failed_value.assign(n, nan);
    r.failed_variable.assign(n, "");
    r.reason.assign(n, "");
    for (std::int64_t k = 0; k <= s.n_steps / s.traces.every; ++k)
      r.trace_t.push_back(static_cast<double>(k * s.traces.every) * s.dt);
    if (s.traces.variants.empty()) r.trace_t.clear();
    r.traces.assign(s.traces.variants.size() * s.traces.variables.size() * r.trace_t.size(), nan);
  }

  const auto total = static_cast<std::int64_t>(todo.size());
  if (o.progress) o.progress(0, total);
  std::vector<std::int64_t> slot_row;
  for (std::size_t lo = 0; lo < todo.size(); lo += static_cast<std::size_t>(chunk)) {
    const std::size_t hi = std::min(todo.size(), lo + static_cast<std::size_t>(chunk));
    const std::vector<std::uint64_t> variants(todo.begin() + static_cast<long>(lo),
                                              todo.begin() + static_cast<long>(hi));
    const ChunkResults out = run_chunk(s, variants, slot_row, o.threads);
    if (file) {
      file->write_chunk(variants, out, slot_row);
    } else {
      keep(s, variants, out, slot_row, r);
    }
    r.computed += variants.size();
    if (o.progress) o.progress(static_cast<std::int64_t>(hi), total);
    if (o.between_chunks && hi < todo.size()) o.between_chunks();
  }
  if (file) {
    r.failed = file->failed();
    file->finish();
  }
  return r;
}

}  // namespace glia::sweep
