// The sweep's HDF5 file: an interrupted file is resumed without recomputing finished variants
// and ends equal to an uninterrupted run's; a file of another sweep, or not a sweep file, is a
// ConfigError naming the output.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "engine/core/error.hpp"
#include "engine/io/hdf5_file.hpp"
#include "models/sweep/sweep_file.hpp"
#include "models/sweep/sweep_run.hpp"

namespace glia::sweep {

namespace {

using nlohmann::json;

json config() {
  return {{"model", "tripartite"},
          {"duration", 5.0},
          {"dt", 1e-3},
          {"parameters", {{"rate", 4.0}}},
          {"design", {{"grid", {{"O_beta", {0.5, 1.0, 2.0, 4.0}}, {"seed", {1, 2, 3}}}}}},
          {"summaries", {"C.max", "released_fraction"}},
          {"traces", {{"variants", {2, 9}}, {"variables", {"C", "u"}}, {"dt", 0.1}}}};
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glia_sweep_" + std::to_string(::getpid()) + "_" + name;
}

// Every dataset a sweep writes, read back.
std::vector<std::vector<double>> contents(const std::string& path, const SweepSpec& s) {
  const io::Hdf5File f = io::Hdf5File::open(path, false);
  std::vector<std::vector<double>> out;
  for (const auto& n : s.design.names) out.push_back(f.read_f64("/design/" + n));
  for (const auto& q : s.summaries) out.push_back(f.read_f64("/summaries/" + q.name));
  for (const char* d : {"/status/failed_at", "/status/failed_value", "/traces/t", "/traces/C", "/traces/u"})
    out.push_back(f.read_f64(d));
  std::vector<double> codes;
  for (auto c : f.read_i32("/status/code")) codes.push_back(c);
  out.push_back(codes);
  std::vector<double> done;
  for (auto d : f.read_u8("/status/done")) done.push_back(d);
  out.push_back(done);
  return out;
}

bool same_bits(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].size() != b[k].size() ||
        std::memcmp(a[k].data(), b[k].data(), a[k].size() * sizeof(double)) != 0)
      return false;
  return true;
}

std::string error_of(const SweepSpec& s, const std::string& path) {
  try {
    SweepOptions o;
    o.output = path;
    run_sweep(s, o);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(SweepFile, InterruptedRunResumesToTheSameFile) {
  const SweepSpec s = parse_sweep_config(config());
  const std::string whole = temp_path("whole.h5"), parts = temp_path("parts.h5");
  std::remove(whole.c_str());
  std::remove(parts.c_str());
  SweepOptions o;
  o.output = whole;
  o.chunk = 5;
  const SweepOutcome full = run_sweep(s, o);
  EXPECT_EQ(full.computed, 12u);
  EXPECT_EQ(full.resumed, 0u);

  // Interrupted after two chunks: the run stops between chunks, leaving them done.
  o.output = parts;
  o.chunk = 4;
  int chunks = 0;
  o.between_chunks = [&] {
    if (++chunks == 2) throw std::runtime_error("stopped");
  };
  EXPECT_THROW(run_sweep(s, o), std::runtime_error);
  {
    const io::Hdf5File f = io::Hdf5File::open(parts, false);
    EXPECT_EQ(f.int_attribute("/", "complete"), 0);
    const auto done = f.read_u8("/status/done");
    EXPECT_EQ(std::count(done.begin(), done.end(), 1), 8);
  }
  o.between_chunks = {};
  o.chunk = 3;  // another chunk size: finished variants are still not recomputed
  const SweepOutcome rest = run_sweep(s, o);
  EXPECT_EQ(rest.resumed, 8u);
  EXPECT_EQ(rest.computed, 4u);
  EXPECT_TRUE(same_bits(contents(parts, s), contents(whole, s)));
  EXPECT_EQ(io::Hdf5File::open(parts, false).int_attribute("/", "complete"), 1);

  // Running a finished sweep again computes nothing.
  const SweepOutcome again = run_sweep(s, o);
  EXPECT_EQ(again.computed, 0u);
  EXPECT_TRUE(same_bits(contents(parts, s), contents(whole, s)));
  std::remove(whole.c_str());
  std::remove(parts.c_str());
}

TEST(SweepFile, AnotherSweepOrAnotherFileIsAConfigError) {
  const SweepSpec s = parse_sweep_config(config());
  const std::string path = temp_path("other.h5");
  std::remove(path.c_str());
  SweepOptions o;
  o.output = path;
  run_sweep(s, o);

  json c = config();
  c["design"]["grid"]["O_beta"][3] = 5.0;
  EXPECT_NE(error_of(parse_sweep_config(c), path)
                .find("output = \"" + path + "\": exists and holds a different sweep (\"design\" differs)"),
            std::string::npos);
  c = config();
  c["duration"] = 6.0;
  EXPECT_NE(error_of(parse_sweep_config(c), path).find("(\"duration\" differs)"), std::string::npos);
  std::remove(path.c_str());

  std::ofstream(path) << "not hdf5";
  EXPECT_NE(error_of(s, path).find("exists and is not a glia sweep file"), std::string::npos);
  std::remove(path.c_str());
  io::Hdf5File::create(path).close();
  EXPECT_NE(error_of(s, path).find("exists and is not a glia sweep file"), std::string::npos);
  std::remove(path.c_str());
  EXPECT_NE(error_of(s, ::testing::TempDir()).find("is a directory"), std::string::npos);
}

}  // namespace glia::sweep
