// Math ops: matmuls, element-wise arithmetic, reductions, comparisons.
// One statement per op, alphabetical: its AMP class (spec section 2; device overrides where the
// lists differ), its shape function (ops/shape_inference.h) and its traits (ops/registry.h).
// Signatures of TensorFlow ops come from the generated table.
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"
#include "aamp/ops/shape_inference.h"

namespace aamp {

void register_math_ops(OpRegistry& r) {
  r.info("Abs").amp(AmpClass::kClear).elementwise();
  r.info("Acos").elementwise();
  r.info("Add").amp(AmpClass::kInfer).broadcasting();
  r.info("AddN").amp(AmpClass::kInfer).broadcasting();
  r.info("AddV2").amp(AmpClass::kInfer).broadcasting();
  r.info("All").shape_fn(shape_fns::reduce);
  r.info("Any").shape_fn(shape_fns::reduce);
  r.info("ArgMax").amp(AmpClass::kClear).shape_fn(shape_fns::arg_reduce);
  r.info("ArgMin").amp(AmpClass::kClear).shape_fn(shape_fns::arg_reduce);
  r.info("Asin").elementwise();
  r.info("Atan").elementwise();
  r.info("Atan2").broadcasting();
  r.info("BatchMatMul").amp(AmpClass::kAllow).shape_fn(shape_fns::batch_matmul);
  r.info("BatchMatMulV2").amp(AmpClass::kAllow).shape_fn(shape_fns::batch_matmul).same_rank();
  r.info("Cast").elementwise();
  r.info("Ceil").amp(AmpClass::kClear).elementwise();
  r.info("ClipByValue").amp(AmpClass::kClear).same_shape();
  r.info("Cos").elementwise();
  r.info("Cosh").elementwise();
  r.info("Div").broadcasting();
  r.info("DivNoNan").broadcasting();
  r.info("Einsum").amp(AmpClass::kAllow);
  r.info("Equal").amp(AmpClass::kClear).broadcasting();
  r.info("Erf").amp(AmpClass::kInfer).elementwise();
  r.info("Erfc").amp(AmpClass::kInfer).elementwise();
  r.info("EuclideanNorm").shape_fn(shape_fns::reduce);
  r.info("Exp").amp(AmpClass::kDeny).elementwise();
  r.info("Expm1").amp(AmpClass::kDeny).elementwise();
  r.info("Floor").amp(AmpClass::kClear).elementwise();
  r.info("FloorDiv").amp(AmpClass::kInfer).broadcasting();
  r.info("FloorMod").broadcasting();
  r.info("Greater").amp(AmpClass::kClear).broadcasting();
  r.info("GreaterEqual").amp(AmpClass::kClear).broadcasting();
  r.info("Inv").amp(AmpClass::kInfer).elementwise();
  r.info("IsFinite").amp(AmpClass::kClear).elementwise();
  r.info("IsInf").amp(AmpClass::kClear).elementwise();
  r.info("IsNan").amp(AmpClass::kClear).elementwise();
  r.info("Less").amp(AmpClass::kClear).broadcasting();
  r.info("LessEqual").amp(AmpClass::kClear).broadcasting();
  r.info("Log").amp(AmpClass::kInfer).elementwise();
  r.info("Log1p").amp(AmpClass::kInfer).elementwise();
  r.info("LogicalAnd").broadcasting();
  r.info("LogicalNot").elementwise();
  r.info("LogicalOr").broadcasting();
  r.info("MatMul").amp(AmpClass::kAllow).shape_fn(shape_fns::matmul);
  r.info("Max").amp(AmpClass::kClear).shape_fn(shape_fns::reduce);
  r.info("Maximum").amp(AmpClass::kClear).broadcasting();
  // The CPU (bfloat16) lists follow TensorFlow's oneDNN ones where the spec's are silent or
  // GPU-minded: Mean moves to infer as Sum does (bfloat16 has float32's range, so a mean cannot
  // overflow; as deny it kept Keras's LayerNorm/BatchNorm moments and everything after them
  // float32), and Rsqrt / SquaredDifference are infer like Sqrt / Square
  // (docs/amp-vs-tensorflow.md; python/tests/parity checks them against TensorFlow's pass).
  r.info("Mean").amp(AmpClass::kDeny).amp_on(DeviceKind::kCPU, AmpClass::kInfer).shape_fn(shape_fns::reduce);
  r.info("Min").amp(AmpClass::kClear).shape_fn(shape_fns::reduce);
  r.info("Minimum").amp(AmpClass::kClear).broadcasting();
  r.info("Mod").broadcasting();
  r.info("Mul").amp(AmpClass::kInfer).broadcasting();
  r.info("Neg").amp(AmpClass::kClear).elementwise();
  r.info("NotEqual").amp(AmpClass::kClear).broadcasting();
  r.info("Pow").amp(AmpClass::kDeny).broadcasting();
  r.info("Prod").amp(AmpClass::kInfer).shape_fn(shape_fns::reduce);
  r.info("Range").shape_fn(shape_fns::range);
  r.info("RealDiv").amp(AmpClass::kInfer).broadcasting();
  r.info("Reciprocal").amp(AmpClass::kInfer).elementwise();
  r.info("Rint").elementwise();
  r.info("Round").amp(AmpClass::kClear).elementwise();
  r.info("Rsqrt").amp_on(DeviceKind::kCPU, AmpClass::kInfer).elementwise();
  r.info("Select").amp(AmpClass::kClear).shape_fn(shape_fns::select);
  r.info("SelectV2").amp(AmpClass::kClear).broadcasting().shape_fn(shape_fns::select);
  r.info("Sigmoid").amp(AmpClass::kInfer).elementwise();
  r.info("SigmoidGrad").amp(AmpClass::kInfer);
  r.info("Sign").amp(AmpClass::kClear).elementwise();
  r.info("Sin").elementwise();
  r.info("Sinh").elementwise();
  r.info("Sqrt").amp(AmpClass::kInfer).elementwise();
  r.info("Square").amp_on(DeviceKind::kCPU, AmpClass::kInfer).elementwise();
  r.info("SquaredDifference").amp_on(DeviceKind::kCPU, AmpClass::kInfer).broadcasting();
  r.info("Sub").amp(AmpClass::kInfer).broadcasting();
  r.info("Sum").amp(AmpClass::kDeny).amp_on(DeviceKind::kCPU, AmpClass::kInfer).shape_fn(shape_fns::reduce);
  r.info("Tan").elementwise();
  r.info("Tanh").amp(AmpClass::kInfer).elementwise();
  r.info("TanhGrad").amp(AmpClass::kInfer);
  r.info("TruncateDiv").broadcasting();
}

}  // namespace aamp
