// Math ops: matmuls, element-wise arithmetic, reductions, comparisons.
// Per-op knowledge: AMP class (spec section 2; device overrides where the lists differ) and
// shape function. Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_math_ops(OpRegistry& r) {
  r.info("BatchMatMul").amp(AmpClass::kAllow);
  r.info("BatchMatMulV2").amp(AmpClass::kAllow);
  r.info("Einsum").amp(AmpClass::kAllow);
  r.info("MatMul").amp(AmpClass::kAllow);
  r.info("Abs").amp(AmpClass::kClear);
  r.info("ArgMax").amp(AmpClass::kClear);
  r.info("ArgMin").amp(AmpClass::kClear);
  r.info("Ceil").amp(AmpClass::kClear);
  r.info("ClipByValue").amp(AmpClass::kClear);
  r.info("Equal").amp(AmpClass::kClear);
  r.info("Floor").amp(AmpClass::kClear);
  r.info("Greater").amp(AmpClass::kClear);
  r.info("GreaterEqual").amp(AmpClass::kClear);
  r.info("IsFinite").amp(AmpClass::kClear);
  r.info("IsInf").amp(AmpClass::kClear);
  r.info("IsNan").amp(AmpClass::kClear);
  r.info("Less").amp(AmpClass::kClear);
  r.info("LessEqual").amp(AmpClass::kClear);
  r.info("Max").amp(AmpClass::kClear);
  r.info("Maximum").amp(AmpClass::kClear);
  r.info("Min").amp(AmpClass::kClear);
  r.info("Minimum").amp(AmpClass::kClear);
  r.info("Neg").amp(AmpClass::kClear);
  r.info("NotEqual").amp(AmpClass::kClear);
  r.info("Round").amp(AmpClass::kClear);
  r.info("Select").amp(AmpClass::kClear);
  r.info("SelectV2").amp(AmpClass::kClear);
  r.info("Sign").amp(AmpClass::kClear);
  r.info("Exp").amp(AmpClass::kDeny);
  r.info("Expm1").amp(AmpClass::kDeny);
  // The CPU (bfloat16) lists follow TensorFlow's oneDNN ones where the spec's are silent or
  // GPU-minded: Mean moves to infer as Sum does (bfloat16 has float32's range, so a mean cannot
  // overflow; as deny it kept Keras's LayerNorm/BatchNorm moments and everything after them
  // float32), and Rsqrt / SquaredDifference are infer like Sqrt / Square
  // (docs/amp-vs-tensorflow.md; python/tests/parity checks them against TensorFlow's pass).
  r.info("Mean").amp(AmpClass::kDeny).amp_on(DeviceKind::kCPU, AmpClass::kInfer);
  r.info("Rsqrt").amp_on(DeviceKind::kCPU, AmpClass::kInfer);
  r.info("SquaredDifference").amp_on(DeviceKind::kCPU, AmpClass::kInfer);
  r.info("Pow").amp(AmpClass::kDeny);
  r.info("Sum").amp(AmpClass::kDeny).amp_on(DeviceKind::kCPU, AmpClass::kInfer);
  r.info("Add").amp(AmpClass::kInfer);
  r.info("AddN").amp(AmpClass::kInfer);
  r.info("AddV2").amp(AmpClass::kInfer);
  r.info("Erf").amp(AmpClass::kInfer);
  r.info("Erfc").amp(AmpClass::kInfer);
  r.info("FloorDiv").amp(AmpClass::kInfer);
  r.info("Inv").amp(AmpClass::kInfer);
  r.info("Log").amp(AmpClass::kInfer);
  r.info("Log1p").amp(AmpClass::kInfer);
  r.info("Mul").amp(AmpClass::kInfer);
  r.info("Prod").amp(AmpClass::kInfer);
  r.info("RealDiv").amp(AmpClass::kInfer);
  r.info("Reciprocal").amp(AmpClass::kInfer);
  r.info("Sigmoid").amp(AmpClass::kInfer);
  r.info("SigmoidGrad").amp(AmpClass::kInfer);
  r.info("Sqrt").amp(AmpClass::kInfer);
  r.info("Sub").amp(AmpClass::kInfer);
  r.info("Tanh").amp(AmpClass::kInfer);
  r.info("TanhGrad").amp(AmpClass::kInfer);
  r.info("Square").amp_on(DeviceKind::kCPU, AmpClass::kInfer);
  // Shape functions (ops/shape_inference.h).
  for (const char* op :
       {"Abs",        "Neg",   "Floor",   "Ceil",       "Round", "Rint",       "Sign",
        "Exp",        "Expm1", "Log",     "Log1p",      "Sqrt",  "Rsqrt",      "Square",
        "Reciprocal", "Inv",   "Sigmoid", "Tanh",       "Erf",   "Erfc",       "Sin",
        "Cos",        "Tan",   "Asin",    "Acos",       "Atan",  "Sinh",       "Cosh",
        "IsFinite",   "IsInf", "IsNan",   "LogicalNot", "Cast",  "ClipByValue"})
    r.info(op).shape_fn(shape_fns::unary);
  for (const char* op : {"Add",
                         "AddV2",
                         "Sub",
                         "Mul",
                         "RealDiv",
                         "Div",
                         "DivNoNan",
                         "Maximum",
                         "Minimum",
                         "Pow",
                         "SquaredDifference",
                         "FloorDiv",
                         "FloorMod",
                         "Mod",
                         "TruncateDiv",
                         "Atan2",
                         "Equal",
                         "NotEqual",
                         "Less",
                         "LessEqual",
                         "Greater",
                         "GreaterEqual",
                         "LogicalAnd",
                         "LogicalOr",
                         "AddN"})
    r.info(op).shape_fn(shape_fns::broadcast);
  r.info("Select").shape_fn(shape_fns::select);
  r.info("SelectV2").shape_fn(shape_fns::select);
  for (const char* op : {"Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "EuclideanNorm"})
    r.info(op).shape_fn(shape_fns::reduce);
  r.info("ArgMax").shape_fn(shape_fns::arg_reduce);
  r.info("ArgMin").shape_fn(shape_fns::arg_reduce);
  r.info("MatMul").shape_fn(shape_fns::matmul);
  r.info("BatchMatMul").shape_fn(shape_fns::batch_matmul);
  r.info("BatchMatMulV2").shape_fn(shape_fns::batch_matmul);
  r.info("Range").shape_fn(shape_fns::range);
}

}  // namespace aamp
