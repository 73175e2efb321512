// Which CPU kernels TensorFlow has: TF_GetRegisteredKernelsForOp returns a serialized KernelList
// proto. The adapter must not link a protobuf library (TensorFlow's is the only one it may see),
// so the few fields needed are decoded here by hand from the wire format:
//   KernelList { repeated KernelDef kernel = 1; }
//   KernelDef { string op = 1; string device_type = 2; repeated AttrConstraint constraint = 3; }
//   AttrConstraint { string name = 1; AttrValue allowed_values = 2; }
//   AttrValue { ListValue list = 1; DataType type = 6; }
//   ListValue { repeated DataType type = 6; }
#include <tensorflow/c/c_api.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapter/adapter.h"

namespace aamp_tf {

namespace {

// One field of a message; `bytes` for length-delimited fields, `value` for varints.
struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t value = 0;
  std::string_view bytes;
};

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool next(Field* f) {
    if (pos_ >= s_.size()) return false;
    uint64_t key;
    if (!varint(&key)) return fail();
    f->number = static_cast<uint32_t>(key >> 3);
    f->wire = static_cast<uint32_t>(key & 7);
    switch (f->wire) {
      case 0:
        return varint(&f->value) || fail();
      case 1:
        return skip(8);
      case 2: {
        uint64_t len;
        if (!varint(&len) || len > s_.size() - pos_) return fail();
        f->bytes = s_.substr(pos_, len);
        pos_ += len;
        return true;
      }
      case 5:
        return skip(4);
      default:
        return fail();
    }
  }
  bool ok() const { return ok_; }
  bool varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && pos_ < s_.size(); shift += 7) {
      uint8_t b = static_cast<uint8_t>(s_[pos_++]);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }

 private:
  bool skip(size_t n) {
    if (n > s_.size() - pos_) return fail();
    pos_ += n;
    return true;
  }
  bool fail() {
    ok_ = false;
    pos_ = s_.size();
    return false;
  }
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// One CPU kernel: attr name -> allowed dtypes.
using Constraints = std::map<std::string, std::vector<int>>;

std::vector<int> allowed_types(std::string_view attr_value) {
  std::vector<int> out;
  Reader r(attr_value);
  Field f;
  while (r.next(&f)) {
    if (f.number == 6 && f.wire == 0) out.push_back(static_cast<int>(f.value));
    if (f.number != 1 || f.wire != 2) continue;
    Reader lr(f.bytes);
    Field lf;
    while (lr.next(&lf)) {
      if (lf.number != 6) continue;
      if (lf.wire == 0) {
        out.push_back(static_cast<int>(lf.value));
      } else if (lf.wire == 2) {  // packed
        Reader pr(lf.bytes);
        uint64_t v;
        while (pr.varint(&v)) out.push_back(static_cast<int>(v));
      }
    }
  }
  return out;
}

std::vector<Constraints> cpu_kernels(std::string_view kernel_list) {
  std::vector<Constraints> out;
  Reader r(kernel_list);
  Field f;
  while (r.next(&f)) {
    if (f.number != 1 || f.wire != 2) continue;
    Reader kr(f.bytes);
    Field kf;
    std::string device;
    Constraints cs;
    while (kr.next(&kf)) {
      if (kf.number == 2 && kf.wire == 2) device = std::string(kf.bytes);
      if (kf.number != 3 || kf.wire != 2) continue;
      Reader cr(kf.bytes);
      Field cf;
      std::string name;
      std::vector<int> types;
      while (cr.next(&cf)) {
        if (cf.number == 1 && cf.wire == 2) name = std::string(cf.bytes);
        if (cf.number == 2 && cf.wire == 2) types = allowed_types(cf.bytes);
      }
      cs[name] = std::move(types);
    }
    if (device == "CPU") out.push_back(std::move(cs));
  }
  return out;
}

}  // namespace

bool tf_has_cpu_kernel(const std::string& op, const std::string& attr, int dtype) {
  static std::mutex mu;
  static std::map<std::string, std::vector<Constraints>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(op);
  if (it == cache.end()) {
    std::vector<Constraints> kernels;
    TF_Status* s = TF_NewStatus();
    TF_Buffer* b = TF_GetRegisteredKernelsForOp(op.c_str(), s);
    if (TF_GetCode(s) == TF_OK && b)
      kernels = cpu_kernels(std::string_view(static_cast<const char*>(b->data), b->length));
    if (b) TF_DeleteBuffer(b);
    TF_DeleteStatus(s);
    it = cache.emplace(op, std::move(kernels)).first;
  }
  for (const Constraints& k : it->second) {
    auto c = k.find(attr);
    if (c == k.end()) return true;  // this kernel does not constrain the attr
    for (int t : c->second)
      if (t == dtype) return true;
  }
  return false;
}

}  // namespace aamp_tf
