#pragma once
// Helpers shared by the parts of the network config parser (network_config.cpp, group_config.cpp,
// projection_config.cpp). Every error is a ConfigError naming the field.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/network/network_config.hpp"

namespace glia::network::detail {

std::string in_quotes(const std::string& s);
std::string num(double v);

std::vector<double> number_array(const nlohmann::json& a, const std::string& field);
std::vector<std::int64_t> integer_array(const nlohmann::json& a, const std::string& field);
// A number (the same for all n elements) or a list of n numbers.
std::vector<double> per_element(const nlohmann::json& v, const std::string& field, std::uint32_t n);

Schedule parse_schedule(const nlohmann::json& j, const std::string& path, const char* values_key,
                        double sim_dt);
InitValue parse_init_value(const nlohmann::json& v, const std::string& field, std::uint32_t n);
sim::Positions parse_positions(const nlohmann::json& j, const std::string& path, std::uint32_t n);
Windows parse_windows(const nlohmann::json& j, const std::string& path, const NetworkConfig& c,
                      const GroupConfig& g);

std::uint32_t group_named(const NetworkConfig& c, const std::string& field, const std::string& name);

GroupConfig parse_group(const nlohmann::json& j, const std::string& path, const NetworkConfig& c,
                        std::uint32_t index);
ProjectionConfig parse_projection(const nlohmann::json& j, const std::string& path, const NetworkConfig& c,
                                  std::uint32_t index);

// The state variables `init` may set, per group model.
std::vector<std::string> init_variables(GroupModel m);

}  // namespace glia::network::detail
