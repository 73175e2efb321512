// AmpRewriter: step 8 of the AMP algorithm (spec section 3) -- applies a painting to the graph.
//
//  - every ALLOW (node, type attr) is set to the target dtype;
//  - for each output port whose new dtype differs from some consumer's, ONE Cast per (port,
//    destination dtype) is inserted and shared by those consumers, named
//    "<src>-<port>-CastToBf16-AutoMixedPrecision" (CastToFp16 / CastToFp32), with SrcT, DstT,
//    Truncate=false, on the source's device;
//  - a float32 Const whose every consumer now reads the target dtype is converted in place (no
//    Cast, half the bytes); an existing Const -> Cast(float32 -> low) pair becomes one Const;
//  - Cast chains low -> float32 -> x whose middle has no other reader collapse into one Cast, and
//    Casts that became no-ops (SrcT == DstT) are removed.
// Nodes named in `fetch_nodes` keep their names and output dtypes (never removed or converted).
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "aamp/ir/graph.h"

namespace aamp {

// One painted (node, type attr[, list element]).
struct AmpAttrChange {
  std::string node;
  std::string attr;
  int list_index = -1;
};

struct AmpRewriteStats {
  int casts_inserted = 0;  // Casts added and kept, excluding those reading a Const
  int const_casts = 0;     // Casts added after a Const (a Const with mixed-precision readers)
  int casts_removed = 0;   // pre-existing Casts removed (no-ops, chains, Const folding)
  std::vector<std::string> converted_consts;  // Consts now stored in the target dtype
};

AmpRewriteStats apply_amp_rewrite(Graph& g, const std::vector<AmpAttrChange>& changes, DType target,
                                  const std::unordered_set<std::string>& fetch_nodes);

// "CastToBf16", "CastToFp16", "CastToFp32" (other dtypes: "CastTo" + dtype_name).
std::string amp_cast_tag(DType t);

}  // namespace aamp
