// The op registry: every op aamp knows, with its signature and per-op knowledge.
//
// Per-op knowledge lives with the op: each ops/<family>_ops.cc defines register_<family>_ops(),
// which declares, per op, its AMP class (with device overrides) and its shape function:
//
//   r.info("Conv2D").amp(AmpClass::kAllow).shape_fn(conv2d_shape);
//
// The registry constructor calls every family function (listed in ops/families.h), so nothing
// depends on static-initialisation order or on whole-archive linking.
// TensorFlow signatures come from the generated table (tf_ops_generated.cc, made by
// scripts/gen_op_registry.py from TF's ops.pbtxt); aamp's own ops declare their signature with
// their implementation via register_op(). Kernels live in the backends, which tell the registry
// which (op, device, dtype) they run, so passes can ask "can this op run in bf16 on the CPU"
// without depending on the runtime.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "aamp/ops/op_def.h"

namespace aamp {

class Node;
struct ShapeContext;  // defined in aamp/ops/shape_inference.h
// Infers output dtypes/shapes (and, where cheap, constant values) of one node.
using ShapeFn = std::function<void(ShapeContext&)>;

class OpInfo {
 public:
  OpDef def;

  // AMP class for a device (device override, else the all-device class).
  AmpClass amp_class(DeviceKind d) const;
  const ShapeFn& shape_fn() const { return shape_fn_; }

  // Builder-style setters used by AAMP_OP_INFO blocks.
  OpInfo& amp(AmpClass c) {
    amp_ = c;
    return *this;
  }
  OpInfo& amp_on(DeviceKind d, AmpClass c) {
    (d == DeviceKind::kCPU ? amp_cpu_ : amp_gpu_) = c;
    return *this;
  }
  OpInfo& shape_fn(ShapeFn f) {
    shape_fn_ = std::move(f);
    return *this;
  }

 private:
  AmpClass amp_ = AmpClass::kNone;
  std::optional<AmpClass> amp_cpu_, amp_gpu_;
  ShapeFn shape_fn_;
};

class OpRegistry {
 public:
  // The process-wide registry, with TF's ops loaded on first use.
  static OpRegistry& global();

  const OpInfo* find(std::string_view op) const;
  // Finds or creates the entry (created entries have an empty signature named `op`).
  OpInfo& info(std::string_view op);
  // Registers (or replaces) an op's signature.
  OpInfo& register_op(OpDef def);
  std::vector<std::string> op_names() const;  // sorted

  // Kernel availability, filled by the backends at start-up.
  void register_kernel(std::string_view op, DeviceKind d, std::vector<DType> dtypes);
  bool has_kernel(std::string_view op, DeviceKind d, DType t) const;
  bool has_any_kernel(std::string_view op, DeviceKind d) const;

 private:
  OpRegistry();
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<OpInfo>, std::less<>> ops_;
  std::map<std::pair<std::string, DeviceKind>, std::set<DType>> kernels_;
};

}  // namespace aamp
