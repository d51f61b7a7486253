#pragma once
// The trainable parameters of a model: named tensors in a fixed order, each with a gradient of the same
// shape. The order is the order of registration; optimizers, checkpoints and the Python dictionaries all
// use it. Tensors live in unique_ptrs so references handed out stay valid as parameters are added.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/nn/tensor.hpp"

namespace glia::nn {

template <class T>
struct Parameter {
  std::string name;
  Tensor<T> value;
  Tensor<T> grad;
};

template <class T>
class ParameterSet {
 public:
  // Registers a zero-filled parameter (and its zero gradient); a repeated name is a logic error.
  Parameter<T>& add(const std::string& name, Shape shape) {
    if (index_.count(name)) throw RuntimeError("parameter '" + name + "' registered twice");
    index_[name] = list_.size();
    list_.push_back(std::make_unique<Parameter<T>>(Parameter<T>{name, Tensor<T>(shape), Tensor<T>(shape)}));
    return *list_.back();
  }

  std::size_t size() const { return list_.size(); }
  Parameter<T>& operator[](std::size_t i) { return *list_[i]; }
  const Parameter<T>& operator[](std::size_t i) const { return *list_[i]; }
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // ConfigError naming `field` (e.g. a checkpoint path) when the model has no such parameter.
  Parameter<T>& at(const std::string& name, const std::string& field = "parameter") {
    auto it = index_.find(name);
    if (it == index_.end()) throw ConfigError(field, name, "the model has no parameter of this name");
    return *list_[it->second];
  }

  std::vector<Tensor<T>*> values() {
    std::vector<Tensor<T>*> v;
    for (auto& p : list_) v.push_back(&p->value);
    return v;
  }
  std::vector<Tensor<T>*> grads() {
    std::vector<Tensor<T>*> v;
    for (auto& p : list_) v.push_back(&p->grad);
    return v;
  }
  std::vector<const Tensor<T>*> const_grads() const {
    std::vector<const Tensor<T>*> v;
    for (auto& p : list_) v.push_back(&p->grad);
    return v;
  }
  void zero_grads() {
    for (auto& p : list_) p->grad.fill(T(0));
  }
  Index count() const {
    Index n = 0;
    for (auto& p : list_) n += p->value.size();
    return n;
  }

 private:
  std::vector<std::unique_ptr<Parameter<T>>> list_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace glia::nn
