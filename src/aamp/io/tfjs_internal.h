// Internal to the io layer (and the fuzz targets): the TF.js loader with a pluggable shard reader.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "aamp/ir/graph.h"

namespace aamp::io_internal {

// Returns the bytes of a weight shard given the path written in the manifest; throws Error
// naming the shard when it cannot.
using ShardReader = std::function<std::string(const std::string& manifest_path)>;

Graph parse_tfjs_with(std::string_view model_json, const ShardReader& read_shard,
                      const std::string& source_name);

}  // namespace aamp::io_internal
