#include "aamp/passes/pass_manager.h"

#include <exception>
#include <optional>

#include "aamp/core/error.h"
#include "aamp/ops/validate.h"

namespace aamp {

std::unordered_set<std::string> PassContext::fetch_nodes(const Graph& g) const {
  std::unordered_set<std::string> out;
  if (fetches.empty()) {
    for (const Node* n : g.default_outputs()) out.insert(n->name);
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

namespace {

// What a graph's validation problems are known by: the names of the nodes that have one (a node
// already invalid before a pass may show a different message after it, e.g. when AMP rewires
// its inputs, and is still not the pass's doing), and the graph-level messages.
std::unordered_set<std::string> issue_keys(const ValidationResult& v) {
  std::unordered_set<std::string> out;
  for (const auto& i : v.issues) out.insert(i.node.empty() ? "graph: " + i.message : i.node);
  return out;
}

// Empty when `after` has no problem `before` lacks; else a message naming the first new one and
// how many there are.
std::string new_problems(const std::unordered_set<std::string>& before,
                         const ValidationResult& after) {
  std::string first;
  int count = 0;
  for (const auto& i : after.issues) {
    if (before.count(i.node.empty() ? "graph: " + i.message : i.node)) continue;
    if (count++ == 0) first = i.to_string();
  }
  if (count == 0) return "";
  std::string msg = "it left a graph that does not validate: " + first;
  if (count > 1) msg += " (and " + std::to_string(count - 1) + " more new problem(s))";
  return msg;
}

}  // namespace

std::vector<PassRecord> PassManager::run(Graph& g, const PassContext& ctx) {
  std::vector<PassRecord> records;
  if (dump_) dump_(0, "input", g);
  // The validation problems of the graph before the next pass (verify_each_pass).
  std::unordered_set<std::string> known;
  if (options_.verify_each_pass) known = issue_keys(validate(g));
  int index = 0;
  for (const auto& p : passes_) {
    ++index;
    PassRecord rec;
    rec.pass = p->name();
    Graph backup = g;
    bool failed = false;
    std::string failure;
    // The code of an aamp::Error the pass itself threw (kept in strict mode: a pass may reject
    // bad input); a graph the pass left broken is an internal error.
    std::optional<ErrorCode> code;
    std::optional<ValidationResult> checked;
    bool ran = false;
    try {
      PassResult r = p->run(g, ctx);
      ran = true;
      g.check_structure();
      rec.changed = r.changed;
      rec.summary = r.summary;
      if (options_.verify_each_pass) {
        checked = validate(g);
        failure = new_problems(known, *checked);
        failed = !failure.empty();
      }
    } catch (const Error& e) {
      failed = true, failure = e.what();
      if (!ran) code = e.code();
    } catch (const std::exception& e) {
      failed = true, failure = e.what();
    } catch (...) {
      failed = true, failure = "unknown exception";
    }
    if (failed && failure.empty()) failure = "unknown error";
    if (failed && options_.strict) {
      std::string note;
      try {  // what the pass left, for debugging; a dump failure must not hide the pass's
        if (dump_) dump_(index, rec.pass, g);
      } catch (const std::exception& e) {
        note = std::string(" (its output could not be dumped: ") + e.what() + ")";
      }
      g = std::move(backup);
      throw Error(code.value_or(ErrorCode::kInternal),
                  "pass " + rec.pass + " failed (strict mode): " + failure + note);
    }
    if (failed) {
      g = std::move(backup);
      rec.ok = false;
      rec.changed = false;
      rec.summary = failure;
      ctx.warn("pass " + rec.pass +
               " failed and was skipped (the graph is kept as it was before "
               "it): " +
               failure);
    } else if (checked) {
      known = issue_keys(*checked);
    }
    if (dump_) dump_(index, rec.pass, g);
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace aamp
