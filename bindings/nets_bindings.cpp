#include "bindings/nets_bindings.hpp"

#include <pybind11/stl.h>

#include "bindings/array_conversion.hpp"
#include "engine/io/json_reader.hpp"
#include "engine/nn/checkpoint.hpp"
#include "models/nets/sequence_classifier.hpp"
#include "models/nets/simulated_attention.hpp"
#include "models/nets/training.hpp"

namespace py = pybind11;

namespace glia::python {

namespace {

using nn::Tensor;

nets::ModelConfig model_config(const std::string& config_json) {
  return nets::parse_model_config(io::parse_json(config_json, "config"));
}

template <class T>
py::dict weights_dict(const nn::ParameterSet<T>& params, bool grads) {
  py::dict d;
  for (std::size_t i = 0; i < params.size(); ++i)
    d[py::str(params[i].name)] = to_array(grads ? params[i].grad : params[i].value);
  return d;
}

// Copies every entry of `weights` into the model; a missing, unknown or wrongly shaped weight is a
// ConfigError naming it.
template <class T>
void load_weights(nn::ParameterSet<T>& params, const py::dict& weights) {
  for (auto item : weights) {
    const std::string name = py::cast<std::string>(item.first);
    nn::Parameter<T>& p = params.at(name, "weights");
    const Tensor<T> value = to_tensor(py::cast<Array<T>>(item.second));
    nn::require_shape(value, p.value.shape(), "weights[" + name + "]");
    p.value = value;
  }
  if (weights.size() != params.size())
    for (std::size_t i = 0; i < params.size(); ++i)
      if (!weights.contains(params[i].name)) throw ConfigError("weights", params[i].name, "missing");
}

template <class T>
py::dict forward_backward(const nets::ModelConfig& config, const py::dict& weights,
                          const Array<std::int32_t>& tokens, const Array<std::uint8_t>& mask,
                          const Array<std::int32_t>& labels, const std::string& strategy) {
  nets::SequenceClassifier<T> model(config);
  load_weights(model.parameters(), weights);
  nn::Batch batch{to_tensor(tokens), to_tensor(mask), to_tensor(labels)};
  nets::TrainingPass pass;
  if (config.segmented)
    pass.strategy = nets::strategy_from_name("strategy", strategy.empty() ? "bptt" : strategy);
  model.parameters().zero_grads();
  const nets::PassStats stats = model.forward_backward(batch, pass);
  const auto evaluation = model.evaluate(batch);
  py::dict out;
  out["loss"] = stats.loss;
  out["correct"] = stats.correct;
  out["logits"] = to_array(evaluation.logits);
  out["grads"] = weights_dict(model.parameters(), true);
  return out;
}

nets::SimulatedAttention simulated_settings(double tau_ratio, double dt_ratio, const std::string& method,
                                            double neuron_leak, double synapse_leak) {
  nets::SimulatedAttention s;
  s.tau_ratio = tau_ratio;
  s.dt_ratio = dt_ratio;
  s.method = method;
  s.neuron_leak = neuron_leak;
  s.synapse_leak = synapse_leak;
  return s;
}

py::array_t<double> matrix_array(const mapping::Matrix& x) {
  py::array_t<double> a({static_cast<py::ssize_t>(x.rows()), static_cast<py::ssize_t>(x.cols())});
  std::copy(x.data(), x.data() + x.size(), a.mutable_data());
  return a;
}

py::dict eval_dict(const nets::EvalResult& e) {
  py::dict d;
  d["split"] = e.split;
  d["loss"] = e.loss;
  d["accuracy"] = e.accuracy;
  d["examples"] = e.examples;
  return d;
}

}  // namespace

void bind_nets(py::module_& m) {
  m.def(
      "nn_train",
      [](const std::string& config_json, bool progress) {
        const nets::TrainConfig c = nets::parse_train_config(io::parse_json(config_json, "config"));
        nets::TrainOptions options;
        options.progress = progress;
        nets::TrainResult r;
        {
          py::gil_scoped_release release;
          r = nets::train(c, options);
        }
        py::dict d;
        d["step"] = r.step;
        d["resumed_from"] = r.resumed_from;
        d["train_seconds"] = r.train_seconds;
        py::list evaluations;
        for (const auto& e : r.evaluations) evaluations.append(eval_dict(e));
        d["evaluations"] = evaluations;
        d["checkpoint"] = r.checkpoint;
        d["metrics"] = r.metrics;
        d["result"] = r.result;
        return d;
      },
      py::arg("config_json"), py::arg("progress") = true, "Train (or resume) a run; see glia.nn.train.");
  m.def(
      "nn_load_checkpoint",
      [](const std::string& path) {
        const nn::CheckpointState s = nn::read_checkpoint_state(path, "checkpoint");
        const nets::TrainConfig c =
            nets::parse_checkpoint_config(s.config_json, "checkpoint config");
        nets::SequenceClassifier<float> model(c.model);
        nn::read_checkpoint<float>(path, model.parameters(), nullptr, "checkpoint");
        py::dict d;
        d["config"] = s.config_json;
        d["step"] = s.step;
        d["examples_seen"] = s.examples_seen;
        d["seed"] = s.seed;
        d["weights"] = weights_dict(model.parameters(), false);
        return d;
      },
      py::arg("path"), "Config, position and weights (float32) of a training checkpoint.");
  m.def(
      "nn_evaluate_checkpoint",
      [](const std::string& path, const std::string& split, const std::string& data, std::int64_t batch_size,
         std::int64_t examples) {
        nets::EvalResult e;
        {
          py::gil_scoped_release release;
          e = nets::evaluate_checkpoint(path, split, data, batch_size, examples);
        }
        return eval_dict(e);
      },
      py::arg("path"), py::arg("split") = "test", py::arg("data") = "", py::arg("batch_size") = 32,
      py::arg("examples") = 0);
  m.def(
      "nn_compare_simulated",
      [](const std::string& path, const std::string& split, const std::string& data, std::int64_t examples,
         std::int64_t batch_size, double tau_ratio, double dt_ratio, const std::string& method,
         double neuron_leak, double synapse_leak, bool progress, const std::string& output) {
        nets::SimulatedComparisonOptions o;
        o.split = split;
        o.data_path = data;
        o.examples = examples;
        o.batch_size = batch_size;
        o.settings = simulated_settings(tau_ratio, dt_ratio, method, neuron_leak, synapse_leak);
        o.progress = progress;
        o.output = output;
        nlohmann::json r;
        {
          py::gil_scoped_release release;
          r = nets::compare_simulated_checkpoint(path, o);
        }
        return r.dump();
      },
      py::arg("path"), py::arg("split") = "test", py::arg("data") = "", py::arg("examples") = 0,
      py::arg("batch_size") = 32, py::arg("tau_ratio") = 0.01, py::arg("dt_ratio") = 1.0,
      py::arg("method") = "rk4", py::arg("neuron_leak") = 1.0, py::arg("synapse_leak") = 0.0,
      py::arg("progress") = false, py::arg("output") = "",
      "Operator against simulated heads on a split (JSON text); see glia.nn.Model.compare_simulated.");
  m.def(
      "nn_model_simulated_logits",
      [](const std::string& config_json, const py::dict& weights, const Array<std::int32_t>& tokens,
         const Array<std::uint8_t>& mask, double tau_ratio, double dt_ratio, const std::string& method,
         double neuron_leak, double synapse_leak) {
        const mapping::SimulatedHeadSettings settings =
            nets::head_settings(simulated_settings(tau_ratio, dt_ratio, method, neuron_leak, synapse_leak));
        nets::SequenceClassifier<float> model(model_config(config_json));
        load_weights(model.parameters(), weights);
        nn::Batch batch{to_tensor(tokens), to_tensor(mask), Tensor<std::int32_t>({tokens.shape(0)})};
        nets::SequenceClassifier<float>::Evaluation e;
        {
          py::gil_scoped_release release;
          e = nets::evaluate_simulated(model, batch, settings);
        }
        return to_array(e.logits);
      },
      py::arg("config_json"), py::arg("weights"), py::arg("tokens"), py::arg("mask"),
      py::arg("tau_ratio") = 0.01, py::arg("dt_ratio") = 1.0, py::arg("method") = "rk4",
      py::arg("neuron_leak") = 1.0, py::arg("synapse_leak") = 0.0,
      "Logits (B, C) with every attention head simulated (float32 model).");
  m.def(
      "nn_model_head_inputs",
      [](const std::string& config_json, const py::dict& weights, const Array<std::int32_t>& tokens,
         const Array<std::uint8_t>& mask, nn::Index example, nn::Index segment, nn::Index layer,
         nn::Index head) {
        nets::SequenceClassifier<float> model(model_config(config_json));
        load_weights(model.parameters(), weights);
        nn::Batch batch{to_tensor(tokens), to_tensor(mask), Tensor<std::int32_t>({tokens.shape(0)})};
        const nets::CapturedHead h = nets::capture_head(model, batch, example, segment, layer, head);
        py::dict d;
        d["q"] = matrix_array(h.inputs.q);
        d["k"] = matrix_array(h.inputs.k);
        d["v"] = matrix_array(h.inputs.v);
        d["activity"] = h.inputs.activity.size() ? py::object(matrix_array(h.inputs.activity)) : py::none();
        d["alpha"] = h.inputs.alpha;
        d["nonlinearity"] = h.inputs.nonlinearity;
        d["epsilon"] = h.inputs.epsilon;
        d["synaptic_scale"] = h.inputs.synaptic_scale;
        d["key_rows"] = h.key_rows;
        d["query_rows"] = h.query_rows;
        return d;
      },
      py::arg("config_json"), py::arg("weights"), py::arg("tokens"), py::arg("mask"), py::arg("example") = 0,
      py::arg("segment") = 0, py::arg("layer") = 0, py::arg("head") = 0,
      "The inputs one head's simulation is given (real keys and queries, A, c) for a batch.");
  m.def(
      "nn_model_logits",
      [](const std::string& config_json, const py::dict& weights, const Array<std::int32_t>& tokens,
         const Array<std::uint8_t>& mask) {
        nets::SequenceClassifier<float> model(model_config(config_json));
        load_weights(model.parameters(), weights);
        nn::Batch batch{to_tensor(tokens), to_tensor(mask), Tensor<std::int32_t>({tokens.shape(0)})};
        return to_array(model.evaluate(batch).logits);
      },
      py::arg("config_json"), py::arg("weights"), py::arg("tokens"), py::arg("mask"),
      "Logits (B, C) of a model (float32, no dropout).");
  m.def(
      "nn_model_init",
      [](const std::string& config_json) {
        const nets::SequenceClassifier<double> model(model_config(config_json));
        return weights_dict(model.parameters(), false);
      },
      py::arg("config_json"), "glia's initial weights of a model config (float64), by parameter name.");
  m.def(
      "nn_model_forward_backward",
      [](const std::string& config_json, const py::dict& weights, const Array<std::int32_t>& tokens,
         const Array<std::uint8_t>& mask, const Array<std::int32_t>& labels, const std::string& dtype,
         const std::string& strategy) {
        const nets::ModelConfig config = model_config(config_json);
        if (dtype == "float64")
          return forward_backward<double>(config, weights, tokens, mask, labels, strategy);
        if (dtype == "float32")
          return forward_backward<float>(config, weights, tokens, mask, labels, strategy);
        throw ConfigError("dtype", dtype, "expected \"float32\" or \"float64\"");
      },
      py::arg("config_json"), py::arg("weights"), py::arg("tokens"), py::arg("mask"), py::arg("labels"),
      py::arg("dtype") = "float32", py::arg("strategy") = "",
      "One training pass without dropout: loss, logits (B, C) and the gradient of the mean loss for every "
      "parameter.");
}

}  // namespace glia::python
