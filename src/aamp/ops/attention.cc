#include "aamp/ops/attention.h"

#include <string>

#include "aamp/core/error.h"
#include "aamp/ir/tensor.h"
#include "aamp/ops/attrs.h"

namespace aamp {

AttentionGeometry attention_geometry(const Node& n,
                                     const std::vector<std::vector<int64_t>>& shapes) {
  auto fail = [&](const std::string& why) {
    throw Error(ErrorCode::kInvalidGraph, n.describe() + ": " + why);
  };
  if (shapes.size() < 3 || shapes.size() > 4) fail("needs q, k, v and at most one mask");
  const std::string layout = op_attr_string(n, "layout");
  if (layout != "BHSD" && layout != "BSHD" && layout != "BS3HD")
    fail("layout must be BHSD, BSHD or BS3HD, got " + layout);
  AttentionGeometry g;
  g.scale = op_attr_float(n, "scale");
  if (layout == "BS3HD") {
    // q, k and v are one tensor [B,S,3,H,D] (the product of a merged q/k/v projection).
    const auto& x = shapes[0];
    if (x.size() != 5 || x[2] != 3 || shapes[1] != x || shapes[2] != x)
      fail("layout BS3HD needs q, k and v to be the same [B,S,3,H,D] tensor, got " +
           Shape(x).to_string() + ", " + Shape(shapes[1]).to_string() + ", " +
           Shape(shapes[2]).to_string());
    g.batch = x[0], g.q_len = g.kv_len = x[1], g.heads = x[3], g.depth = g.v_depth = x[4];
    AttentionGeometry::Strides st;
    st.h = g.depth, st.s = 3 * g.heads * g.depth, st.b = g.q_len * st.s;
    g.q = g.k = g.v = st;
    g.k_offset = g.heads * g.depth;
    g.v_offset = 2 * g.heads * g.depth;
    g.out.h = g.depth, g.out.s = g.heads * g.depth, g.out.b = g.q_len * g.out.s;
  } else {
    for (size_t i = 0; i < 3; ++i)
      if (shapes[i].size() != 4)
        fail("q, k and v must have rank 4, got " + Shape(shapes[i]).to_string());
    const bool bshd = layout == "BSHD";
    const size_t hx = bshd ? 2 : 1, sx = bshd ? 1 : 2;
    const auto &q = shapes[0], &k = shapes[1], &v = shapes[2];
    g.batch = q[0];
    g.heads = q[hx];
    g.q_len = q[sx];
    g.kv_len = k[sx];
    g.depth = q[3];
    g.v_depth = v[3];
    if (k[0] != g.batch || v[0] != g.batch || k[hx] != g.heads || v[hx] != g.heads ||
        k[3] != g.depth || v[sx] != g.kv_len)
      fail("q " + Shape(q).to_string() + ", k " + Shape(k).to_string() + " and v " +
           Shape(v).to_string() + " do not fit together (layout " + layout + ")");
    auto strides = [&](int64_t len, int64_t depth) {
      AttentionGeometry::Strides s;
      if (bshd) {
        s.h = depth, s.s = g.heads * depth, s.b = len * g.heads * depth;
      } else {
        s.s = depth, s.h = len * depth, s.b = g.heads * len * depth;
      }
      return s;
    };
    g.q = strides(g.q_len, g.depth);
    g.k = strides(g.kv_len, g.depth);
    g.v = strides(g.kv_len, g.v_depth);
    g.out = strides(g.q_len, g.v_depth);
  }
  if (shapes.size() == 4) {
    const auto& m = shapes[3];
    const int64_t scores[4] = {g.batch, g.heads, g.q_len, g.kv_len};
    int64_t st[4] = {0, 0, 0, 0};
    if (m.size() > 4) fail("the mask " + Shape(m).to_string() + " has rank above 4");
    int64_t acc = 1;
    for (int i = 3, j = static_cast<int>(m.size()) - 1; j >= 0; --i, --j) {
      const int64_t d = m[static_cast<size_t>(j)];
      if (d != 1 && d != scores[i])
        fail("the mask " + Shape(m).to_string() + " does not broadcast against the scores " +
             Shape({g.batch, g.heads, g.q_len, g.kv_len}).to_string());
      st[i] = d == 1 ? 0 : acc;
      acc *= d;
    }
    g.masked = true;
    g.mask_b = st[0], g.mask_h = st[1], g.mask_q = st[2], g.mask_k = st[3];
  }
  return g;
}

bool gpu_attention_depths(int64_t depth, int64_t v_depth) {
  return depth == v_depth && (depth == 16 || depth == 32 || depth == 64 || depth == 128);
}

}  // namespace aamp
