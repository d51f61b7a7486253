#include "data/listops.hpp"

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "data/random.hpp"
#include "engine/core/error.hpp"
#include "engine/core/philox.hpp"
#include "engine/io/json_reader.hpp"

namespace glia::data::listops {

namespace {

const char* const kOperatorNames[4] = {"[MIN", "[MAX", "[MED", "[SM"};

// Emits the prefix tokens of one candidate tree; node k (pre-order) is decided by Philox block
// (seed, candidate, k, kStream): words 0-1 give r, word 2 the digit or the argument count, word 3 the
// operator.
class Sampler {
 public:
  Sampler(std::uint64_t seed, std::int64_t candidate, const Params& p, std::vector<std::uint8_t>& out)
      : seed_(seed), candidate_(candidate), p_(p), out_(out) {}

  void tree(int depth) {
    if (too_long_) return;
    const Philox4x32 b = philox_block(seed_, candidate_, node_++, kStream);
    const double r = depth < p_.max_depth ? philox_unit(b.v[0], b.v[1]) : 1.0;
    if (r > p_.value_p) {
      emit(kDigit0 + static_cast<std::int32_t>(word_below(b.v[2], 10)));
      return;
    }
    const auto args = 2 + word_below(b.v[2], p_.max_args - 1);
    emit(kMin + static_cast<std::int32_t>(word_below(b.v[3], 4)));
    for (std::int64_t a = 0; a < args && !too_long_; ++a) tree(depth + 1);
    emit(kClose);
  }
  bool too_long() const { return too_long_; }

 private:
  void emit(std::int32_t token) {
    if (too_long_) return;
    out_.push_back(static_cast<std::uint8_t>(token));
    if (static_cast<std::int64_t>(out_.size()) >= p_.max_length) too_long_ = true;
  }
  std::uint64_t seed_;
  std::int64_t candidate_;
  const Params& p_;
  std::vector<std::uint8_t>& out_;
  std::uint32_t node_ = 0;
  bool too_long_ = false;
};

int apply(std::int32_t op, std::vector<int>& values) {
  switch (op) {
    case kMin:
      return *std::min_element(values.begin(), values.end());
    case kMax:
      return *std::max_element(values.begin(), values.end());
    case kMed: {
      std::sort(values.begin(), values.end());
      const std::size_t n = values.size();
      return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;  // non-negative: floor
    }
    default: {
      int sum = 0;
      for (int v : values) sum += v;
      return sum % 10;
    }
  }
}

std::string hex(std::uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::uint64_t row_hash(const TokenMatrix& tokens, std::int64_t row, std::int64_t length) {
  const auto& bytes = std::get<std::vector<std::uint8_t>>(tokens.storage());
  return fnv1a64(bytes.data() + row * tokens.width(), static_cast<std::size_t>(length));
}

class ListOpsTask : public Task {
 public:
  ListOpsTask(std::uint64_t seed, const Params& p) : seed_(seed), p_(p) {
    Manifest& m = base_;
    m.task = "listops";
    m.generator_version = kGeneratorVersion;
    m.seed = seed;
    m.parameters = {{"min_length", p.min_length}, {"max_length", p.max_length}, {"root_depth", p.root_depth},
                    {"max_depth", p.max_depth},   {"max_args", p.max_args},     {"value_p", p.value_p},
                    {"stream", hex(kStream)}};
    m.vocab_size = kVocabSize;
    m.num_classes = kNumClasses;
    m.max_length = p.max_length;
    m.token_type = token_type_for(kVocabSize);
    m.token_map = {{"0", "pad"},       {"1-10", "digits 0-9 (id = digit + 1)"},
                   {"11", "[MIN"},     {"12", "[MAX"},
                   {"13", "[MED"},     {"14", "[SM (sum mod 10)"},
                   {"15", "] (close)"}};
  }

  ShardContent generate(const std::string&, std::int64_t, std::int64_t count,
                        const ProgressFn& progress) override {
    constexpr std::int64_t kBlock = 4096;
    constexpr std::int64_t kGiveUpAfter = 50'000'000;  // candidates in a row without a kept tree
    ShardContent c;
    c.tokens = TokenMatrix(base_.token_type, count, p_.max_length);
    auto& bytes = std::get<std::vector<std::uint8_t>>(c.tokens.storage());
    const std::int64_t candidate_first = cursor_;
    std::int64_t too_short = 0, too_long = 0, duplicates = 0, since_kept = 0;
    std::vector<std::vector<std::uint8_t>> trees(kBlock);
    std::vector<Outcome> outcomes(kBlock);
    std::vector<std::int32_t> row;
    while (c.size() < count) {
      // Candidates are sampled in parallel and filtered in order, so the result does not depend on threads.
      const std::int64_t block_first = cursor_;
#pragma omp parallel for schedule(dynamic, 64)
      for (std::int64_t i = 0; i < kBlock; ++i) {
        trees[static_cast<std::size_t>(i)].clear();
        outcomes[static_cast<std::size_t>(i)] =
            sample_candidate(seed_, block_first + i, p_, trees[static_cast<std::size_t>(i)]);
      }
      for (std::int64_t i = 0; i < kBlock && c.size() < count; ++i) {
        ++cursor_;
        ++since_kept;
        const auto& t = trees[static_cast<std::size_t>(i)];
        switch (outcomes[static_cast<std::size_t>(i)]) {
          case Outcome::too_short:
            ++too_short;
            continue;
          case Outcome::too_long:
            ++too_long;
            continue;
          case Outcome::kept:
            break;
        }
        if (!seen_.insert(fnv1a64(t.data(), t.size())).second) {
          ++duplicates;
          continue;
        }
        const std::int64_t r = c.size();
        std::copy(t.begin(), t.end(), bytes.begin() + r * p_.max_length);
        row.assign(t.begin(), t.end());
        c.lengths.push_back(static_cast<std::int32_t>(t.size()));
        c.labels.push_back(evaluate(row));
        since_kept = 0;
      }
      if (since_kept > kGiveUpAfter)
        throw RuntimeError("listops: no tree with " + std::to_string(p_.min_length) + " < length < " +
                           std::to_string(p_.max_length) + " in " + std::to_string(since_kept) +
                           " candidates; widen the length window");
      if (progress) progress(c.size());
    }
    c.info = {{"candidate_first", candidate_first},
              {"candidate_end", cursor_},
              {"too_short", too_short},
              {"too_long", too_long},
              {"duplicates", duplicates}};
    return c;
  }

  void skip(const std::string&, std::int64_t, const ShardContent& existing) override {
    if (!existing.info.contains("candidate_end") || !existing.info["candidate_end"].is_number_integer())
      throw RuntimeError("listops shard without candidate_end in its manifest entry");
    for (std::int64_t i = 0; i < existing.size(); ++i)
      seen_.insert(row_hash(existing.tokens, i, existing.lengths[static_cast<std::size_t>(i)]));
    cursor_ = existing.info["candidate_end"].get<std::int64_t>();
  }

  nlohmann::json statistics(const Manifest& m) const override {
    std::int64_t candidates = 0, kept = 0, too_short = 0, too_long = 0, duplicates = 0;
    for (const auto& [name, s] : m.splits) {
      for (const auto& sh : s.shards) {
        const auto get = [&](const char* key) {
          return sh.info.contains(key) ? sh.info[key].get<std::int64_t>() : std::int64_t{0};
        };
        candidates += get("candidate_end") - get("candidate_first");
        too_short += get("too_short");
        too_long += get("too_long");
        duplicates += get("duplicates");
        kept += sh.examples;
      }
    }
    return {
        {"candidates_sampled", candidates},
        {"kept", kept},
        {"kept_fraction", candidates > 0 ? static_cast<double>(kept) / static_cast<double>(candidates) : 0.0},
        {"rejected_too_short", too_short},
        {"rejected_too_long", too_long},
        {"rejected_duplicates", duplicates}};
  }

  void verify(const std::string&, std::int64_t first, const ShardContent& c,
              const std::string& path) override {
    std::vector<std::int32_t> row;
    for (std::int64_t i = 0; i < c.size(); ++i) {
      const auto where = [&] {
        return "shard " + path + ": example " + std::to_string(i) + " (index " + std::to_string(first + i) +
               ")";
      };
      const std::int32_t len = c.lengths[static_cast<std::size_t>(i)];
      if (len <= p_.min_length || len >= p_.max_length)
        throw RuntimeError(where() + ": length " + std::to_string(len) + " outside the window (" +
                           std::to_string(p_.min_length) + ", " + std::to_string(p_.max_length) + ")");
      row.resize(static_cast<std::size_t>(len));
      c.tokens.copy_row(i, len, row.data());
      int value = -1;
      try {
        value = evaluate(row);
      } catch (const RuntimeError& e) {
        throw RuntimeError(where() + ": " + e.what());
      }
      if (value != c.labels[static_cast<std::size_t>(i)])
        throw RuntimeError(where() + ": label " + std::to_string(c.labels[static_cast<std::size_t>(i)]) +
                           " but the tree evaluates to " + std::to_string(value));
      if (!verified_.insert(row_hash(c.tokens, i, len)).second)
        throw RuntimeError(where() + ": repeats an earlier example");
    }
  }

 private:
  std::uint64_t seed_;
  Params p_;
  std::int64_t cursor_ = 0;                 // next candidate tree to sample
  std::unordered_set<std::uint64_t> seen_;  // hashes of kept trees (de-duplication across all splits)
  std::unordered_set<std::uint64_t> verified_;
};

void check_lengths(const Params& p) {
  if (p.min_length < 0 || p.min_length > 65534)
    throw ConfigError("--min-length", std::to_string(p.min_length), "must be in [0, 65534]");
  if (p.max_length < p.min_length + 2 || p.max_length > 65536)
    throw ConfigError(
        "--max-length", std::to_string(p.max_length),
        "must be at least --min-length + 2 (lengths are kept if min < length < max) and at most 65536");
}

}  // namespace

Outcome sample_candidate(std::uint64_t seed, std::int64_t candidate, const Params& p,
                         std::vector<std::uint8_t>& tokens) {
  tokens.clear();
  Sampler s(seed, candidate, p, tokens);
  s.tree(p.root_depth);
  if (s.too_long()) return Outcome::too_long;
  if (static_cast<std::int64_t>(tokens.size()) <= p.min_length) return Outcome::too_short;
  return Outcome::kept;
}

int evaluate(const std::int32_t* tokens, std::int64_t n) {
  struct Frame {
    std::int32_t op;
    std::vector<int> values;
  };
  std::vector<Frame> stack;
  int root = -1;
  const auto deliver = [&](int value, std::int64_t at) {
    if (!stack.empty()) {
      stack.back().values.push_back(value);
    } else if (root < 0) {
      root = value;
    } else {
      throw RuntimeError("token " + std::to_string(at) + " follows a complete tree");
    }
  };
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t t = tokens[i];
    if (t >= kDigit0 && t < kDigit0 + 10) {
      deliver(t - kDigit0, i);
    } else if (t >= kMin && t <= kSum) {
      if (stack.empty() && root >= 0)
        throw RuntimeError("token " + std::to_string(i) + " follows a complete tree");
      stack.push_back(Frame{t, {}});
    } else if (t == kClose) {
      if (stack.empty()) throw RuntimeError("close token at " + std::to_string(i) + " without an operator");
      Frame f = std::move(stack.back());
      stack.pop_back();
      if (f.values.empty())
        throw RuntimeError("operator closed at " + std::to_string(i) + " has no arguments");
      deliver(apply(f.op, f.values), i);
    } else {
      throw RuntimeError("token " + std::to_string(t) + " at " + std::to_string(i) +
                         " is not a ListOps token");
    }
  }
  if (!stack.empty()) throw RuntimeError(std::to_string(stack.size()) + " operator(s) never closed");
  if (root < 0) throw RuntimeError("empty sequence");
  return root;
}

int evaluate(const std::vector<std::int32_t>& tokens) {
  return evaluate(tokens.data(), static_cast<std::int64_t>(tokens.size()));
}

std::vector<std::int32_t> parse(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::int32_t> out;
  std::string word;
  while (in >> word) {
    if (word.size() == 1 && word[0] >= '0' && word[0] <= '9') {
      out.push_back(kDigit0 + (word[0] - '0'));
    } else if (word == "]") {
      out.push_back(kClose);
    } else {
      const auto* it = std::find(std::begin(kOperatorNames), std::end(kOperatorNames), word);
      if (it == std::end(kOperatorNames))
        throw ConfigError("listops", "\"" + word + "\"", "not a ListOps token");
      out.push_back(kMin + static_cast<std::int32_t>(it - std::begin(kOperatorNames)));
    }
  }
  return out;
}

std::string to_text(const std::int32_t* tokens, std::int64_t n) {
  std::string s;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t t = tokens[i];
    if (!s.empty()) s += ' ';
    if (t >= kDigit0 && t < kDigit0 + 10)
      s += static_cast<char>('0' + (t - kDigit0));
    else if (t >= kMin && t <= kSum)
      s += kOperatorNames[t - kMin];
    else if (t == kClose)
      s += ']';
    else
      s += "<" + std::to_string(t) + ">";
  }
  return s;
}

std::unique_ptr<Task> make_task(const GenerateOptions& o) {
  if (o.source) throw ConfigError("--source", "\"" + *o.source + "\"", "only sfashion_mnist reads a source");
  if (o.contour_length)
    throw ConfigError("--contour-length", std::to_string(*o.contour_length), "only for pathfinder32");
  Params p;
  p.min_length = o.min_length.value_or(p.min_length);
  p.max_length = o.max_length.value_or(p.max_length);
  check_lengths(p);
  auto task = std::make_unique<ListOpsTask>(o.seed.value_or(1), p);
  set_sizes(task->mutable_base(), o, 96000, 2000, 2000, 10000);
  return task;
}

std::unique_ptr<Task> make_task(const Manifest& m) {
  Params p;
  try {
    io::JsonObjectReader r(m.parameters, "parameters");
    p.min_length = r.integer("min_length");
    p.max_length = r.integer("max_length");
    p.root_depth = static_cast<int>(r.integer("root_depth"));
    p.max_depth = static_cast<int>(r.integer("max_depth"));
    p.max_args = static_cast<int>(r.integer("max_args"));
    p.value_p = r.number("value_p");
    if (r.string("stream") != hex(kStream))
      throw ConfigError(r.field("stream"), "", "not this generator's stream");
    for (const char* k : {"train", "val", "test", "shard_size"}) r.integer(k);
    r.finish();
    check_lengths(p);
  } catch (const ConfigError& e) {
    throw ConfigError("manifest", "", e.what());
  }
  if (m.generator_version != kGeneratorVersion)
    throw ConfigError("manifest", "generator_version = " + m.generator_version,
                      std::string("this glia checks ") + kGeneratorVersion);
  auto task = std::make_unique<ListOpsTask>(m.seed, p);
  task->mutable_base() = m;
  return task;
}

}  // namespace glia::data::listops
