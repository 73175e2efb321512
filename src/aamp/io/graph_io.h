// Loading and saving graphs: binary GraphDef (.pb), text GraphDef (.pbtxt) and TF.js graph
// models (model.json + .bin weight shards). Errors throw aamp::Error naming the file (and node).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aamp/ir/graph.h"

namespace aamp {

enum class GraphFormat { kBinary, kText, kTfjs };

// By extension: .pb -> binary, .pbtxt/.pb.txt/.txt -> text, .json -> TF.js. Unknown extensions
// throw Error(kInvalidArgument) listing the accepted ones.
GraphFormat graph_format_for_path(const std::string& path);

// Loads any supported format (by extension).
Graph load_graph(const std::string& path);
// Saves as binary or text by extension (.pb / .pbtxt); written atomically (temp + rename).
void save_graph(const Graph& g, const std::string& path);

Graph parse_graphdef_binary(std::string_view bytes, const std::string& source_name);
Graph parse_graphdef_text(std::string_view text, const std::string& source_name);
// Deterministic serialization (map entries sorted), so equal graphs give equal bytes.
std::string serialize_graphdef_binary(const Graph& g);
std::string serialize_graphdef_text(const Graph& g);

// TF.js graph model: modelTopology (GraphDef as JSON) + weightsManifest shards. Weights become
// Const nodes (float16 and uint8/uint16-quantized weights dequantized to float32).
Graph load_tfjs(const std::string& model_json_path);
// The same from memory (tests, fuzzing): the model.json text and the shard contents keyed by the
// paths written in its weightsManifest. A shard missing from the map is an error.
Graph parse_tfjs(std::string_view model_json, const std::map<std::string, std::string>& shards,
                 const std::string& source_name);

// Whole-file helpers. read_file throws Error(kNotFound / kIO) naming the path.
std::string read_file(const std::string& path);
// Writes to "<path>.tmp.<pid>" then renames over path; on failure removes the temp file.
void write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace aamp
