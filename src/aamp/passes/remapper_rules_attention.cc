// Attention fusions, after AMP: the scaled dot-product attention of BERT-like encoders in
// float16 / bfloat16 becomes one _AampFusedAttention node (one kernel: the [B,H,S,S] scores never
// reach memory), and the Transposes that split heads before it and merge them after it are
// absorbed into its layout.
//
//   BatchMatMulV2(softmax(scale * q k^T [+ mask]), v)          => _AampFusedAttention "BHSD"
//   Transpose0213(_AampFusedAttention "BHSD"(Transpose0213(q), Transpose0213(k), Transpose0213(v)))
//                                                              => _AampFusedAttention "BSHD"
//   and on the GPU, when q, k and v are projections of one input, one merged GEMM (qkv_rule)
//                                                              => _AampFusedAttention "BS3HD"
//
// where the scores come from _AampFusedBatchMatMulV2(q, k, adj_y, fused_ops [Mul]) or a plain
// BatchMatMulV2(q, k, adj_y), and the softmax from _AampFusedAddSoftmax(scores, mask) or Softmax.
//
// Does not apply: in float32 (the rule runs after AMP, for the low-precision attention whose
// unfused form costs the most: rounded scores written and read three times), in tf_compatible
// mode (TensorFlow's own graphs), when q, k or v is not of rank 4 with known depths, on the GPU
// for depths its kernel does not take (ops/attention.h: gpu_attention_depths), or when the
// probabilities or scores are read elsewhere (training: the softmax gradient reads them).
#include <cstdint>
#include <vector>

#include "aamp/ops/attention.h"
#include "aamp/ops/attrs.h"
#include "aamp/passes/remapper.h"

namespace aamp {

namespace {
using P = Pattern;

// A scalar Const's value, also through a Cast (AMP casts the scale before Const+Cast folds it).
bool scalar_through_cast(const Graph& g, const TensorRef& t, float* v) {
  const Node* n = g.find(t.node);
  if (n && n->op == "Cast" && n->num_data_inputs() == 1)
    n = g.find(TensorRef::parse(n->inputs[0]).node);
  const Tensor* c = n ? const_value(*n) : nullptr;
  if (!c || c->num_elements() != 1 || !is_float(c->dtype())) return false;
  *v = static_cast<float>(scalar_value(*c));
  return true;
}

// Rank 4 with its last dim known; -1 otherwise.
int64_t attention_depth(const Graph& g, const TensorRef& t) {
  const Shape s = remap::static_shape(g, t);
  return !s.unknown_rank && s.rank() == 4 ? s.dims[3] : -1;
}

bool is_perm_0213(const Tensor& t) {
  if (!is_integer(t.dtype()) || t.num_elements() != 4) return false;
  const int64_t want[4] = {0, 2, 1, 3};
  for (int64_t i = 0; i < 4; ++i)
    if (static_cast<int64_t>(t.element_as_double(i)) != want[i]) return false;
  return true;
}

// `att` reading q, k and v from other tensors in another layout; its mask and attrs stay.
Node with_operands(const Node& att, const std::vector<std::string>& qkv, const char* layout) {
  Node n = att;
  n.inputs = qkv;
  for (int i = 3; i < att.num_data_inputs(); ++i)
    n.inputs.push_back(att.inputs[static_cast<size_t>(i)]);
  n.attrs.erase("_output_shapes");
  n.attrs["layout"] = std::string(layout);
  return n;
}

FusionRule attention_rule(bool fused_scores, bool masked) {
  FusionRule r;
  r.name = "Attention";
  r.phase = RemapPhase::kPostAmp;
  Pattern scores =
      fused_scores
          ? P::op("_AampFusedBatchMatMulV2", {P::any("q"), P::any("k"), P::any("s")}, "scores")
          : P::op("BatchMatMulV2|BatchMatMul", {P::any("q"), P::any("k")}, "scores");
  Pattern probs = masked ? P::op("_AampFusedAddSoftmax", {scores, P::any("mask")}, "probs")
                         : P::op("Softmax", {scores}, "probs");
  r.pattern = P::op("BatchMatMulV2|BatchMatMul", {probs, P::any("v")});
  r.rewrite = [fused_scores, masked](Graph& g, const Match& m, const RemapperOptions& o) {
    const Node& root = *m.root;
    const Node& sc = m.node("scores");
    const DType t = remap::node_type(root);
    if (o.tf_compatible || !is_low_float(t)) return false;
    if (remap::node_type(sc) != t || remap::node_type(m.node("probs")) != t) return false;
    if (root.attr_bool_or("adj_x", false) || root.attr_bool_or("adj_y", false)) return false;
    if (sc.attr_bool_or("adj_x", false) || !sc.attr_bool_or("adj_y", false)) return false;
    float scale = 1.0f;
    if (fused_scores) {
      const auto& ops = sc.attr_list("fused_ops").s;
      if (ops != std::vector<std::string>{"Mul"}) return false;
      if (!scalar_through_cast(g, m.tensor("s"), &scale)) return false;
    }
    const int64_t dq = attention_depth(g, m.tensor("q")), dk = attention_depth(g, m.tensor("k"));
    const int64_t dv = attention_depth(g, m.tensor("v"));
    if (dq < 0 || dq != dk || dv < 0) return false;
    if (o.device == DeviceKind::kGPU && !gpu_attention_depths(dq, dv)) return false;
    if (masked) {
      const Shape ms = remap::static_shape(g, m.tensor("mask"));
      if (ms.unknown_rank || ms.rank() > 4) return false;
    }
    Node n;
    n.op = "_AampFusedAttention";
    n.device = root.device;
    n.inputs = {m.input("q"), m.input("k"), m.input("v")};
    if (masked) n.inputs.push_back(m.input("mask"));
    n.attrs["T"] = t;
    n.attrs["scale"] = scale;
    n.attrs["layout"] = std::string("BHSD");
    n.attrs["num_args"] = int64_t{masked ? 1 : 0};
    remap::replace_root(g, m, std::move(n));
    return true;
  };
  return r;
}

// The head split's Transposes (q, k, v: [B,S,H,D] -> [B,H,S,D]) and the merge's (the output back
// to [B,S,H,Dv]) absorbed: the kernel reads and writes [B,S,H,D] with strides.
FusionRule layout_rule() {
  FusionRule r;
  r.name = "Attention+Transpose";
  r.phase = RemapPhase::kPostAmp;
  auto split = [](const std::string& x) {
    return P::op("Transpose", {P::any(x), P::constant(is_perm_0213)});
  };
  r.pattern =
      P::op("Transpose",
            {P::op("_AampFusedAttention", {split("q"), split("k"), split("v")}, "att")
                 .allow_extra_inputs()
                 .where([](const Node& n) { return n.attr_string_or("layout", "BHSD") == "BHSD"; }),
             P::constant(is_perm_0213)});
  r.rewrite = [](Graph& g, const Match& m, const RemapperOptions&) {
    remap::replace_root(
        g, m, with_operands(m.node("att"), {m.input("q"), m.input("k"), m.input("v")}, "BSHD"));
    return true;
  };
  return r;
}

// Concatenation of constant tensors of one dtype along `axis` (0 or 1 of rank 2, 0 of rank 1).
Tensor concat_consts(const std::vector<const Tensor*>& ts, int axis) {
  const Tensor& t0 = *ts[0];
  const size_t es = dtype_size(t0.dtype());
  const std::vector<int64_t>& d0 = t0.shape().dims;
  const int64_t rows = axis == 0 ? 1 : d0[0];  // row blocks copied from each tensor
  std::vector<int64_t> dims = d0;
  dims[static_cast<size_t>(axis)] = 0;
  for (const Tensor* t : ts)
    dims[static_cast<size_t>(axis)] += t->shape().dims[static_cast<size_t>(axis)];
  std::vector<uint8_t> bytes;
  bytes.reserve(static_cast<size_t>(t0.num_elements()) * es * ts.size());
  for (int64_t r = 0; r < rows; ++r)
    for (const Tensor* t : ts) {
      const size_t block = t->byte_size() / static_cast<size_t>(rows);
      const uint8_t* p = t->raw() + static_cast<size_t>(r) * block;
      bytes.insert(bytes.end(), p, p + block);
    }
  return Tensor::from_bytes(t0.dtype(), Shape(dims), std::move(bytes));
}

// The q, k and v projections of one input merged into one GEMM whose [B*S, 3*H*D] product the
// attention reads in place (layout BS3HD):
//
//   _AampFusedAttention "BSHD"(Reshape(_FusedMatMul [BiasAdd](x, Wq, bq), [-1,S,H,D]), k.., v..)
//     => _AampFusedAttention "BS3HD"(r, r, r),
//        r = Reshape(_FusedMatMul [BiasAdd](x, [Wq Wk Wv], [bq bk bv]), [-1,S,3,H,D])
//
// One GEMM three times as wide runs closer to the GPU's peak than three narrow ones. Does not
// apply on the CPU (below), or when the projections differ in epilogue, transposes or weight
// shape, or their weights or biases are not constants.
FusionRule qkv_rule() {
  FusionRule r;
  r.name = "Attention+QKV";
  r.phase = RemapPhase::kPostAmp;
  auto proj = [](const std::string& n) {
    return P::op(
        "Reshape",
        {P::op("_FusedMatMul",
               {P::any("x"),
                P::constant([](const Tensor& t) { return t.shape().rank() == 2; }, "w" + n),
                P::constant([](const Tensor& t) { return t.shape().rank() == 1; }, "b" + n)},
               "m" + n),
         P::constant([](const Tensor& t) { return is_integer(t.dtype()) && t.num_elements() == 4; },
                     "s" + n)});
  };
  r.pattern = P::op("_AampFusedAttention", {proj("q"), proj("k"), proj("v")}, "att")
                  .allow_extra_inputs()
                  .where([](const Node& n) { return n.attr_string_or("layout", "") == "BSHD"; });
  r.rewrite = [](Graph& g, const Match& m, const RemapperOptions& o) {
    // On the CPU, oneDNN 2.6 runs the attention's products on its brgemm (AMX / AVX-512) kernels
    // only where q, k and v are not interleaved; with the merged layout it fell back to a generic
    // GEMM and BERT-base b8 bfloat16 took 156-173 ms instead of 113-116 ms (2-core Xeon).
    if (o.tf_compatible || o.device != DeviceKind::kGPU) return false;
    const Node& mq = m.node("mq");
    std::vector<const Tensor*> w, b;
    std::vector<int64_t> shape;
    for (const std::string n : {"q", "k", "v"}) {
      const Node& mm = m.node("m" + n);
      if (mm.attr_list("fused_ops").s != std::vector<std::string>{"BiasAdd"}) return false;
      if (mm.attr_bool_or("transpose_a", false) ||
          mm.attr_bool_or("transpose_b", false) != mq.attr_bool_or("transpose_b", false) ||
          remap::node_type(mm) != remap::node_type(mq))
        return false;
      w.push_back(const_value(m.node("w" + n)));
      b.push_back(const_value(m.node("b" + n)));
      if (w.back()->shape() != w[0]->shape() || w.back()->dtype() != w[0]->dtype() ||
          b.back()->shape() != b[0]->shape() || b.back()->dtype() != b[0]->dtype())
        return false;
      const Tensor* s = const_value(m.node("s" + n));
      std::vector<int64_t> sv;
      for (int64_t i = 0; i < 4; ++i) sv.push_back(static_cast<int64_t>(s->element_as_double(i)));
      if (!shape.empty() && sv != shape) return false;
      shape = sv;
    }
    const bool tb = mq.attr_bool_or("transpose_b", false);
    const int64_t units = w[0]->shape().dims[tb ? 0 : 1];
    if (shape[1] <= 0 || shape[2] <= 0 || shape[3] <= 0 || shape[2] * shape[3] != units ||
        b[0]->num_elements() != units)
      return false;
    const Node& att = m.node("att");
    const std::string base = att.name + "/qkv";
    Node mm = mq;
    mm.name = g.unique_name(base + "/MatMul");
    mm.attrs.erase("_output_shapes");
    mm.inputs = {m.input("x"),
                 remap::add_const(g, base + "/kernel", concat_consts(w, tb ? 0 : 1), mq.device),
                 remap::add_const(g, base + "/bias", concat_consts(b, 0), mq.device)};
    Node rs;
    rs.name = g.unique_name(base + "/Reshape");
    rs.op = "Reshape";
    rs.device = mq.device;
    const std::vector<int32_t> dims = {
        static_cast<int32_t>(shape[0]), static_cast<int32_t>(shape[1]), 3,
        static_cast<int32_t>(shape[2]), static_cast<int32_t>(shape[3])};
    rs.inputs = {mm.name, remap::add_const(g, base + "/shape", Tensor::from_vector(Shape{5}, dims),
                                           mq.device)};
    rs.attrs["T"] = remap::node_type(mq);
    rs.attrs["Tshape"] = DType::kInt32;
    Node n = with_operands(att, {rs.name, rs.name, rs.name}, "BS3HD");
    g.add(std::move(mm));
    g.add(std::move(rs));
    remap::replace_root(g, m, std::move(n));
    return true;
  };
  return r;
}

}  // namespace

std::vector<FusionRule> attention_rules() {
  std::vector<FusionRule> rules;
  for (bool fused_scores : {true, false})
    for (bool masked : {true, false}) rules.push_back(attention_rule(fused_scores, masked));
  rules.push_back(layout_rule());
  rules.push_back(qkv_rule());
  return rules;
}

}  // namespace aamp
