// AmpLists: the four AMP op lists (spec section 1-2) as sets of op names.
//
// The defaults come from the op registry (each op declares its AmpClass per device); the api
// layer's Config applies the user's add/remove edits on top. The AMP pass only reads them.
#pragma once

#include <set>
#include <string>

#include "aamp/ops/op_def.h"

namespace aamp {

struct AmpLists {
  std::set<std::string> allow, infer, clear, deny;

  // The registry's default lists for a device.
  static AmpLists defaults(DeviceKind device);

  // The list an op is in (kNone when in none). An op in several lists reports the first of
  // allow, deny, infer, clear (Config rejects such lists before they reach the pass).
  AmpClass classify(const std::string& op) const;
  std::set<std::string>& list(AmpClass c);
  const std::set<std::string>& list(AmpClass c) const;

  // The log path's paintbuckets file: "AllowList:", "DenyList:", "InferList:", "ClearList:"
  // sections, one op per line (sorted), a blank line between sections.
  std::string paintbuckets_text() const;

  bool operator==(const AmpLists&) const = default;
};

// "allowlist", "inferlist", "clearlist", "denylist" (for messages).
const char* amp_list_name(AmpClass c);

}  // namespace aamp
