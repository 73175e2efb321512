// Device runtime: what the plan needs from an accelerator to run kernels on its memory. A backend
// (backends/cuda) registers one per DeviceKind at static-init time; the CPU registers none and
// its plans keep using host memory directly. The runtime sees streams and device pointers as
// opaque `void*` and never includes a vendor header.
#pragma once

#include <cstddef>
#include <string>

#include "aamp/ops/op_def.h"

namespace aamp {

class DeviceRuntime {
 public:
  virtual ~DeviceRuntime() = default;
  // "" when the device can run kernels, else why not (e.g. no CUDA device visible).
  virtual std::string unavailable_reason() const = 0;
  // The device's name, e.g. "NVIDIA H200".
  virtual std::string device_name() const = 0;
  // Device memory (never managed memory). allocate throws Error(kInternal) naming the size.
  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* p) noexcept = 0;
  // Page-locked host memory (fast, asynchronous copies to and from the device); throws
  // Error(kInternal) naming the size.
  virtual void* allocate_host(size_t bytes) = 0;
  virtual void deallocate_host(void* p) noexcept = 0;
  // A stream (queue of work) owned by the caller; kernels and copies of a Session run on one.
  virtual void* create_stream() = 0;
  virtual void destroy_stream(void* stream) noexcept = 0;
  // Copies ordered on `stream`. The host buffers must stay valid until synchronize(stream).
  virtual void copy_to_device(void* dst, const void* src, size_t bytes, void* stream) = 0;
  virtual void copy_to_host(void* dst, const void* src, size_t bytes, void* stream) = 0;
  // Waits for all work queued on `stream`; throws Error with the device's message on failure.
  virtual void synchronize(void* stream) = 0;

  // Device memory allocated through allocate() (plans' arenas, constants and feeds, kernels'
  // weights and workspaces) now, and the most at one time since the last reset_peak().
  virtual size_t bytes_in_use() const = 0;
  virtual size_t peak_bytes() const = 0;
  virtual void reset_peak() = 0;

  // Recording the work queued on a stream into a replayable graph (CUDA Graphs): between
  // begin_capture and end_capture nothing runs; end_capture returns a handle that launch_graph
  // replays with one call, or nullptr (with `why` set) when the work could not be captured (a
  // kernel that synchronizes, allocates or copies from pageable memory). The device state is
  // clean after a failed capture. destroy_graph frees the handle.
  virtual void begin_capture(void* stream) = 0;
  virtual void* end_capture(void* stream, std::string* why) = 0;
  virtual void launch_graph(void* graph, void* stream) = 0;
  virtual void destroy_graph(void* graph) noexcept = 0;

  // Timing of queued work (profiling): events recorded on a stream; elapsed_ms between two of
  // them once the stream has been synchronized past both.
  virtual void* create_event() = 0;
  virtual void destroy_event(void* event) noexcept = 0;
  virtual void record_event(void* event, void* stream) = 0;
  virtual double elapsed_ms(void* from, void* to) = 0;
};

// Registers the runtime of a device (not owned; lives for the process).
void register_device_runtime(DeviceKind d, DeviceRuntime* r);
// The runtime registered for the device, or nullptr (always for kCPU: host memory).
DeviceRuntime* find_device_runtime(DeviceKind d);

}  // namespace aamp
