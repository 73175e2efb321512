#include "aamp/ir/tensor.h"

#include <cstring>
#include <sstream>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"

namespace aamp {

bool Shape::is_fully_defined() const {
  if (unknown_rank) return false;
  for (int64_t d : dims)
    if (d < 0) return false;
  return true;
}

int64_t Shape::num_elements() const {
  if (!is_fully_defined()) return -1;
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::string Shape::to_string() const {
  if (unknown_rank) return "<unknown>";
  std::ostringstream os;
  os << '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) os << ',';
    if (dims[i] < 0)
      os << '?';
    else
      os << dims[i];
  }
  os << ']';
  return os.str();
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  int64_t n = shape_.num_elements();
  AAMP_CHECK(n >= 0, ErrorCode::kInvalidArgument,
             "tensor shape must be fully defined, got " + shape_.to_string());
  if (dtype == DType::kString) {
    strings_.resize(static_cast<size_t>(n));
    bytes_ = std::make_shared<std::vector<uint8_t>>();
  } else {
    bytes_ = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(n) * dtype_size(dtype));
  }
}

uint8_t* Tensor::mutable_raw() {
  if (!bytes_) bytes_ = std::make_shared<std::vector<uint8_t>>();
  if (bytes_.use_count() > 1) bytes_ = std::make_shared<std::vector<uint8_t>>(*bytes_);
  return bytes_->data();
}

Tensor Tensor::from_bytes(DType dtype, Shape shape, std::vector<uint8_t> bytes) {
  int64_t n = shape.num_elements();
  AAMP_CHECK(n >= 0, ErrorCode::kInvalidArgument,
             "tensor shape must be fully defined, got " + shape.to_string());
  size_t want = static_cast<size_t>(n) * dtype_size(dtype);
  AAMP_CHECK(bytes.size() == want, ErrorCode::kInvalidArgument,
             "tensor of " + dtype_name(dtype) + shape.to_string() + " needs " +
                 std::to_string(want) + " bytes, got " + std::to_string(bytes.size()));
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.bytes_ = std::make_shared<std::vector<uint8_t>>(std::move(bytes));
  return t;
}

Tensor Tensor::over(DType dtype, Shape shape, std::shared_ptr<std::vector<uint8_t>> bytes) {
  const int64_t n = shape.num_elements();
  AAMP_CHECK(n >= 0 && bytes && dtype != DType::kString &&
                 bytes->size() == static_cast<size_t>(n) * dtype_size(dtype),
             ErrorCode::kInvalidArgument,
             "tensor of " + dtype_name(dtype) + shape.to_string() + " over a buffer of " +
                 std::to_string(bytes ? bytes->size() : 0) + " bytes");
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.bytes_ = std::move(bytes);
  return t;
}

double Tensor::element_as_double(int64_t i) const {
  return dispatch_numeric(dtype_, [&](auto tag) -> double {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, double> || std::is_integral_v<T>)
      return static_cast<double>(data<T>()[i]);  // exact (int64 beyond 2^53 rounds once)
    else
      return static_cast<double>(as_float<T>(data<T>()[i]));
  });
}

Tensor Tensor::cast_float(DType to) const {
  AAMP_CHECK(is_float(dtype_) && is_float(to), ErrorCode::kInvalidArgument,
             "cast_float needs float dtypes, got " + dtype_name(dtype_) + " -> " + dtype_name(to));
  if (to == dtype_) return *this;
  Tensor out(to, shape_);
  int64_t n = num_elements();
  dispatch_float(dtype_, [&](auto src_tag) {
    using S = typename decltype(src_tag)::type;
    dispatch_float(to, [&](auto dst_tag) {
      using D = typename decltype(dst_tag)::type;
      const S* s = data<S>();
      D* d = out.mutable_data<D>();
      for (int64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<S, double>)
          d[i] = from_float<D>(static_cast<float>(s[i]));
        else if constexpr (std::is_same_v<D, double>)
          d[i] = static_cast<double>(as_float<S>(s[i]));
        else
          d[i] = from_float<D>(as_float<S>(s[i]));
      }
    });
  });
  return out;
}

Tensor Tensor::reshaped(Shape s) const {
  AAMP_CHECK(s.num_elements() == num_elements(), ErrorCode::kInvalidArgument,
             "cannot reshape " + shape_.to_string() + " to " + s.to_string());
  Tensor t = *this;
  t.shape_ = std::move(s);
  return t;
}

bool Tensor::same_content(const Tensor& o) const {
  if (dtype_ != o.dtype_ || !(shape_ == o.shape_)) return false;
  if (dtype_ == DType::kString) return strings_ == o.strings_;
  if (byte_size() != o.byte_size()) return false;
  return byte_size() == 0 || std::memcmp(raw(), o.raw(), byte_size()) == 0;
}

}  // namespace aamp
