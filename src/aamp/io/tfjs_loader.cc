// TF.js graph models: model.json (modelTopology = GraphDef in proto3 JSON form, weightsManifest)
// plus binary weight shards. Every weight becomes (or fills) a Const node of the same name.
#include <google/protobuf/util/json_util.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"
#include "aamp/io/proto_convert.h"
#include "aamp/io/tfjs_internal.h"

namespace aamp {

namespace {

using json = nlohmann::json;
using io_internal::ShardReader;

constexpr int kMaxJsonDepth = 200;

json parse_json(std::string_view text, const std::string& source) {
  try {
    return json::parse(text.begin(), text.end(), [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth)
        throw Error(ErrorCode::kParse,
                    "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {
    throw Error(ErrorCode::kParse, source + ": invalid JSON: " + e.what());
  } catch (const Error& e) {
    throw Error(ErrorCode::kParse, source + ": invalid JSON: " + e.what());
  }
}

// Reads fields of the manifest with errors naming where they are.
class Ctx {
 public:
  explicit Ctx(std::string source) : source_(std::move(source)) {}
  [[noreturn]] void fail(const std::string& where, const std::string& what,
                         ErrorCode code = ErrorCode::kParse) const {
    throw Error(code, source_ + ": " + where + ": " + what);
  }
  const json& member(const json& obj, const char* key, const std::string& where) const {
    auto it = obj.find(key);
    if (it == obj.end()) fail(where, std::string("missing '") + key + "'");
    return *it;
  }
  std::string string_member(const json& obj, const char* key, const std::string& where) const {
    const json& v = member(obj, key, where);
    if (!v.is_string()) fail(where, std::string("'") + key + "' must be a string");
    return v.get<std::string>();
  }
  double number_member(const json& obj, const char* key, const std::string& where) const {
    const json& v = member(obj, key, where);
    if (!v.is_number()) fail(where, std::string("'") + key + "' must be a number");
    return v.get<double>();
  }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

DType weight_dtype(const std::string& s) {
  if (s == "float32") return DType::kFloat;
  if (s == "int32") return DType::kInt32;
  if (s == "bool") return DType::kBool;
  if (s == "string") return DType::kString;
  if (s == "complex64") return DType::kComplex64;
  auto d = parse_dtype(s);
  if (d && (dtype_size(*d) > 0 || *d == DType::kString)) return *d;
  return DType::kInvalid;
}

struct Quantization {
  std::string dtype;  // uint8, uint16, float16
  double min = 0, scale = 1;
  DType original = DType::kFloat;
};

// Decodes one weight starting at data[offset]; advances offset.
Tensor decode_weight(const Ctx& ctx, const std::string& where, const std::string& name, DType dtype,
                     const Shape& shape, const Quantization* q, const std::string& data,
                     size_t& offset, const std::string& shard_list) {
  // Element count with overflow checks (a weight can never exceed the shard bytes anyway).
  uint64_t n = 1;
  for (int64_t d : shape.dims) {
    if (d == 0) {
      n = 0;
      break;
    }
  }
  if (n != 0)
    for (int64_t d : shape.dims) {
      if (static_cast<uint64_t>(d) > (uint64_t{1} << 40) / n)
        ctx.fail(where, "weight '" + name + "' shape " + shape.to_string() + " is too large");
      n *= static_cast<uint64_t>(d);
    }
  const size_t avail = data.size() - offset;
  auto need = [&](uint64_t bytes) {
    if (bytes > avail)
      ctx.fail(where, "weight '" + name + "' needs " + std::to_string(bytes) + " bytes at offset " +
                          std::to_string(offset) + ", but shards " + shard_list + " hold only " +
                          std::to_string(data.size()) + " bytes");
  };
  const auto* src = reinterpret_cast<const uint8_t*>(data.data()) + offset;

  if (dtype == DType::kString) {
    if (q) ctx.fail(where, "weight '" + name + "': string weights cannot be quantized");
    Tensor t(dtype, shape);
    uint64_t pos = 0;
    for (uint64_t i = 0; i < n; ++i) {
      need(pos + 4);
      uint32_t len = 0;
      std::memcpy(&len, src + pos, 4);
      pos += 4;
      need(pos + len);
      t.mutable_strings()[i].assign(reinterpret_cast<const char*>(src + pos), len);
      pos += len;
    }
    offset += static_cast<size_t>(pos);
    return t;
  }

  if (!q) {
    uint64_t bytes = n * dtype_size(dtype);
    need(bytes);
    std::vector<uint8_t> buf(src, src + bytes);
    if (dtype == DType::kBool)
      for (auto& b : buf) b = b ? 1 : 0;
    offset += static_cast<size_t>(bytes);
    return Tensor::from_bytes(dtype, shape, std::move(buf));
  }

  const size_t qsize = q->dtype == "uint8" ? 1 : 2;
  const uint64_t bytes = n * qsize;
  need(bytes);
  std::vector<double> vals(static_cast<size_t>(n));
  for (uint64_t i = 0; i < n; ++i) {
    if (q->dtype == "float16") {
      uint16_t h;
      std::memcpy(&h, src + i * 2, 2);
      vals[i] = half_bits_to_float(h);
    } else {
      uint32_t v = src[i * qsize];
      if (qsize == 2) {
        uint16_t u;
        std::memcpy(&u, src + i * 2, 2);
        v = u;
      }
      // TF.js computes in double precision and stores into a Float32Array.
      vals[i] = static_cast<double>(v) * q->scale + q->min;
    }
  }
  offset += static_cast<size_t>(bytes);
  if (q->original == DType::kInt32) {
    std::vector<int32_t> ints(vals.size());
    for (size_t i = 0; i < vals.size(); ++i) {
      // JavaScript's Math.round: halves round up (towards +infinity).
      double r = std::floor(vals[i] + 0.5);
      ints[i] = std::isfinite(r) && std::fabs(r) < 2147483648.0 ? static_cast<int32_t>(r) : 0;
    }
    return Tensor::from_vector<int32_t>(shape, ints);
  }
  std::vector<float> floats(vals.begin(), vals.end());
  return Tensor::from_vector<float>(shape, floats);
}

// TF.js stores a weight in the type its runtime computes with (float32 for DT_DOUBLE/DT_HALF,
// int32 for DT_INT64/DT_INT16/DT_UINT8/...), while the graph keeps the declared dtype: converts
// t to `declared` so that the Const agrees with the ops that read it. Integer values must fit.
Tensor to_declared(const Ctx& ctx, const std::string& where, const std::string& name, Tensor t,
                   DType declared) {
  if (declared == t.dtype()) return t;
  const auto mismatch = [&](const std::string& why) {
    ctx.fail(where,
             "weight '" + name + "' is stored as " + dtype_name(t.dtype()) +
                 " but its node declares " + dtype_name(declared) + why,
             ErrorCode::kInvalidGraph);
  };
  if (is_float(t.dtype()) && is_float(declared)) return t.cast_float(declared);
  const bool int_types = (is_integer(t.dtype()) || t.dtype() == DType::kBool) &&
                         (is_integer(declared) || declared == DType::kBool);
  if (!int_types) mismatch("");
  Tensor out(declared, t.shape());
  try {
    dispatch_int(t.dtype(), [&](auto from_tag) {
      using F = typename decltype(from_tag)::type;
      dispatch_int(declared, [&](auto to_tag) {
        using T = typename decltype(to_tag)::type;
        const F* src = t.data<F>();
        T* dst = out.mutable_data<T>();
        for (int64_t i = 0; i < t.num_elements(); ++i) {
          if constexpr (std::is_same_v<T, bool>) {
            dst[i] = src[i] != 0;
          } else if constexpr (std::is_same_v<F, bool>) {
            dst[i] = static_cast<T>(src[i] ? 1 : 0);
          } else {
            if (!std::in_range<T>(src[i]))
              mismatch(": value " + std::to_string(static_cast<int64_t>(src[i])) + " at index " +
                       std::to_string(i) + " does not fit");
            dst[i] = static_cast<T>(src[i]);
          }
        }
      });
    });
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnimplemented) throw;
    mismatch("");  // a type outside dispatch_int (uint32, uint64)
  }
  return out;
}

void set_const(Graph& g, const Ctx& ctx, const std::string& where, const std::string& name,
               Tensor t) {
  if (Node* n = g.find(name)) {
    if (n->op != "Const")
      ctx.fail(where, "weight '" + name + "' names " + n->describe() + ", expected a Const",
               ErrorCode::kInvalidGraph);
    const AttrValue* declared = n->find_attr("dtype");
    if (declared && declared->is<DType>() && declared->get<DType>() != DType::kInvalid)
      t = to_declared(ctx, where, name, std::move(t), declared->get<DType>());
    const DType dt = t.dtype();
    n->attrs["value"] = AttrValue(std::move(t));
    n->attrs["dtype"] = AttrValue(dt);
    return;
  }
  const DType dt = t.dtype();
  Node n;
  n.name = name;
  n.op = "Const";
  n.attrs["value"] = AttrValue(std::move(t));
  n.attrs["dtype"] = AttrValue(dt);
  g.add(std::move(n));
}

void load_weight_group(Graph& g, const Ctx& ctx, const json& group, size_t gi,
                       const ShardReader& read_shard) {
  const std::string gwhere = "weightsManifest[" + std::to_string(gi) + "]";
  if (!group.is_object()) ctx.fail(gwhere, "must be an object");
  const json& paths = ctx.member(group, "paths", gwhere);
  if (!paths.is_array()) ctx.fail(gwhere, "'paths' must be an array");
  std::string data;
  std::string shard_list = "[";
  for (size_t pi = 0; pi < paths.size(); ++pi) {
    if (!paths[pi].is_string()) ctx.fail(gwhere, "'paths' must hold strings");
    const std::string p = paths[pi].get<std::string>();
    shard_list += (pi ? ", " : "") + p;
    try {
      data += read_shard(p);
    } catch (const Error& e) {
      ctx.fail(gwhere, std::string("weight shard '") + p + "': " + e.what(), e.code());
    }
  }
  shard_list += "]";
  const json& weights = ctx.member(group, "weights", gwhere);
  if (!weights.is_array()) ctx.fail(gwhere, "'weights' must be an array");
  size_t offset = 0;
  for (size_t wi = 0; wi < weights.size(); ++wi) {
    const std::string where = gwhere + ".weights[" + std::to_string(wi) + "]";
    const json& w = weights[wi];
    if (!w.is_object()) ctx.fail(where, "must be an object");
    const std::string name = ctx.string_member(w, "name", where);
    if (name.empty()) ctx.fail(where, "empty weight name");
    const std::string wname = where + " '" + name + "'";
    const std::string dts = ctx.string_member(w, "dtype", wname);
    DType dtype = weight_dtype(dts);
    if (dtype == DType::kInvalid)
      ctx.fail(wname, "unsupported weight dtype '" + dts + "'", ErrorCode::kUnimplemented);
    const json& js = ctx.member(w, "shape", wname);
    if (!js.is_array()) ctx.fail(wname, "'shape' must be an array");
    Shape shape;
    for (const auto& d : js) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        ctx.fail(wname, "'shape' must hold non-negative integers");
      shape.dims.push_back(d.get<int64_t>());
    }
    Quantization q;
    bool quantized = false;
    if (auto it = w.find("quantization"); it != w.end() && !it->is_null()) {
      if (!it->is_object()) ctx.fail(wname, "'quantization' must be an object");
      quantized = true;
      q.dtype = ctx.string_member(*it, "dtype", wname + ".quantization");
      if (q.dtype != "uint8" && q.dtype != "uint16" && q.dtype != "float16")
        ctx.fail(wname, "unsupported quantization dtype '" + q.dtype + "'",
                 ErrorCode::kUnimplemented);
      if (q.dtype != "float16") {
        q.min = ctx.number_member(*it, "min", wname + ".quantization");
        q.scale = ctx.number_member(*it, "scale", wname + ".quantization");
      }
      q.original = dtype;
      if (auto od = it->find("original_dtype"); od != it->end() && od->is_string())
        q.original = weight_dtype(od->get<std::string>());
      if (q.original != DType::kFloat && q.original != DType::kInt32)
        ctx.fail(wname, "quantized weights must be float32 or int32", ErrorCode::kUnimplemented);
      if (q.dtype == "float16" && q.original != DType::kFloat)
        ctx.fail(wname, "float16 quantization needs float32 weights", ErrorCode::kUnimplemented);
    }
    Tensor t = decode_weight(ctx, wname, name, dtype, shape, quantized ? &q : nullptr, data, offset,
                             shard_list);
    set_const(g, ctx, wname, name, std::move(t));
  }
  if (offset != data.size())
    ctx.fail(gwhere, "shards " + shard_list + " hold " + std::to_string(data.size()) +
                         " bytes but the weights use " + std::to_string(offset) + " (" +
                         std::to_string(data.size() - offset) + " extra bytes)");
}

}  // namespace

namespace io_internal {

Graph parse_tfjs_with(std::string_view model_json, const ShardReader& read_shard,
                      const std::string& source_name) {
  const Ctx ctx(source_name);
  json doc = parse_json(model_json, source_name);
  if (!doc.is_object()) ctx.fail("top level", "model.json must be a JSON object");
  if (auto f = doc.find("format");
      f != doc.end() && f->is_string() && f->get<std::string>() != "graph-model")
    ctx.fail("format", "'" + f->get<std::string>() + "' is not supported (only graph-model)",
             ErrorCode::kUnimplemented);
  const json& topo = ctx.member(doc, "modelTopology", "top level");
  if (!topo.is_object()) ctx.fail("modelTopology", "must be an object");

  tfproto::GraphDef gd;
  {
    google::protobuf::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = true;
    auto st = google::protobuf::util::JsonStringToMessage(topo.dump(), &gd, opts);
    if (!st.ok())
      ctx.fail("modelTopology",
               "not a GraphDef: " + std::string(st.message().data(), st.message().size()));
  }
  Graph g = graph_from_proto(gd, source_name);

  if (auto m = doc.find("weightsManifest"); m != doc.end() && !m->is_null()) {
    if (!m->is_array()) ctx.fail("weightsManifest", "must be an array");
    for (size_t gi = 0; gi < m->size(); ++gi) load_weight_group(g, ctx, (*m)[gi], gi, read_shard);
  }
  try {
    g.check_structure();
  } catch (const Error& e) {
    throw Error(e.code(), source_name + ": " + e.what());
  }
  return g;
}

}  // namespace io_internal

Graph parse_tfjs(std::string_view model_json, const std::map<std::string, std::string>& shards,
                 const std::string& source_name) {
  return io_internal::parse_tfjs_with(
      model_json,
      [&shards](const std::string& p) -> std::string {
        auto it = shards.find(p);
        if (it == shards.end()) throw Error(ErrorCode::kNotFound, "not provided");
        return it->second;
      },
      source_name);
}

Graph load_tfjs(const std::string& model_json_path) {
  std::string dir;
  if (auto slash = model_json_path.rfind('/'); slash != std::string::npos)
    dir = model_json_path.substr(0, slash + 1);
  const std::string text = read_file(model_json_path);
  return io_internal::parse_tfjs_with(
      text, [&dir](const std::string& p) { return read_file(dir + p); }, model_json_path);
}

}  // namespace aamp
