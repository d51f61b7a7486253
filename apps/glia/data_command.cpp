#include "apps/glia/data_command.hpp"

#include "apps/glia/cli_checks.hpp"

#include <cstdio>

#include "data/generate.hpp"
#include "engine/core/progress.hpp"

namespace glia::cli {

CLI::App* add_data_subcommand(CLI::App& app, DataArgs& a) {
  CLI::App* data =
      app.add_subcommand("data", "generate and check the offline long-sequence data sets (docs/data.md)");
  data->require_subcommand(1);

  a.generate =
      data->add_subcommand("generate", "generate a data set into a directory of HDF5 shards (resumable)");
  a.generate->add_option("TASK", a.task, "listops, pathfinder32, sfashion_mnist, text or retrieval")
      ->required();
  a.generate->add_option("-o,--out", a.out, "output directory (created; an existing one is resumed)")
      ->required();
  a.seed_opt = a.generate->add_option("--seed", a.seed, "random seed (default 1; not for sfashion_mnist)")
                   ->check(unsigned_64());
  a.train_opt = a.generate->add_option("--train", a.train, "training examples (task default)")
                    ->check(integer_in(0, kMaxCount));
  a.val_opt = a.generate->add_option("--val", a.val, "validation examples (task default)")
                  ->check(integer_in(0, kMaxCount));
  a.test_opt = a.generate->add_option("--test", a.test, "test examples (task default)")
                   ->check(integer_in(0, kMaxCount));
  a.shard_opt = a.generate->add_option("--shard-size", a.shard_size, "examples per shard (default 10000)")
                    ->check(integer_in(1, kMaxCount));
  a.min_opt =
      a.generate->add_option("--min-length", a.min_length, "listops: keep trees longer than this (500)");
  a.max_opt =
      a.generate->add_option("--max-length", a.max_length,
                             "listops: keep trees shorter than this; also the pad width (2000); text: "
                             "bytes kept of each message body (4096); retrieval: bytes per chunk (4096)");
  a.contour_opt =
      a.generate->add_option("--contour-length", a.contour_length,
                             "pathfinder32: paddles per target snake (14 hard; LRA: 9 intermediate, 6 "
                             "easy); distractors get a third");
  a.source_opt =
      a.generate->add_option("--source", a.source,
                             "sfashion_mnist: directory of the IDX files "
                             "(default /usr/share/datasets/fashion-mnist); text, retrieval: the npm "
                             "package's data directory (default data/sources/spam-assassin-0.2.3, "
                             "data/sources/sotu-0.2.3; scripts/fetch-text-data.sh)");
  a.generate->add_flag("-q,--quiet", a.quiet, "no progress line and no summary");

  a.check = data->add_subcommand("check", "verify every shard's checksum and re-derive every label");
  a.check->add_option("DIR", a.dir, "data set directory")->required();
  a.check_source_opt =
      a.check->add_option("--source", a.check_source,
                          "sfashion_mnist, text, retrieval: the source directory (default: the manifest's)");
  a.check->add_flag("-q,--quiet", a.quiet, "no progress line and no summary");
  return data;
}

namespace {

void print_statistics(const data::Manifest& m) {
  const auto& s = m.statistics;
  if (s.contains("kept_fraction"))
    std::printf("  kept %.4g of %lld sampled trees (too short %lld, too long %lld, duplicates %lld)\n",
                s["kept_fraction"].get<double>(),
                static_cast<long long>(s["candidates_sampled"].get<std::int64_t>()),
                static_cast<long long>(s["rejected_too_short"].get<std::int64_t>()),
                static_cast<long long>(s["rejected_too_long"].get<std::int64_t>()),
                static_cast<long long>(s["rejected_duplicates"].get<std::int64_t>()));
  if (s.contains("images_started_per_image"))
    std::printf("  images started per image kept: %.3f\n", s["images_started_per_image"].get<double>());
  if (s.contains("length"))
    std::printf("  length: min %lld, median %.1f, mean %.1f, max %lld\n",
                static_cast<long long>(s["length"]["min"].get<std::int64_t>()),
                s["length"]["median"].get<double>(), s["length"]["mean"].get<double>(),
                static_cast<long long>(s["length"]["max"].get<std::int64_t>()));
  if (s.contains("label_shares")) {
    std::printf("  label shares:");
    for (const auto& v : s["label_shares"]) std::printf(" %.3f", v.get<double>());
    std::printf("\n");
  }
}

int generate(const DataArgs& a) {
  data::GenerateOptions o;
  o.task = a.task;
  if (a.seed_opt->count()) o.seed = a.seed;
  if (a.train_opt->count()) o.train = a.train;
  if (a.val_opt->count()) o.val = a.val;
  if (a.test_opt->count()) o.test = a.test;
  if (a.shard_opt->count()) o.shard_size = a.shard_size;
  if (a.min_opt->count()) o.min_length = a.min_length;
  if (a.max_opt->count()) o.max_length = a.max_length;
  if (a.source_opt->count()) o.source = a.source;
  if (a.contour_opt->count()) o.contour_length = a.contour_length;
  const auto task = data::make_task(o);
  ProgressLine line("data generate " + a.task, 0, !a.quiet);
  const data::GenerateReport r = data::generate_dataset(
      *task, a.out, [&](std::int64_t done, std::int64_t total) { line.update(done, total); });
  for (const auto& path : r.replaced)
    std::fprintf(stderr, "glia data generate: replaced %s (it did not match the manifest)\n", path.c_str());
  if (a.quiet) return 0;
  const data::Manifest& m = r.manifest;
  std::printf("glia data generate: %s (%s, seed %llu) in %s\n", m.task.c_str(), m.generator_version.c_str(),
              static_cast<unsigned long long>(m.seed), a.out.c_str());
  for (const char* split : data::kSplitNames) {
    const auto& s = m.splits.at(split);
    std::printf("  %s: %lld examples in %zu shards\n", split, static_cast<long long>(s.size),
                s.shards.size());
  }
  std::printf("  wrote %lld shards (%lld examples) in %.3g s (%.4g examples/s); kept %lld complete shards\n",
              static_cast<long long>(r.shards_written), static_cast<long long>(r.examples_written), r.seconds,
              r.seconds > 0 ? static_cast<double>(r.examples_written) / r.seconds : 0.0,
              static_cast<long long>(r.shards_kept));
  print_statistics(m);
  return 0;
}

int check(const DataArgs& a) {
  ProgressLine line("data check", 0, !a.quiet);
  const data::CheckReport r = data::check_dataset(
      a.dir, a.check_source_opt->count() ? std::optional<std::string>(a.check_source) : std::nullopt,
      [&](std::int64_t done, std::int64_t total) { line.update(done, total); });
  if (a.quiet) return 0;
  std::printf(
      "glia data check: %s (%s, %s, seed %llu): %lld shards, %lld examples; checksums match, every label "
      "re-derived\n",
      a.dir.c_str(), r.manifest.task.c_str(), r.manifest.generator_version.c_str(),
      static_cast<unsigned long long>(r.manifest.seed), static_cast<long long>(r.shards),
      static_cast<long long>(r.examples));
  return 0;
}

}  // namespace

int data_command(const DataArgs& a) { return a.generate->parsed() ? generate(a) : check(a); }

}  // namespace glia::cli
