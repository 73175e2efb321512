#include "inputs.h"

#include <map>
#include <random>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/io/npy.h"

namespace aamp::cli {
namespace {

bool is_input(const Node& n) { return n.op == "Placeholder"; }

bool unknown_rank(const Node& n) {
  const AttrValue* a = n.find_attr("shape");
  return !a || !a->is<Shape>() || a->get<Shape>().unknown_rank;
}

// A seeded random tensor for placeholder n (see make_inputs).
Tensor random_input(const Node& n, int64_t batch, std::mt19937_64& rng) {
  const DType t = n.attr_type("dtype");
  // Unknown rank: a scalar (recurrent states, ratios and flags of real models are scalars).
  Shape s = unknown_rank(n) ? Shape{} : n.attr_shape("shape");
  for (auto& d : s.dims)
    if (d < 0) d = batch;
  Tensor v(t == DType::kBFloat16 || t == DType::kHalf ? DType::kFloat : t, s);
  const bool mask = n.name.find("mask") != std::string::npos;
  const bool small = mask || n.name.find("type") != std::string::npos;
  if (t == DType::kBool) {
    bool* p = v.mutable_data<bool>();
    for (int64_t i = 0; i < v.num_elements(); ++i) p[i] = (rng() & 1) != 0;
  } else if (is_float(t)) {
    std::uniform_real_distribution<double> u(0.0, 1.0);
    dispatch_float(v.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = v.mutable_data<T>();
      for (int64_t i = 0; i < v.num_elements(); ++i)
        p[i] = from_float<T>(static_cast<float>(u(rng)));
    });
    if (v.dtype() != t) v = v.cast_float(t);
  } else if (is_integer(t)) {
    std::uniform_int_distribution<int> u(0, small ? 1 : 99);
    dispatch_int(t, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = v.mutable_data<T>();
      for (int64_t i = 0; i < v.num_elements(); ++i) p[i] = static_cast<T>(mask ? 1 : u(rng));
    });
  } else {
    throw Error(ErrorCode::kUnimplemented, "input '" + n.name + "' has dtype " + dtype_name(t) +
                                               ", which cannot be generated: use --input");
  }
  return v;
}

// The tensor of "name=file.npy" for placeholder n: the file's dtype and shape must fit n's
// (float32 files feed bfloat16/float16 inputs, converted).
Tensor file_input(const Node& n, const std::string& spec, const std::string& path) {
  Tensor v = read_npy(path);
  const DType want = n.attr_type("dtype");
  Shape want_shape;
  if (const AttrValue* a = n.find_attr("shape"); a && a->is<Shape>())
    want_shape = a->get<Shape>();
  else
    want_shape = Shape::unknown();
  if (v.dtype() != want && is_low_float(want) && is_float(v.dtype())) v = v.cast_float(want);
  bool fits = v.dtype() == want;
  if (!want_shape.unknown_rank) {
    fits = fits && v.shape().rank() == want_shape.rank();
    for (int i = 0; fits && i < want_shape.rank(); ++i)
      fits = want_shape.dims[i] < 0 || want_shape.dims[i] == v.shape().dims[i];
  }
  if (!fits)
    throw Error(ErrorCode::kInvalidArgument,
                "--input '" + spec + "': " + path + " holds " + dtype_name(v.dtype()) + " " +
                    v.shape().to_string() + ", but input '" + n.name + "' is " + dtype_name(want) +
                    " " + want_shape.to_string());
  return v;
}

}  // namespace

Feeds make_inputs(const Graph& g, const std::vector<std::string>& specs, int64_t batch,
                  uint64_t seed) {
  std::map<std::string, Tensor> given;
  for (const std::string& spec : specs) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw Error(ErrorCode::kInvalidArgument,
                  "--input '" + spec + "': expected NAME=FILE.npy, e.g. --input x=image.npy");
    const std::string name = spec.substr(0, eq);
    const Node* n = g.find(name);
    if (!n || !is_input(*n))
      throw Error(
          ErrorCode::kInvalidArgument,
          "--input '" + spec + "': the model has no input (Placeholder) named '" + name + "'");
    if (given.count(name))
      throw Error(ErrorCode::kInvalidArgument,
                  "--input '" + spec + "': input '" + name + "' is given twice");
    given.emplace(name, file_input(*n, spec, spec.substr(eq + 1)));
  }
  // Inputs given by file take no random values (nor need a known shape).
  Feeds feeds;
  std::mt19937_64 rng(seed);
  for (const auto& n : g.nodes()) {
    if (!is_input(*n)) continue;
    if (auto it = given.find(n->name); it != given.end())
      feeds.emplace_back(n->name, it->second);
    else
      feeds.emplace_back(n->name, random_input(*n, batch, rng));
  }
  return feeds;
}

std::vector<std::string> scalar_defaults(const Graph& g, const std::vector<std::string>& specs) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes()) {
    if (!is_input(*n) || !unknown_rank(*n)) continue;
    bool given = false;
    for (const std::string& spec : specs) given |= spec.rfind(n->name + "=", 0) == 0;
    if (!given) out.push_back(n->name);
  }
  return out;
}

std::string scalar_defaults_note(const std::vector<std::string>& names) {
  if (names.empty()) return "";
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
  return "input" + std::string(names.size() == 1 ? " " : "s ") + list + " of unknown rank " +
         (names.size() == 1 ? "was" : "were") + " fed as a random scalar; give " +
         (names.size() == 1 ? "it" : "them") + " with --input " + names[0] + "=file.npy";
}

}  // namespace aamp::cli
