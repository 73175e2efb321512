// Device plans (plan.h): the plan's own device memory, the constants and feeds it places there
// once, and the replay of its steps as one captured device graph.
#include <cstdlib>
#include <string>
#include <vector>

#include "aamp/runtime/plan.h"

namespace aamp {

Plan::DeviceBuffer::DeviceBuffer(DeviceRuntime* dev, size_t bytes) : dev_(dev) {
  p_ = static_cast<uint8_t*>(dev_->allocate(std::max<size_t>(bytes, 256)));
}

Plan::DeviceBuffer::~DeviceBuffer() { dev_->deallocate(p_); }

void Plan::place_device_inputs() {
  // Distinct constants read by kernels, then every feed: 256-byte aligned offsets.
  dev_offset_.assign(values_.size(), 0);
  std::vector<int> consts;
  std::vector<bool> seen(values_.size(), false);
  size_t cbytes = 0, fbytes = 0;
  for (const Step& st : steps_)
    for (int v : st.inputs) {
      const int r = root(v);
      if (!values_[static_cast<size_t>(r)].constant || seen[static_cast<size_t>(r)]) continue;
      seen[static_cast<size_t>(r)] = true;
      consts.push_back(r);
      dev_offset_[static_cast<size_t>(r)] = cbytes;
      cbytes += (values_[static_cast<size_t>(r)].bytes + 255) / 256 * 256;
    }
  for (size_t v = 0; v < values_.size(); ++v)
    if (values_[v].feed >= 0) {
      dev_offset_[v] = fbytes;
      fbytes += (values_[v].bytes + 255) / 256 * 256;
    }
  size_t sbytes = 0;
  for (size_t k = 0; k < fetch_values_.size(); ++k) {
    const int v = fetch_values_[k];
    const Value& r = values_[static_cast<size_t>(root(v))];
    const bool on_device = !r.constant && r.feed < 0 && values_[static_cast<size_t>(v)].bytes;
    staging_offset_.push_back(on_device ? static_cast<int64_t>(sbytes) : -1);
    const int down = narrow_src_[k] >= 0 ? narrow_src_[k] : v;
    if (on_device) sbytes += (values_[static_cast<size_t>(down)].bytes + 255) / 256 * 256;
  }
  if (sbytes)
    staging_ = std::unique_ptr<uint8_t, HostFree>(
        static_cast<uint8_t*>(dev_->allocate_host(sbytes)), HostFree{dev_});
  dev_consts_ = std::make_unique<DeviceBuffer>(dev_, cbytes);
  dev_feeds_ = std::make_unique<DeviceBuffer>(dev_, fbytes);
  for (int r : consts) {
    const Value& x = values_[static_cast<size_t>(r)];
    if (x.bytes)
      dev_->copy_to_device(dev_consts_->get() + dev_offset_[static_cast<size_t>(r)],
                           x.constant->raw(), x.bytes, stream_);
  }
  dev_->synchronize(stream_);
}

void Plan::choose_narrow_downloads() {
  narrow_src_.assign(fetch_values_.size(), -1);
  static const bool env_off = [] {
    const char* e = std::getenv("AAMP_NARROW_DOWNLOAD");
    return e && std::string(e) == "0";
  }();
  if (!dev_ || env_off) return;
  const int end = static_cast<int>(steps_.size());
  // parent_ is not built yet: alias chains are followed by hand.
  auto alias_root = [&](int v) {
    while (values_[static_cast<size_t>(v)].alias_of >= 0)
      v = values_[static_cast<size_t>(v)].alias_of;
    return v;
  };
  for (size_t k = 0; k < fetch_values_.size(); ++k) {
    // The Cast itself or an alias of it (a graph's output is often an Identity of the Cast).
    const Value& x = values_[static_cast<size_t>(alias_root(fetch_values_[k]))];
    if (x.dtype != DType::kFloat || x.producer < 0 || x.constant || x.feed >= 0 ||
        x.bytes != values_[static_cast<size_t>(fetch_values_[k])].bytes)
      continue;
    const Step& s = steps_[static_cast<size_t>(x.producer)];
    if (s.node->op != "Cast" || s.inputs.size() != 1 || s.outputs.size() != 1) continue;
    const int u = s.inputs[0];
    const Value& src = values_[static_cast<size_t>(u)];
    if (!is_low_float(src.dtype) || src.bytes * 2 != x.bytes) continue;
    const Value& r = values_[static_cast<size_t>(alias_root(u))];
    if (r.constant || r.feed >= 0 || r.deferred_cast) continue;
    narrow_src_[k] = u;
    ++stats_.narrow_downloads;
    values_[static_cast<size_t>(u)].last_use = end;  // no later step may reuse its memory
  }
}

bool Plan::replay_graph() {
  static const bool env_off = [] {
    const char* e = std::getenv("AAMP_DEVICE_GRAPHS");
    return e && std::string(e) == "0";
  }();
  if (!dev_ || opts_.profile || !opts_.device_graphs || env_off || graph_failed_) return false;
  if (!graph_) {
    if (runs_ == 0) return false;  // the first run initializes what kernels set up lazily
    dev_->begin_capture(stream_);
    std::string why;
    try {
      run_steps();
    } catch (const std::exception& e) {
      why = e.what();
    }
    std::string end_why;
    graph_ = dev_->end_capture(stream_, &end_why);
    if (!graph_ || !why.empty()) {
      dev_->destroy_graph(graph_);
      graph_ = nullptr;
      graph_failed_ = true;
      stats_.graph_note = "capture failed, steps run one by one: " + (why.empty() ? end_why : why);
      return false;
    }
    stats_.graph_replay = true;
  }
  dev_->launch_graph(graph_, stream_);
  return true;
}

}  // namespace aamp
