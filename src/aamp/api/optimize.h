// optimize(): the Advanced AMP pipeline behind the C++ API and `aamp convert`.
//
//   AmpConfig c = AmpConfig::merge(api_config, AmpConfig::from_env());
//   OptimizeResult r = optimize(graph, c, DeviceKind::kCPU, {"logits"});
//   std::cout << r.amp.message() << "\n";
//
// Runs a PassManager with Remapper (pre-AMP fusions) -> AutoMixedPrecision -> RemapperPostAmp
// (Const+Cast folding); the remapper passes only when config.remapper is not false, AMP only when
// config.enabled is not false. A failing pass is rolled back (warning), never half-applied.
// config.verify_each_pass also validates the graph after each pass, config.strict makes a
// failing pass throw Error naming it, and config.dump_dir receives the graph before and after
// each pass as <log_prefix>NN-<pass>.pbtxt (00-input, 01-remapper, 02-auto_mixed_precision,
// 03-remapper_post_amp; listed in log_files).
// With a log path (spec section 5) it writes, sharing one timestamp <ts>:
//   graphdef_preop_<ts>.pb / .pb.txt              the graph before any pass
//   graphdef_AutoMixedPrecision_<ts>.pb / .pb.txt the graph after the pipeline
//   paintbuckets_AutoMixedPrecision_<ts>.txt      the effective lists
//   decisions_<ts>.tsv                            node, op, final dtype, deciding rule
//   report_<ts>.html                              the conversion report (report.h)
#pragma once

#include <string>
#include <vector>

#include "aamp/api/config.h"
#include "aamp/core/cpu_features.h"  // cpu_has_native_fp16/bf16 (used with optimize())
#include "aamp/ir/graph.h"
#include "aamp/passes/auto_mixed_precision.h"
#include "aamp/passes/pass_manager.h"
#include "aamp/passes/remapper.h"

namespace aamp {

struct OptimizeResult {
  AmpReport amp;  // the AMP pass's report (empty when AMP did not run)
  bool amp_ran = false;
  RemapperResult remapper_pre, remapper_post;
  std::vector<PassRecord> passes;
  std::vector<std::string> warnings;
  std::vector<std::string> log_files;  // paths written under the log path
  std::string timestamp;               // <ts> of the log files
};

// Rewrites g in place. Throws Error for a bad configuration (dtype, list conflicts, FP16 on a CPU
// without native FP16, unknown fetch) before touching the graph.
OptimizeResult optimize(Graph& g, const AmpConfig& config, DeviceKind device,
                        const std::vector<std::string>& fetches = {});
// The same for a host framework that runs the result itself (the TensorFlow plugin): `hooks`
// say which kernels and fused forms it has (see PassHooks); `log_prefix` goes before the log
// files' names (e.g. the graph's name, so that several graphs in one folder stay apart).
OptimizeResult optimize(Graph& g, const AmpConfig& config, DeviceKind device,
                        const std::vector<std::string>& fetches, const PassHooks& hooks,
                        const std::string& log_prefix = "");

}  // namespace aamp
