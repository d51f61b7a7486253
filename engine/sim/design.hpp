#pragma once
// Designs of parameter sweeps: which values each variant of a batched run gets. A design is a
// table (variants x named parameters, doubles) made from a full grid (cartesian product of
// value lists), an explicit list of assignments, or random uniform / Latin hypercube samples
// over ranges (Philox, so a seed gives the same table on every machine). Model-agnostic: the
// model supplies the parameters it knows, with their ranges, and every value is checked.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace glia::sim {

// A parameter a design may set, with the values it accepts.
struct DesignParameter {
  std::string name;
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false, hi_open = false;
  bool integer = false;  // whole numbers only (seeds, switches)
  std::string unit;
};

// Throws ConfigError(field, value, reason) unless v is finite and inside p's range.
void check_design_value(const DesignParameter& p, const std::string& field, double v);

// A range of a random design; `log`: sample uniformly in log(value) (lo > 0).
struct DesignRange {
  std::string name;
  double lo = 0.0, hi = 0.0;
  bool log = false;
};

struct DesignTable {
  std::string kind;                       // "grid", "list", "random" or "lhs"
  std::string path;                       // config field of the design ("design.grid", ...)
  std::vector<std::string> names;         // columns
  std::vector<double> values;             // row-major: variant v, column p at v * names.size() + p
  std::vector<std::uint64_t> grid_shape;  // grid: values per column (the last column varies fastest)

  std::size_t size() const { return names.empty() ? 0 : values.size() / names.size(); }
  double at(std::size_t v, std::size_t p) const { return values[v * names.size() + p]; }
  // Column of `name`, or -1.
  int column(const std::string& name) const;
  // The config field that gave variant v its value of column p, for error messages.
  std::string source(std::size_t v, std::size_t p) const;
};

// Largest number of variants a design may have.
constexpr std::uint64_t kMaxDesignVariants = 100'000'000;

// Cartesian product of the value lists, in the order given; the last name varies fastest.
DesignTable full_grid(const std::vector<std::string>& names, const std::vector<std::vector<double>>& values);

// n samples, uniform in each range (or in its log), independent across parameters.
DesignTable random_uniform(const std::vector<DesignRange>& ranges, std::uint64_t n, std::uint64_t seed);

// n samples such that, in every parameter, each of the n equal strata of its range (of its log
// for log ranges) holds exactly one sample; strata are paired at random across parameters.
DesignTable latin_hypercube(const std::vector<DesignRange>& ranges, std::uint64_t n, std::uint64_t seed);

// Reads the design object at `path` (exactly one of "grid", "list", "random", "lhs"), checks
// every name against `known` and every value against its range; ConfigError names the field,
// e.g. "design.grid.O_beta[2] = nan: must be finite". JSON objects are read in key order
// (alphabetical), so a grid's last name alphabetically varies fastest.
DesignTable parse_design(const nlohmann::json& design, const std::string& path,
                         const std::vector<DesignParameter>& known);

}  // namespace glia::sim
