// Shared declarations of the _aamp extension's binding files (one per area).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "aamp/ir/tensor.h"
#include "aamp/ops/op_def.h"

namespace aamp::py {

void bind_errors(pybind11::module_& m);   // module.cc: aamp.Error and its subclasses
void bind_graph(pybind11::module_& m);    // bind_graph.cc: Graph, load
void bind_config(pybind11::module_& m);   // bind_config.cc: AmpConfig, optimize, report
void bind_session(pybind11::module_& m);  // bind_session.cc: Session over NumPy arrays

// "cpu" / "gpu" (also "CPU", "GPU", "cuda") -> DeviceKind; an InvalidArgument error otherwise.
DeviceKind parse_device(const std::string& d);  // bind_session.cc
// A feed from a NumPy array (errors name the feed).
Tensor from_numpy(const std::string& name, const pybind11::array& in);  // bind_session.cc

}  // namespace aamp::py
