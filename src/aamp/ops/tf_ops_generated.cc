// Placeholder until scripts/gen_op_registry.py generates this file.
#include "aamp/ops/families.h"
namespace aamp {
void register_tf_op_signatures(OpRegistry&) {}
}  // namespace aamp
