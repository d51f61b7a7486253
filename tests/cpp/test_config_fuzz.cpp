// Fuzzing the JSON config readers: random mutations of the example configs (values of the wrong type or
// range, deleted and unknown keys, emptied or grown lists, deep nesting) must never crash, and every refusal
// must be a ConfigError that names a field; a RuntimeError is allowed only from running a mutated network (a
// state that diverges, named by the engine). Deterministic (a fixed seed and count; ~3 s), so it runs in CI.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "engine/core/error.hpp"
#include "engine/io/json_reader.hpp"
#include "models/mapping/retention.hpp"
#include "models/nets/training.hpp"
#include "models/network/network.hpp"
#include "models/simulation/driven_network.hpp"
#include "models/sweep/sweep_config.hpp"

using nlohmann::json;

namespace {

json read_config(const std::string& relative) {
  std::ifstream in(std::string(GLIA_SOURCE_DIR) + "/" + relative);
  return json::parse(in);
}

// Every node of a value, as JSON pointers.
void collect(const json& v, const json::json_pointer& at, std::vector<json::json_pointer>& out) {
  out.push_back(at);
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it) collect(it.value(), at / it.key(), out);
  if (v.is_array())
    for (std::size_t k = 0; k < v.size(); ++k) collect(v[k], at / k, out);
}

json mutate(json c, std::mt19937_64& rng) {
  std::vector<json::json_pointer> nodes;
  collect(c, json::json_pointer(), nodes);
  const auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  const json::json_pointer at = nodes[pick(nodes.size())];
  static const std::vector<json> values{0,
                                        -1,
                                        1,
                                        0.5,
                                        -1e300,
                                        1e300,
                                        1e-300,
                                        2147483648,
                                        -2147483649,
                                        18446744073709551615ull,
                                        "",
                                        "x",
                                        "nan",
                                        "inf",
                                        nullptr,
                                        true,
                                        json::array(),
                                        json::object(),
                                        json::array({1, 2, 3}),
                                        json::array({"a"})};
  switch (pick(6)) {
    case 0:  // a value of another type or range
      c[at] = values[pick(values.size())];
      break;
    case 1:  // a key removed
      if (!at.empty())
        c[at.parent_pointer()].is_object() ? (void)c[at.parent_pointer()].erase(at.back())
                                           : (void)(c[at] = nullptr);
      break;
    case 2:  // an unknown key
      if (c[at].is_object()) c[at]["not_a_key"] = 1;
      break;
    case 3:  // a list emptied or grown
      if (c[at].is_array()) {
        if (pick(2) == 0) {
          c[at] = json::array();
        } else if (!c[at].empty()) {
          c[at].push_back(c[at][0]);
        }
      }
      break;
    case 4: {  // nested deeply
      json deep = 1;
      for (int k = 0; k < 200; ++k) deep = json::array({deep});
      c[at] = deep;
      break;
    }
    default:  // a number scaled far out
      if (c[at].is_number()) c[at] = c[at].get<double>() * (pick(2) ? 1e12 : -1.0);
      break;
  }
  return c;
}

// Runs `read` on `count` mutations of `base` (stopping only past 20 × `seconds`); every failure must be a
// ConfigError naming a field. The text goes through the strict reader as a file's would.
void fuzz(const json& base, const std::function<void(const json&)>& read, int count, double seconds,
          std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  int errors = 0;
  for (int k = 0; k < count; ++k) {
    // A safety net for a very slow machine (ASan, a busy CI host): the count, not the clock, sets the
    // coverage.
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > 20 * seconds) break;
    json c = mutate(base, rng);
    if (k % 3 == 0) c = mutate(c, rng);  // two mutations at once, sometimes
    std::string text;
    try {
      text = c.dump();
    } catch (const json::exception&) {
      continue;  // not representable as JSON text (never a config)
    }
    try {
      read(glia::io::parse_json(text, "fuzz"));
    } catch (const glia::ConfigError& e) {
      ++errors;
      EXPECT_FALSE(e.field().empty()) << e.what() << "\n" << text.substr(0, 300);
    } catch (const glia::RuntimeError&) {
      // A run that fails at run time (a state that diverges): allowed, it names what failed.
    } catch (const std::exception& e) {
      ADD_FAILURE() << "escaped as " << typeid(e).name() << ": " << e.what() << "\n" << text.substr(0, 300);
    }
  }
  EXPECT_GT(errors, 0);  // the mutations do reach the checks
}

}  // namespace

TEST(ConfigFuzz, NetworkConfigs) {
  for (const char* path :
       {"experiments/configs/every_model.json", "experiments/configs/tripartite_network.json"}) {
    json base = read_config(path);
    base["simulation"]["duration"] = 0.002;  // build and run briefly: some checks happen when connecting
    fuzz(
        base,
        [](const json& c) {
          const auto config = glia::network::parse_network_config(c);
          glia::network::Network net(config);
          net.run();
        },
        250, 25.0, 1);
  }
}

TEST(ConfigFuzz, DrivenSynapseSweepRetentionAndTrainingConfigs) {
  json driven = read_config("experiments/configs/synapse_demo.json");
  driven["simulation"]["duration"] = 0.01;
  fuzz(
      driven,
      [](const json& c) {
        const auto config = glia::network::parse_network_config(glia::simulation::as_network_config(c));
        glia::network::run_network(config);
      },
      200, 10.0, 2);
  fuzz(
      read_config("experiments/configs/sweep_obeta_rate.json"),
      [](const json& c) { glia::sweep::parse_sweep_config(c); }, 200, 10.0, 3);
  fuzz(
      read_config("experiments/configs/sweep_network_alpha.json"),
      [](const json& c) { glia::sweep::parse_sweep_config(c); }, 200, 10.0, 4);
  fuzz(
      read_config("experiments/configs/nn/retention_rmaat.json"),
      [](const json& c) { glia::mapping::parse_retention_config(c); }, 200, 10.0, 5);
  fuzz(
      read_config("experiments/configs/nn/listops512_rmaat.json"),
      [](const json& c) { glia::nets::parse_train_config(c); }, 200, 10.0, 6);
}
