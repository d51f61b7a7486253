#include "models/sweep/sweep_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/version.hpp"
#include "engine/io/checksum.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::sweep {

namespace {

constexpr const char* kFormat = "glia-sweep";
constexpr std::int64_t kFormatVersion = 2;  // 2: /status/checksum
// Network and retention failures carry the engine's message (group, variable, index, time, advice): longer.
constexpr std::size_t kVariableLength = 16, kReasonLength = 512;  // reasons are the engine's messages

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

void check_output_path(const std::string& path) {
  if (path.empty()) throw ConfigError("output", "\"\"", "output path is empty");
  struct stat st {};
  if (path.back() == '/' || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)))
    throw ConfigError("output", quoted(path), "is a directory; give a file name");
}

// The first top-level key whose value differs, for the error message.
std::string first_difference(const nlohmann::json& here, const nlohmann::json& there) {
  for (auto it = here.begin(); it != here.end(); ++it)
    if (!there.contains(it.key()) || there.at(it.key()) != it.value()) return it.key();
  for (auto it = there.begin(); it != there.end(); ++it)
    if (!here.contains(it.key())) return it.key();
  return "";
}

void populate(io::Hdf5File& f, const SweepSpec& s) {
  const auto n = static_cast<std::uint64_t>(s.design.size());
  f.set_attribute("/", "format", std::string(kFormat));
  f.set_attribute("/", "format_version", kFormatVersion);
  f.set_attribute("/", "complete", std::int64_t{0});
  f.set_attribute("/", "glia_version", std::string(version()));
  f.set_attribute("/", "git_commit", std::string(git_commit()));
  f.set_attribute("/", "created", utc_timestamp());
  f.set_attribute("/", "config", s.resolved.dump());
  f.set_attribute("/", "definition", s.definition.dump());
  f.set_attribute("/", "model", s.model);
  f.set_attribute("/", "n_variants", static_cast<std::int64_t>(n));
  f.set_attribute("/", "seed", static_cast<std::int64_t>(s.seed));
  f.set_attribute("/", "device", s.device);
  f.set_attribute("/", "duration", s.duration);
  f.set_attribute("/", "dt", s.dt);
  if (!s.method_name.empty()) f.set_attribute("/", "method", s.method_name);
  f.set_attribute("/", "transient", s.transient);

  // Design table, one column per parameter.
  std::vector<double> column(n);
  for (std::size_t c = 0; c < s.design.names.size(); ++c) {
    const std::string path = "/design/" + s.design.names[c];
    for (std::uint64_t v = 0; v < n; ++v) column[v] = s.design.at(v, c);
    f.create_f64(path, {n}, 0.0);
    f.write_rows(path, 0, n, column.data());
  }
  f.set_attribute("/design", "kind", s.design.kind);
  f.set_attribute("/design", "names", nlohmann::json(s.design.names).dump());
  f.set_attribute("/design", "grid_shape", nlohmann::json(s.design.grid_shape).dump());

  const double nan = std::nan("");
  for (const auto& name : s.summary_names) f.create_f64("/summaries/" + name, {n}, nan);
  f.set_attribute("/summaries", "names", s.summary_info.dump());

  f.create_u8("/status/done", {n}, 0);
  f.create_i64("/status/checksum", {n}, 0);
  f.create_i32("/status/code", {n}, -1);
  f.create_f64("/status/failed_at", {n}, nan);
  f.create_f64("/status/failed_value", {n}, nan);
  f.create_strings("/status/failed_variable", n, kVariableLength);
  f.create_strings("/status/reason", n, kReasonLength);

  if (!s.traces.variants.empty()) {
    const auto samples = static_cast<std::uint64_t>(s.n_steps / s.traces.every + 1);
    std::vector<double> t(samples);
    for (std::uint64_t k = 0; k < samples; ++k) t[k] = static_cast<double>(k * s.traces.every) * s.dt;
    f.create_f64("/traces/t", {samples}, 0.0);
    f.write_rows("/traces/t", 0, samples, t.data());
    const auto n_traced = static_cast<std::uint64_t>(s.traces.variants.size());
    f.create_i64("/traces/variants", {n_traced}, 0);
    f.write_rows("/traces/variants", 0, n_traced, s.traces.variants.data());
    for (const auto& var : s.traces.variables) f.create_f64("/traces/" + var, {n_traced, samples}, nan);
    f.set_attribute("/traces", "variables", nlohmann::json(s.traces.variables).dump());
  }
}

// The checksum of variant v's results: its index (rows cannot be swapped), summaries, status code and failure
// values, and the done flag. `column[k]` is the summary of this variant in column k.
std::int64_t variant_checksum(const std::vector<const double*>& summaries, std::int32_t code,
                              double failed_at, double failed_value, std::size_t v, std::uint64_t variant) {
  io::Checksum c;
  c.add_value(variant);
  for (const double* column : summaries) c.add_value(column[v]);
  c.add_value(code);
  c.add_value(failed_at);
  c.add_value(failed_value);
  c.add_value(std::uint8_t{1});
  return c.value();
}

io::Hdf5File open_or_create(const SweepSpec& s, const std::string& path) {
  check_output_path(path);
  if (::access(path.c_str(), F_OK) == 0) {
    if (!io::Hdf5File::is_hdf5(path))
      throw ConfigError("output", quoted(path),
                        "exists and is not a glia sweep file; remove it or choose another output");
    try {
      return io::Hdf5File::open(path, true);
    } catch (const RuntimeError& e) {
      throw ConfigError("output", quoted(path), e.what());
    }
  }
  // Made complete at a temporary name first, so that the target never holds half a layout.
  const std::string tmp = path + ".init" + std::to_string(::getpid());
  std::FILE* probe = std::fopen(tmp.c_str(), "wb");
  if (!probe)
    throw ConfigError("output", quoted(path), std::string("cannot create file: ") + std::strerror(errno));
  std::fclose(probe);
  try {
    io::Hdf5File f = io::Hdf5File::create(tmp);
    populate(f, s);
    f.close();
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw RuntimeError("cannot move " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  return io::Hdf5File::open(path, true);
}

}  // namespace

SweepFile::SweepFile(const SweepSpec& s, const std::string& path) : s_(s), file_(open_or_create(s, path)) {
  check_same_sweep(path);
  verify_sweep_results(file_, path, "output");
  done_ = file_.read_u8("/status/done");
}

void verify_sweep_results(const io::Hdf5File& f, const std::string& path, const std::string& field) {
  const auto damaged = [&](const std::string& dataset, const std::string& why) {
    return ConfigError(
        field, quoted(path),
        dataset + ": " + why + ": the file was altered or is damaged; remove it or choose another output");
  };
  const std::vector<std::uint8_t> done = f.read_u8("/status/done");
  const std::size_t n = done.size();
  const auto same_length = [&](const std::string& dataset, std::size_t size) {
    if (size != n)
      throw damaged(dataset, std::to_string(size) + " values for " + std::to_string(n) + " variants");
  };
  const std::vector<std::int32_t> code = f.read_i32("/status/code");
  const std::vector<double> failed_at = f.read_f64("/status/failed_at"),
                            failed_value = f.read_f64("/status/failed_value");
  const std::vector<std::int64_t> checksum = f.read_i64("/status/checksum");
  same_length("/status/code", code.size());
  same_length("/status/failed_at", failed_at.size());
  same_length("/status/failed_value", failed_value.size());
  same_length("/status/checksum", checksum.size());
  std::vector<std::vector<double>> columns;
  std::vector<const double*> summaries;
  const nlohmann::json names =
      io::parse_json(f.string_attribute("/summaries", "names"), path + ": /summaries names");
  if (!names.is_array()) throw damaged("/summaries names", "not a list of summaries");
  for (const auto& info : names) {
    if (!info.is_object() || !info.contains("name") || !info["name"].is_string())
      throw damaged("/summaries names", "an entry without a name");
    const std::string dataset = "/summaries/" + info["name"].get<std::string>();
    columns.push_back(f.read_f64(dataset));
    same_length(dataset, columns.back().size());
    summaries.push_back(columns.back().data());
  }
  for (std::size_t v = 0; v < done.size(); ++v) {
    if (!done[v]) continue;
    if (checksum[v] != variant_checksum(summaries, code[v], failed_at[v], failed_value[v], v, v))
      throw ConfigError(field, quoted(path),
                        "/status/checksum: the results of variant " + std::to_string(v) +
                            " (/summaries, /status) do not match their checksum: the file was altered or is "
                            "damaged; remove it or choose another output");
  }
}

void SweepFile::check_same_sweep(const std::string& path) {
  const auto fail = [&](const std::string& why) {
    throw ConfigError("output", quoted(path), why + "; remove it or choose another output");
  };
  if (!file_.has_attribute("/", "format") || file_.string_attribute("/", "format") != kFormat)
    fail("exists and is not a glia sweep file");
  if (file_.int_attribute("/", "format_version") != kFormatVersion)
    fail("exists in another sweep file format");
  nlohmann::json there;
  try {
    there = io::parse_json(file_.string_attribute("/", "definition"), path + ": definition");
  } catch (const ConfigError&) {
    fail("exists with an unreadable sweep definition");
  }
  if (there != s_.definition)
    fail("exists and holds a different sweep (\"" + first_difference(s_.definition, there) + "\" differs)");
  // The same configuration must also have given the same design (a random design's samples).
  const auto n = static_cast<std::uint64_t>(s_.design.size());
  for (std::size_t c = 0; c < s_.design.names.size(); ++c) {
    const std::string p = "/design/" + s_.design.names[c];
    if (!file_.exists(p)) fail("exists and holds a different design (no column " + s_.design.names[c] + ")");
    const std::vector<double> col = file_.read_f64(p);
    if (col.size() != n)
      fail("exists and holds a different design (" + std::to_string(col.size()) + " variants)");
    for (std::uint64_t v = 0; v < n; ++v)
      if (std::memcmp(&col[v], &s_.design.values[v * s_.design.names.size() + c], sizeof(double)) != 0)
        fail("exists and holds a different design (" + s_.design.names[c] + " of variant " +
             std::to_string(v) + ")");
  }
}

void SweepFile::write_chunk(const std::vector<std::uint64_t>& variants, const ChunkResults& out,
                            const std::vector<std::int64_t>& slot_row) {
  const std::size_t n = variants.size();
  const std::vector<std::string>& names = out.failed_variable;
  const std::vector<std::string>& reasons = out.reason;
  // Contiguous runs of design indices are written with one call each.
  std::vector<double> buf;
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && variants[hi] == variants[hi - 1] + 1) ++hi;
    const std::uint64_t first = variants[lo], count = hi - lo;
    for (std::size_t q = 0; q < s_.summary_names.size(); ++q)
      file_.write_rows("/summaries/" + s_.summary_names[q], first, count, out.summaries.data() + q * n + lo);
    file_.write_rows("/status/code", first, count, out.status.data() + lo);
    file_.write_rows("/status/failed_at", first, count, out.failed_at.data() + lo);
    file_.write_rows("/status/failed_value", first, count, out.failed_value.data() + lo);
    file_.write_strings("/status/failed_variable", first,
                        std::vector<std::string>(names.begin() + static_cast<long>(lo),
                                                 names.begin() + static_cast<long>(hi)));
    file_.write_strings("/status/reason", first,
                        std::vector<std::string>(reasons.begin() + static_cast<long>(lo),
                                                 reasons.begin() + static_cast<long>(hi)));
    lo = hi;
  }
  const std::size_t n_vars = s_.traces.variables.size();
  const auto samples = static_cast<std::size_t>(s_.n_steps / s_.traces.every + 1);
  for (std::size_t slot = 0; slot < slot_row.size(); ++slot)
    for (std::size_t k = 0; k < n_vars; ++k)
      file_.write_rows("/traces/" + s_.traces.variables[k], static_cast<std::uint64_t>(slot_row[slot]), 1,
                       out.traces.data() + (slot * n_vars + k) * samples);
  // Each variant's checksum, then the results reach the disk before the flags that say they are there.
  std::vector<const double*> columns;
  for (std::size_t q = 0; q < s_.summary_names.size(); ++q) columns.push_back(out.summaries.data() + q * n);
  std::vector<std::int64_t> sums(n);
  for (std::size_t k = 0; k < n; ++k)
    sums[k] = variant_checksum(columns, out.status[k], out.failed_at[k], out.failed_value[k], k, variants[k]);
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && variants[hi] == variants[hi - 1] + 1) ++hi;
    file_.write_rows("/status/checksum", variants[lo], hi - lo, sums.data() + lo);
    lo = hi;
  }
  file_.flush();
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && variants[hi] == variants[hi - 1] + 1) ++hi;
    const std::vector<std::uint8_t> flags(hi - lo, 1);
    file_.write_rows("/status/done", variants[lo], hi - lo, flags.data());
    lo = hi;
  }
  file_.flush();
  for (auto v : variants) done_[v] = 1;
}

std::uint64_t SweepFile::failed() const {
  std::uint64_t n = 0;
  const std::vector<std::int32_t> code = file_.read_i32("/status/code");
  for (std::size_t v = 0; v < code.size(); ++v) n += done_[v] && code[v] != 0 ? 1 : 0;
  return n;
}

void SweepFile::finish() {
  bool all = true;
  for (auto d : done_) all = all && d;
  if (all) file_.set_attribute("/", "complete", std::int64_t{1});
  file_.flush();
  file_.close();
}

}  // namespace glia::sweep
