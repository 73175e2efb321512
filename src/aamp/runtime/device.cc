#include "aamp/runtime/device.h"

#include <array>

namespace aamp {

namespace {

std::array<DeviceRuntime*, 2>& runtimes() {
  static std::array<DeviceRuntime*, 2> r = {nullptr, nullptr};
  return r;
}

}  // namespace

void register_device_runtime(DeviceKind d, DeviceRuntime* r) {
  runtimes()[static_cast<size_t>(d)] = r;
}

DeviceRuntime* find_device_runtime(DeviceKind d) { return runtimes()[static_cast<size_t>(d)]; }

}  // namespace aamp
