// Tensor: dtype + shape + a shared byte buffer (or strings for DT_STRING).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aamp/core/dtype.h"

namespace aamp {

// A (possibly partially known) shape. dims[i] == -1 means unknown; unknown_rank means nothing is
// known (dims is then empty).
struct Shape {
  std::vector<int64_t> dims;
  bool unknown_rank = false;
  // Dimension names from TensorShapeProto (rarely used; kept for round trips). Empty or one per
  // dim.
  std::vector<std::string> dim_names;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) : dims(d) {}
  explicit Shape(std::vector<int64_t> d) : dims(std::move(d)) {}
  static Shape unknown() {
    Shape s;
    s.unknown_rank = true;
    return s;
  }

  int rank() const { return static_cast<int>(dims.size()); }
  bool is_fully_defined() const;
  // Product of dims; -1 if not fully defined.
  int64_t num_elements() const;
  std::string to_string() const;  // "[1,224,224,3]", "[?,10]", "<unknown>"
  bool operator==(const Shape& o) const {
    return dims == o.dims && unknown_rank == o.unknown_rank && dim_names == o.dim_names;
  }
};

// The value behind a DT_VARIANT or DT_RESOURCE tensor (a TensorList, a TensorArray): an object
// the runtime's kernels define and share by pointer. Only dynamic execution creates them; they
// are never serialized.
class TensorObject {
 public:
  virtual ~TensorObject() = default;
};

class Tensor {
 public:
  Tensor() = default;
  // Zero-initialised tensor of a fully defined shape.
  Tensor(DType dtype, Shape shape);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  size_t byte_size() const { return bytes_ ? bytes_->size() : 0; }
  bool empty() const { return dtype_ == DType::kInvalid; }

  const uint8_t* raw() const { return bytes_ ? bytes_->data() : nullptr; }
  uint8_t* mutable_raw();  // copy-on-write
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(raw());
  }
  template <typename T>
  T* mutable_data() {
    return reinterpret_cast<T*>(mutable_raw());
  }
  template <typename T>
  std::span<const T> values() const {
    return {data<T>(), static_cast<size_t>(num_elements())};
  }

  // DT_STRING tensors hold their elements here.
  const std::vector<std::string>& strings() const { return strings_; }
  std::vector<std::string>& mutable_strings() { return strings_; }
  // Scalar DT_VARIANT / DT_RESOURCE tensors hold their object here (shared, not copied).
  const std::shared_ptr<TensorObject>& object() const { return object_; }
  std::shared_ptr<TensorObject>& mutable_object() { return object_; }

  // Builds a tensor from raw little-endian bytes; the size must match dtype and shape.
  static Tensor from_bytes(DType dtype, Shape shape, std::vector<uint8_t> bytes);
  // A tensor over a given byte buffer (its size must match; contents as they are), shared with
  // the caller: a runtime that recycles buffers between runs hands them out this way.
  static Tensor over(DType dtype, Shape shape, std::shared_ptr<std::vector<uint8_t>> bytes);
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& v) {
    std::vector<uint8_t> b(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
    return from_bytes(DTypeOf<T>::value, std::move(shape), std::move(b));
  }
  template <typename T>
  static Tensor scalar(T v) {
    return from_vector<T>(Shape{}, {v});
  }

  // Element i converted to float / double (any numeric dtype).
  double element_as_double(int64_t i) const;
  // Converts a float tensor (float32, float64, bfloat16, float16) to another float dtype.
  Tensor cast_float(DType to) const;
  // Same buffer, new shape with the same number of elements.
  Tensor reshaped(Shape s) const;

  bool same_content(const Tensor& o) const;
  bool operator==(const Tensor& o) const { return same_content(o); }

 private:
  DType dtype_ = DType::kInvalid;
  Shape shape_;
  std::shared_ptr<std::vector<uint8_t>> bytes_;
  std::vector<std::string> strings_;
  std::shared_ptr<TensorObject> object_;
};

}  // namespace aamp
