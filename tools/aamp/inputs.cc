#include "inputs.h"

#include <random>

#include "aamp/core/dispatch.h"
#include "aamp/core/error.h"
#include "aamp/io/npy.h"

namespace aamp::cli {
namespace {

bool is_input(const Node& n) { return n.op == "Placeholder"; }

}  // namespace

Feeds random_inputs(const Graph& g, int64_t batch, uint64_t seed) {
  Feeds feeds;
  std::mt19937_64 rng(seed);
  for (const auto& n : g.nodes()) {
    if (!is_input(*n)) continue;
    const DType t = n->attr_type("dtype");
    Shape s;
    if (const AttrValue* a = n->find_attr("shape");
        a && a->is<Shape>() && !a->get<Shape>().unknown_rank) {
      s = a->get<Shape>();
      for (auto& d : s.dims)
        if (d < 0) d = batch;
    } else {
      throw Error(ErrorCode::kInvalidArgument, "input '" + n->name +
                                                   "' has an unknown rank: give it with --input " +
                                                   n->name + "=file.npy");
    }
    Tensor v(t == DType::kBFloat16 || t == DType::kHalf ? DType::kFloat : t, s);
    const bool mask = n->name.find("mask") != std::string::npos;
    const bool small = mask || n->name.find("type") != std::string::npos;
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
      throw Error(ErrorCode::kUnimplemented, "input '" + n->name + "' has dtype " + dtype_name(t) +
                                                 ", which cannot be generated: use --input");
    }
    feeds.emplace_back(n->name, std::move(v));
  }
  return feeds;
}

void apply_input_files(const Graph& g, const std::vector<std::string>& specs, Feeds* feeds) {
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
    Tensor t = read_npy(spec.substr(eq + 1));
    bool replaced = false;
    for (auto& [k, v] : *feeds)
      if (k == name) {
        v = t;
        replaced = true;
      }
    if (!replaced) feeds->emplace_back(name, std::move(t));
  }
}

}  // namespace aamp::cli
