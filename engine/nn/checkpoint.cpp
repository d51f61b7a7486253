#include "engine/nn/checkpoint.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "engine/io/checksum.hpp"
#include "engine/io/hdf5_file.hpp"
#include "engine/io/hdf5_writer.hpp"
#include "engine/io/json_reader.hpp"

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
  io::Hdf5File f = [&] {
    try {
      return io::Hdf5File::open(path, false);
    } catch (const RuntimeError& e) {  // truncated or otherwise damaged: a bad input, named
      throw ConfigError(field, path, e.what());
    }
  }();
  if (!f.has_attribute("/", "format") || f.string_attribute("/", "format") != format_name)
    throw ConfigError(field, path, "not a glia checkpoint (no format = \"glia-checkpoint\" attribute)");
  if (!f.has_attribute("/", "complete") || f.int_attribute("/", "complete") != 1)
    throw ConfigError(field, path, "incomplete checkpoint");
  return f;
}

// The checksum of a dataset's values, stored as an attribute "checksum <dataset>" of the root.
std::int64_t checksum_of(const std::vector<double>& v) {
  io::Checksum c;
  c.add(v);
  return c.value();
}

// Reads a dataset into a tensor, refusing a file whose values are not what was written (checksum), are not
// finite, or do not fit the tensor.
template <class T>
void load_tensor(const io::Hdf5File& f, const std::string& dataset, Tensor<T>& into, const std::string& field,
                 const std::string& path) {
  std::vector<double> v;
  try {
    v = f.read_f64(dataset);
  } catch (const RuntimeError& e) {
    throw ConfigError(field, path, dataset + " cannot be read (the file is damaged): " + e.what());
  }
  if (static_cast<Index>(v.size()) != into.size())
    throw ConfigError(field, path,
                      dataset + " holds " + std::to_string(v.size()) +
                          " values; the model's parameter has shape " + shape_string(into.shape()) +
                          " (a checkpoint from a different model?)");
  // The dataset's own dimensions, as written (dims_of): the same count in another shape is another tensor.
  if (f.dims(dataset) != dims_of(into)) {
    std::string dims;
    for (const std::uint64_t d : f.dims(dataset)) dims += (dims.empty() ? "" : "x") + std::to_string(d);
    throw ConfigError(
        field, path,
        dataset + " has shape " + dims + "; the model's parameter has shape " + shape_string(into.shape()));
  }
  if (f.has_attribute("/", "checksums")) {
    const std::string key = "checksum " + dataset;
    if (!f.has_attribute("/", key) || f.int_attribute("/", key) != checksum_of(v))
      throw ConfigError(field, path,
                        dataset + " does not match its checksum: the file was altered or is damaged");
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]))
      throw ConfigError(field, path,
                        dataset + "[" + std::to_string(i) + "] = " + io::number_text(v[i]) +
                            ": a checkpoint holds finite values only");
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
  w.attribute("/", "train_seconds", state.train_seconds);
  w.attribute("/", "adam_steps", optimizer.steps());
  std::ostringstream order, shapes;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Parameter<T>& p = params[i];
    order << (i ? "\n" : "") << p.name;
    shapes << (i ? "\n" : "") << shape_string(p.value.shape());
    for (const auto& [group, values] : {std::pair{"/parameters/", as_double(p.value)},
                                        std::pair{"/adam_m/", as_double(optimizer.first_moments()[i])},
                                        std::pair{"/adam_v/", as_double(optimizer.second_moments()[i])}}) {
      w.dataset(group + p.name, values, dims_of(p.value));
      w.attribute("/", std::string("checksum ") + group + p.name, checksum_of(values));
    }
  }
  w.attribute("/", "checksums", std::int64_t{1});
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
  if (f.has_attribute("/", "train_seconds")) s.train_seconds = f.double_attribute("/", "train_seconds");
  return s;
}

template <class T>
CheckpointState read_checkpoint(const std::string& path, ParameterSet<T>& params, AdamW<T>* optimizer,
                                const std::string& field) {
  const CheckpointState s = read_checkpoint_state(path, field);
  const io::Hdf5File f = open_checkpoint(path, field);
  std::istringstream order(f.string_attribute("/parameters", "order"));
  std::istringstream shapes(f.string_attribute("/parameters", "shapes"));
  std::size_t count = 0;
  for (std::string name, shape; std::getline(order, name); ++count) {
    if (!params.contains(name))
      throw ConfigError(field, path,
                        "holds parameter '" + name +
                            "', which the model does not have (a checkpoint from a different model?)");
    // The stored shape must be the model's, not only the number of values.
    if (std::getline(shapes, shape) && shape != shape_string(params.at(name).value.shape()))
      throw ConfigError(field, path,
                        "holds parameter '" + name + "' of shape " + shape + "; the model's is " +
                            shape_string(params.at(name).value.shape()));
  }
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
