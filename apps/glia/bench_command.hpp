#pragma once
// `glia bench nn MODEL.json [--batch-size B] [--steps K] [--warmup W] [--strategy bptt|amrb] [--threads N]`:
// times full training steps (forward, loss, backward, gradient clipping, AdamW) of a model on random
// batches of full-length sequences and prints one JSON line: seconds per step (each timed step), the
// process's resident memory before the first step and its peak. Benchmark drivers in
// experiments/benchmarks/ run it beside the PyTorch reference (one process per measurement, so the peak
// belongs to that configuration alone).
#include <CLI/CLI.hpp>
#include <string>

namespace glia::cli {

struct BenchArgs {
  std::string model_config;
  std::int64_t batch_size = 8;
  std::int64_t steps = 3;
  std::int64_t warmup = 1;
  std::string strategy;  // segment models; default: the model's
  int threads = 0;
  std::uint64_t seed = 0;
};

CLI::App* add_bench_subcommand(CLI::App& app, BenchArgs& args);
int bench_command(const BenchArgs& a);

}  // namespace glia::cli
