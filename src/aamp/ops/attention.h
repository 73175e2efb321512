// The geometry of _AampFusedAttention (aamp_fused_ops.cc) that every backend's kernel needs: the
// sizes, each operand's element strides per (batch, head, sequence position) for its layout (and
// k's and v's offsets when q, k, v are one tensor), and the mask's strides over the scores
// [B,H,Sq,Sk] (0 on broadcast dims). The depth axis is always contiguous.
#pragma once

#include <cstdint>
#include <vector>

#include "aamp/ir/graph.h"

namespace aamp {

struct AttentionGeometry {
  int64_t batch = 0, heads = 0, q_len = 0, kv_len = 0, depth = 0, v_depth = 0;
  float scale = 1.0f;
  // Element strides (batch, head, position) of q, k, v and the output.
  struct Strides {
    int64_t b = 0, h = 0, s = 0;
    int64_t at(int64_t batch, int64_t head, int64_t pos) const {
      return batch * b + head * h + pos * s;
    }
  };
  Strides q, k, v, out;
  // Element offsets of k and v in their input (layout BS3HD: q, k and v are one tensor).
  int64_t k_offset = 0, v_offset = 0;
  bool masked = false;
  int64_t mask_b = 0, mask_h = 0, mask_q = 0, mask_k = 0;  // mask strides over [B,H,Sq,Sk]
  // Where query row `query` of (batch, head) starts in the mask (its key j at + j * mask_k).
  int64_t mask_row(int64_t batch, int64_t head, int64_t query) const {
    return batch * mask_b + head * mask_h + query * mask_q;
  }
};

// Validates the shapes (rank 4, or the one [B,S,3,H,D] tensor of layout BS3HD; matching batch /
// heads / depths / lengths; a mask that broadcasts against [B,H,Sq,Sk]) and throws
// Error(kInvalidGraph) naming the node otherwise. shapes: q, k, v
// and, when the node has one, the mask.
AttentionGeometry attention_geometry(const Node& n,
                                     const std::vector<std::vector<int64_t>>& shapes);

// The depths aamp's GPU kernel takes (backends/cuda/cuda_attention.cu): depth == v_depth, one of
// 16, 32, 64, 128. The remapper fuses only these, so that a fused node never leaves the GPU.
bool gpu_attention_depths(int64_t depth, int64_t v_depth);

}  // namespace aamp
