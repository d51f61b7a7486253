#include "engine/sim/design.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::sim {

namespace {

// Philox streams of the random designs ("desi", "perm").
constexpr std::uint32_t kSampleStream = 0x64657369u;
constexpr std::uint32_t kPermutationStream = 0x7065726du;

std::string bound_text(double v) {
  std::ostringstream s;
  s << v;  // "0", "1", "inf": bounds are round numbers
  return s.str();
}

std::string range_text(const DesignParameter& p) {
  std::ostringstream s;
  s << (p.lo_open || !std::isfinite(p.lo) ? "(" : "[") << bound_text(p.lo) << ", " << bound_text(p.hi)
    << (p.hi_open || !std::isfinite(p.hi) ? ")" : "]");
  if (!p.unit.empty()) s << " (" << p.unit << ")";
  return s.str();
}

const DesignParameter& find_known(const std::vector<DesignParameter>& known, const std::string& name,
                                  const std::string& field) {
  for (const auto& p : known)
    if (p.name == name) return p;
  std::string list;
  for (const auto& p : known) list += (list.empty() ? "" : ", ") + p.name;
  throw ConfigError(field, "", "unknown parameter (known: " + list + ")");
}

void check_count(const std::string& field, std::uint64_t n) {
  if (n == 0) throw ConfigError(field, "0", "the design is empty: it needs at least one variant");
  if (n > kMaxDesignVariants)
    throw ConfigError(field, std::to_string(n),
                      "too many variants (at most " + std::to_string(kMaxDesignVariants) + ")");
}

// Maps q in [0, 1) into the range, uniformly in the value or in its log.
double from_unit(const DesignRange& r, double q) {
  const double v =
      r.log ? std::exp(std::log(r.lo) + q * (std::log(r.hi) - std::log(r.lo))) : r.lo + q * (r.hi - r.lo);
  return std::min(std::max(v, r.lo), r.hi);  // exp/log rounding must not leave the range
}

DesignTable sampled(const std::string& kind, const std::vector<DesignRange>& ranges, std::uint64_t n) {
  DesignTable t;
  t.kind = kind;
  for (const auto& r : ranges) t.names.push_back(r.name);
  t.values.assign(n * ranges.size(), 0.0);
  return t;
}

std::vector<double> number_list(const nlohmann::json& j, const std::string& field) {
  if (!j.is_array()) throw ConfigError(field, io::json_text(j), "expected a list of numbers");
  std::vector<double> v;
  for (std::size_t k = 0; k < j.size(); ++k)
    v.push_back(io::as_number(j[k], field + "[" + std::to_string(k) + "]"));
  return v;
}

std::vector<DesignRange> parse_ranges(io::JsonObjectReader& r, const std::vector<DesignParameter>& known) {
  const nlohmann::json& ranges = r.member("ranges");
  const std::string field = r.field("ranges");
  if (!ranges.is_object() || ranges.empty())
    throw ConfigError(field, io::json_text(ranges), "expected an object of ranges {name: [lo, hi]}");
  std::vector<DesignRange> out;
  for (auto it = ranges.begin(); it != ranges.end(); ++it) {
    const std::string f = field + "." + it.key();
    const DesignParameter& p = find_known(known, it.key(), f);
    if (p.integer)
      throw ConfigError(f, io::json_text(it.value()),
                        "takes whole numbers only: list its values in a \"grid\" or \"list\" design");
    DesignRange d;
    d.name = it.key();
    std::string lo_field = f + "[0]", hi_field = f + "[1]";
    if (it.value().is_array()) {
      if (it.value().size() != 2) throw ConfigError(f, io::json_text(it.value()), "expected [lo, hi]");
      d.lo = io::as_number(it.value()[0], lo_field);
      d.hi = io::as_number(it.value()[1], hi_field);
    } else {
      io::JsonObjectReader o(it.value(), f);
      d.lo = o.number("min");
      d.hi = o.number("max");
      d.log = o.boolean("log", false);
      o.finish();
      lo_field = f + ".min";
      hi_field = f + ".max";
    }
    check_design_value(p, lo_field, d.lo);
    check_design_value(p, hi_field, d.hi);
    if (d.hi < d.lo) throw ConfigError(hi_field, io::number_text(d.hi), "must be >= the lower end");
    if (d.log && !(d.lo > 0.0))
      throw ConfigError(lo_field, io::number_text(d.lo), "must be > 0 for a log range");
    out.push_back(d);
  }
  return out;
}

}  // namespace

void check_design_value(const DesignParameter& p, const std::string& field, double v) {
  if (!std::isfinite(v)) throw ConfigError(field, io::number_text(v), "must be finite");
  const bool lo_ok = p.lo_open ? v > p.lo : v >= p.lo;
  const bool hi_ok = p.hi_open ? v < p.hi : v <= p.hi;
  if (!lo_ok || !hi_ok) throw ConfigError(field, io::number_text(v), "must be in " + range_text(p));
  if (p.integer && v != std::floor(v)) throw ConfigError(field, io::number_text(v), "must be a whole number");
}

int DesignTable::column(const std::string& name) const {
  for (std::size_t p = 0; p < names.size(); ++p)
    if (names[p] == name) return static_cast<int>(p);
  return -1;
}

std::string DesignTable::source(std::size_t v, std::size_t p) const {
  if (kind == "grid") {
    // Mixed-radix digits of v, the last column fastest.
    std::uint64_t rest = v;
    std::uint64_t digit = 0;
    for (std::size_t q = names.size(); q-- > p;) {
      digit = rest % grid_shape[q];
      rest /= grid_shape[q];
    }
    return path + "." + names[p] + "[" + std::to_string(digit) + "]";
  }
  if (kind == "list") return path + "[" + std::to_string(v) + "]." + names[p];
  return path + ".ranges." + names[p] + " (sample " + std::to_string(v) + ")";
}

DesignTable full_grid(const std::vector<std::string>& names, const std::vector<std::vector<double>>& values) {
  DesignTable t;
  t.kind = "grid";
  t.names = names;
  std::uint64_t n = names.empty() ? 0 : 1;
  for (const auto& v : values) {
    t.grid_shape.push_back(v.size());
    n = v.empty() ? 0 : (n > kMaxDesignVariants ? n : n * v.size());
  }
  check_count("design.grid", n);
  t.values.resize(n * names.size());
  for (std::uint64_t k = 0; k < n; ++k) {
    std::uint64_t rest = k;
    for (std::size_t q = names.size(); q-- > 0;) {
      t.values[k * names.size() + q] = values[q][rest % values[q].size()];
      rest /= values[q].size();
    }
  }
  return t;
}

DesignTable random_uniform(const std::vector<DesignRange>& ranges, std::uint64_t n, std::uint64_t seed) {
  DesignTable t = sampled("random", ranges, n);
  for (std::uint64_t k = 0; k < n; ++k)
    for (std::size_t d = 0; d < ranges.size(); ++d)
      t.values[k * ranges.size() + d] = from_unit(
          ranges[d],
          philox_uniform(seed, static_cast<std::int64_t>(k), static_cast<std::uint32_t>(d), kSampleStream));
  return t;
}

DesignTable latin_hypercube(const std::vector<DesignRange>& ranges, std::uint64_t n, std::uint64_t seed) {
  DesignTable t = sampled("lhs", ranges, n);
  std::vector<std::uint64_t> stratum(n);
  for (std::size_t d = 0; d < ranges.size(); ++d) {
    // Fisher–Yates shuffle of the strata, one Philox draw per position.
    std::iota(stratum.begin(), stratum.end(), std::uint64_t{0});
    for (std::uint64_t k = n; k-- > 1;) {
      const double u = philox_uniform(seed, static_cast<std::int64_t>(k), static_cast<std::uint32_t>(d),
                                      kPermutationStream);
      std::swap(stratum[k], stratum[std::min(k, static_cast<std::uint64_t>(u * static_cast<double>(k + 1)))]);
    }
    for (std::uint64_t k = 0; k < n; ++k) {
      const double jitter =
          philox_uniform(seed, static_cast<std::int64_t>(k), static_cast<std::uint32_t>(d), kSampleStream);
      // Clamped below 1 so that rounding cannot push a sample into the next stratum.
      const double q = std::min((static_cast<double>(stratum[k]) + jitter) / static_cast<double>(n),
                                std::nextafter(1.0, 0.0));
      t.values[k * ranges.size() + d] = from_unit(ranges[d], q);
    }
  }
  return t;
}

DesignTable parse_design(const nlohmann::json& design, const std::string& path,
                         const std::vector<DesignParameter>& known) {
  io::JsonObjectReader r(design, path);
  const char* kinds[] = {"grid", "list", "random", "lhs"};
  std::string kind;
  for (const char* k : kinds) {
    if (!r.has(k)) continue;
    if (!kind.empty())
      throw ConfigError(r.field(k), "", "a design has one kind; \"" + kind + "\" is given too");
    kind = k;
  }
  if (kind.empty())
    throw ConfigError(path, io::json_text(design),
                      "the design is empty: give \"grid\", \"list\", \"random\" or \"lhs\"");
  const std::string field = r.field(kind);
  DesignTable t;
  if (kind == "grid") {
    const nlohmann::json& g = r.member("grid");
    if (!g.is_object() || g.empty())
      throw ConfigError(field, io::json_text(g), "the design is empty: give {name: [values]}");
    std::vector<std::string> names;
    std::vector<std::vector<double>> values;
    for (auto it = g.begin(); it != g.end(); ++it) {
      const std::string f = field + "." + it.key();
      const DesignParameter& p = find_known(known, it.key(), f);
      std::vector<double> v = number_list(it.value(), f);
      if (v.empty()) throw ConfigError(f, "[]", "the design is empty: no values");
      for (std::size_t k = 0; k < v.size(); ++k)
        check_design_value(p, f + "[" + std::to_string(k) + "]", v[k]);
      names.push_back(it.key());
      values.push_back(std::move(v));
    }
    t = full_grid(names, values);
  } else if (kind == "list") {
    const nlohmann::json& l = r.member("list");
    if (!l.is_array()) throw ConfigError(field, io::json_text(l), "expected a list of {name: value} objects");
    if (l.empty()) throw ConfigError(field, "[]", "the design is empty: it needs at least one variant");
    check_count(field, l.size());
    t.kind = "list";
    for (std::size_t v = 0; v < l.size(); ++v) {
      const std::string fv = field + "[" + std::to_string(v) + "]";
      if (!l[v].is_object() || l[v].empty())
        throw ConfigError(fv, io::json_text(l[v]), "expected a non-empty {name: value} object");
      if (v == 0)
        for (auto it = l[0].begin(); it != l[0].end(); ++it) t.names.push_back(it.key());
      for (auto it = l[v].begin(); it != l[v].end(); ++it)
        if (std::find(t.names.begin(), t.names.end(), it.key()) == t.names.end()) {
          find_known(known, it.key(), fv + "." + it.key());
          throw ConfigError(fv + "." + it.key(), "",
                            "not set by " + field + "[0]: every entry must set the same parameters");
        }
      for (const auto& name : t.names) {
        const std::string f = fv + "." + name;
        const DesignParameter& p = find_known(known, name, f);
        if (!l[v].contains(name))
          throw ConfigError(f, "", "missing: every entry must set the same parameters as " + field + "[0]");
        const double x = io::as_number(l[v][name], f);
        check_design_value(p, f, x);
        t.values.push_back(x);
      }
    }
  } else {
    io::JsonObjectReader s(r.member(kind), field);
    const std::int64_t n = s.integer("n");
    if (n <= 0) throw ConfigError(s.field("n"), std::to_string(n), "the design is empty: n must be >= 1");
    check_count(s.field("n"), static_cast<std::uint64_t>(n));
    const std::uint64_t seed = s.unsigned_integer("seed", 0);
    const std::vector<DesignRange> ranges = parse_ranges(s, known);
    s.finish();
    t = kind == "random" ? random_uniform(ranges, static_cast<std::uint64_t>(n), seed)
                         : latin_hypercube(ranges, static_cast<std::uint64_t>(n), seed);
  }
  r.finish();
  t.path = field;
  return t;
}

}  // namespace glia::sim
