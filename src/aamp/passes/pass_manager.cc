#include "aamp/passes/pass_manager.h"

#include <exception>

#include "aamp/core/error.h"

namespace aamp {

std::unordered_set<std::string> PassContext::fetch_nodes(const Graph& g) const {
  std::unordered_set<std::string> out;
  if (fetches.empty()) {
    auto consumers = g.consumer_map();
    for (const auto& n : g.nodes())
      if (consumers.find(n->name) == consumers.end() || consumers[n->name].empty())
        out.insert(n->name);
    return out;
  }
  for (const auto& f : fetches) {
    std::string name = TensorRef::parse(f).node;
    if (!g.find(name))
      throw Error(ErrorCode::kNotFound, "fetch '" + f + "' names no node of the graph");
    out.insert(name);
  }
  return out;
}

std::vector<PassRecord> PassManager::run(Graph& g, const PassContext& ctx) {
  std::vector<PassRecord> records;
  if (dump_) dump_(0, "input", g);
  int index = 0;
  for (const auto& p : passes_) {
    ++index;
    PassRecord rec;
    rec.pass = p->name();
    Graph backup = g;
    std::string failure;
    try {
      PassResult r = p->run(g, ctx);
      g.check_structure();
      rec.changed = r.changed;
      rec.summary = r.summary;
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = "unknown error";
    } catch (...) {
      failure = "unknown exception";
    }
    if (!failure.empty()) {
      g = std::move(backup);
      rec.ok = false;
      rec.changed = false;
      rec.summary = failure;
      ctx.warn("pass " + rec.pass +
               " failed and was skipped (the graph is kept as it was before "
               "it): " +
               failure);
    }
    if (dump_) dump_(index, rec.pass, g);
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace aamp
