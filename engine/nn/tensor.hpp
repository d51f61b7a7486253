#pragma once
// Tensors of the network side: an owned, contiguous, row-major buffer with a shape, and
// Eigen maps over it for dense algebra. The scalar type is a template parameter so that the
// same ops run in float32 (training) and float64 (gradient tests); ops are instantiated for
// both in the library. Integer tensors (token ids, labels, masks) use the same class.
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "engine/core/error.hpp"

namespace glia::nn {

using Index = std::ptrdiff_t;
using Shape = std::vector<Index>;

// Row-major dense matrices and maps: a tensor of shape (..., r, c) is a stack of r×c
// row-major blocks, and its last axis is contiguous.
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MatrixMap = Eigen::Map<RowMatrix<T>>;
template <class T>
using ConstMatrixMap = Eigen::Map<const RowMatrix<T>>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using VectorMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstVectorMap = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>;

std::string shape_string(const Shape& shape);

// Storage of a tensor. 64-byte aligned: Eigen's vectorised reductions start at the first
// aligned element, so with AVX/AVX-512 the order of a sum (and its rounding) would otherwise
// depend on where malloc put the buffer, and equal inputs could give unequal results.
// Default-initialising: resize() leaves floats unset (Tensor::uninitialized), a fill is explicit.
template <class T>
struct TensorAllocator {
  using value_type = T;
  static constexpr std::size_t kAlignment = 64;
  TensorAllocator() = default;
  template <class U>
  TensorAllocator(const TensorAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlignment)));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kAlignment)); }
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <class U>
  bool operator==(const TensorAllocator<U>&) const noexcept {
    return true;
  }
  template <class U>
  bool operator!=(const TensorAllocator<U>&) const noexcept {
    return false;
  }
};

template <class T>
using TensorStorage = std::vector<T, TensorAllocator<T>>;

template <class T>
class Tensor {
 public:
  Tensor() = default;
  // Zero-filled.
  explicit Tensor(Shape shape) : shape_(std::move(shape)), data_(checked_size(shape_), T(0)) {}
  Tensor(std::initializer_list<Index> shape) : Tensor(Shape(shape)) {}
  // Unset values, for outputs that an op overwrites completely (saves the zero fill).
  static Tensor uninitialized(Shape shape) {
    Tensor t;
    t.data_.resize(static_cast<std::size_t>(checked_size(shape)));
    t.shape_ = std::move(shape);
    return t;
  }
  Tensor(Shape shape, const std::vector<T>& values)
      : shape_(std::move(shape)), data_(values.begin(), values.end()) {
    if (static_cast<Index>(data_.size()) != checked_size(shape_))
      throw ConfigError("tensor", shape_string(shape_),
                        std::to_string(data_.size()) + " values do not fill the shape");
  }
  Tensor(Shape shape, std::initializer_list<T> values) : Tensor(std::move(shape), std::vector<T>(values)) {}
  Tensor(Shape shape, TensorStorage<T> values) : shape_(std::move(shape)), data_(std::move(values)) {
    if (static_cast<Index>(data_.size()) != checked_size(shape_))
      throw ConfigError("tensor", shape_string(shape_),
                        std::to_string(data_.size()) + " values do not fill the shape");
  }

  const Shape& shape() const { return shape_; }
  Index rank() const { return static_cast<Index>(shape_.size()); }
  // Extent of axis i; negative i counts from the end.
  Index dim(Index i) const { return shape_.at(static_cast<std::size_t>(i < 0 ? rank() + i : i)); }
  Index size() const { return static_cast<Index>(data_.size()); }
  bool empty() const { return data_.empty(); }

  T* data() { return data_.data(); }
  const T* data() const { return data_.data(); }
  T& operator[](Index i) { return data_[static_cast<std::size_t>(i)]; }
  const T& operator[](Index i) const { return data_[static_cast<std::size_t>(i)]; }
  const TensorStorage<T>& values() const { return data_; }

  void fill(T value) { std::fill(data_.begin(), data_.end(), value); }
  // Same data, new shape of the same size.
  void reshape(Shape shape) {
    if (checked_size(shape) != size())
      throw ConfigError("tensor.reshape", shape_string(shape),
                        "size differs from the current shape " + shape_string(shape_));
    shape_ = std::move(shape);
  }

  // All leading axes folded into rows, the last axis as columns.
  MatrixMap<T> matrix() { return MatrixMap<T>(data(), rows(), dim(-1)); }
  ConstMatrixMap<T> matrix() const { return ConstMatrixMap<T>(data(), rows(), dim(-1)); }
  VectorMap<T> vector() { return VectorMap<T>(data(), size()); }
  ConstVectorMap<T> vector() const { return ConstVectorMap<T>(data(), size()); }
  // The r×c block that starts at flat offset `offset` (e.g. one (batch, head) slice).
  MatrixMap<T> block(Index offset, Index r, Index c) { return MatrixMap<T>(data() + offset, r, c); }
  ConstMatrixMap<T> block(Index offset, Index r, Index c) const {
    return ConstMatrixMap<T>(data() + offset, r, c);
  }

 private:
  Index rows() const { return rank() == 0 ? 1 : size() / (dim(-1) == 0 ? 1 : dim(-1)); }
  static Index checked_size(const Shape& shape) {
    Index n = 1;
    for (Index d : shape) {
      if (d < 0) throw ConfigError("tensor", shape_string(shape), "negative extent");
      n *= d;
    }
    return n;
  }

  Shape shape_;
  TensorStorage<T> data_;
};

// Throws ConfigError naming `what` unless t has exactly `expected` shape (-1 matches any extent).
template <class T>
void require_shape(const Tensor<T>& t, const Shape& expected, const std::string& what) {
  bool ok = t.rank() == static_cast<Index>(expected.size());
  for (std::size_t i = 0; ok && i < expected.size(); ++i) ok = expected[i] < 0 || expected[i] == t.shape()[i];
  if (!ok) throw ConfigError(what, shape_string(t.shape()), "expected shape " + shape_string(expected));
}

}  // namespace glia::nn
