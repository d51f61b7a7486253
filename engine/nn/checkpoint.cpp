#include "engine/nn/checkpoint.hpp"

#include <filesystem>
#include <sstream>

#include "engine/io/hdf5_file.hpp"
#include "engine/io/hdf5_writer.hpp"

namespace glia::nn {

namespace {

constexpr const char* format_name = "glia-checkpoint";

template <class T>
std::vector<double> as_double(const Tensor<T>& t) {
  return std::vector<double>(t.values().begin(), t.values().end());
}

// Hdf5Writer writes rank 1 or 2: leading axes are folded into rows (the model knows the true shape).
template <class T>
std::vector<std::uint64_t> dims_of(const Tensor<T>& t) {
  std::vector<std::uint64_t> d(t.shape().begin(), t.shape().end());
  if (d.size() > 2) {
    std::uint64_t rows = 1;
    for (std::size_t i = 0; i + 1 < d.size(); ++i) rows *= d[i];
    d = {rows, d.back()};
  }
  return d;
}

io::Hdf5File open_checkpoint(const std::string& path, const std::string& field) {
  if (!std::filesystem::exists(path)) throw ConfigError(field, path, "no such file");
  if (!io::Hdf5File::is_hdf5(path)) throw ConfigError(field, path, "not an HDF5 file");
  io::Hdf5File f = io::Hdf5File::open(path, false);
  if (!f.has_attribute("/", "format") || f.string_attribute("/", "format") != format_name)
    throw ConfigError(field, path, "not a glia checkpoint (no format = \"glia-checkpoint\" attribute)");
  if (!f.has_attribute("/", "complete") || f.int_attribute("/", "complete") != 1)
    throw ConfigError(field, path, "incomplete checkpoint");
  return f;
}

template <class T>
void load_tensor(const io::Hdf5File& f, const std::string& dataset, Tensor<T>& into, const std::string& field,
                 const std::string& path) {
  const std::vector<double> v = f.read_f64(dataset);
  if (static_cast<Index>(v.size()) != into.size())
    throw ConfigError(field, path,
                      dataset + " holds " + std::to_string(v.size()) +
                          " values; the model's parameter has shape " + shape_string(into.shape()) +
                          " (a checkpoint from a different model?)");
  for (Index i = 0; i < into.size(); ++i) into[i] = static_cast<T>(v[static_cast<std::size_t>(i)]);
}

}  // namespace

template <class T>
void write_checkpoint(const std::string& path, const ParameterSet<T>& params, AdamW<T>& optimizer,
                      const CheckpointState& state) {
  io::Hdf5Writer w(path, "checkpoint");
  w.provenance(state.config_json, state.seed);
  w.attribute("/", "format", std::string(format_name));
  w.attribute("/", "step", state.step);
  w.attribute("/", "examples_seen", state.examples_seen);
  w.attribute("/", "adam_steps", optimizer.steps());
  std::ostringstream order, shapes;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Parameter<T>& p = params[i];
    order << (i ? "\n" : "") << p.name;
    shapes << (i ? "\n" : "") << shape_string(p.value.shape());
    w.dataset("/parameters/" + p.name, as_double(p.value), dims_of(p.value));
    w.dataset("/adam_m/" + p.name, as_double(optimizer.first_moments()[i]), dims_of(p.value));
    w.dataset("/adam_v/" + p.name, as_double(optimizer.second_moments()[i]), dims_of(p.value));
  }
  w.attribute("/parameters", "order", order.str());
  w.attribute("/parameters", "shapes", shapes.str());
  w.commit();
}

CheckpointState read_checkpoint_state(const std::string& path, const std::string& field) {
  const io::Hdf5File f = open_checkpoint(path, field);
  CheckpointState s;
  s.config_json = f.string_attribute("/", "config");
  s.seed = static_cast<std::uint64_t>(f.int_attribute("/", "seed"));
  s.step = f.int_attribute("/", "step");
  s.examples_seen = f.int_attribute("/", "examples_seen");
  return s;
}

template <class T>
CheckpointState read_checkpoint(const std::string& path, ParameterSet<T>& params, AdamW<T>* optimizer,
                                const std::string& field) {
  const CheckpointState s = read_checkpoint_state(path, field);
  const io::Hdf5File f = open_checkpoint(path, field);
  std::istringstream order(f.string_attribute("/parameters", "order"));
  std::size_t count = 0;
  for (std::string name; std::getline(order, name); ++count)
    if (!params.contains(name))
      throw ConfigError(field, path,
                        "holds parameter '" + name +
                            "', which the model does not have (a checkpoint from a different model?)");
  for (std::size_t i = 0; i < params.size(); ++i) {
    Parameter<T>& p = params[i];
    if (!f.exists("/parameters/" + p.name))
      throw ConfigError(field, path,
                        "has no parameter '" + p.name + "' (a checkpoint from a different model?)");
    load_tensor(f, "/parameters/" + p.name, p.value, field, path);
    if (optimizer) {
      load_tensor(f, "/adam_m/" + p.name, optimizer->first_moments()[i], field, path);
      load_tensor(f, "/adam_v/" + p.name, optimizer->second_moments()[i], field, path);
    }
  }
  if (optimizer) optimizer->set_steps(f.int_attribute("/", "adam_steps"));
  return s;
}

template void write_checkpoint(const std::string&, const ParameterSet<float>&, AdamW<float>&,
                               const CheckpointState&);
template void write_checkpoint(const std::string&, const ParameterSet<double>&, AdamW<double>&,
                               const CheckpointState&);
template CheckpointState read_checkpoint(const std::string&, ParameterSet<float>&, AdamW<float>*,
                                         const std::string&);
template CheckpointState read_checkpoint(const std::string&, ParameterSet<double>&, AdamW<double>*,
                                         const std::string&);

}  // namespace glia::nn
