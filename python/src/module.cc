// The _aamp extension module: errors and the registration of every binding file.
#include <pybind11/pybind11.h>

#include "aamp/core/error.h"
#include "bindings.h"

namespace pyb = pybind11;

namespace aamp::py {

void bind_errors(pyb::module_& m) {
  // aamp.Error (base) and one subclass per ErrorCode; C++ aamp::Error is translated to the
  // subclass of its code with the C++ message. NotFoundError also derives from LookupError,
  // InvalidArgumentError from ValueError, so idiomatic `except ValueError` works.
  static pyb::exception<Error> base(m, "Error", PyExc_RuntimeError);
  static pyb::handle invalid =
      PyErr_NewException("aamp._aamp.InvalidArgumentError",
                         pyb::make_tuple(base, pyb::handle(PyExc_ValueError)).ptr(), nullptr);
  static pyb::handle not_found =
      PyErr_NewException("aamp._aamp.NotFoundError",
                         pyb::make_tuple(base, pyb::handle(PyExc_LookupError)).ptr(), nullptr);
  static pyb::handle parse = PyErr_NewException("aamp._aamp.ParseError", base.ptr(), nullptr);
  static pyb::handle graph =
      PyErr_NewException("aamp._aamp.InvalidGraphError", base.ptr(), nullptr);
  static pyb::handle unimpl = PyErr_NewException(
      "aamp._aamp.UnimplementedError",
      pyb::make_tuple(base, pyb::handle(PyExc_NotImplementedError)).ptr(), nullptr);
  static pyb::handle io = PyErr_NewException("aamp._aamp.IOError", base.ptr(), nullptr);
  static pyb::handle internal = PyErr_NewException("aamp._aamp.InternalError", base.ptr(), nullptr);
  m.attr("InvalidArgumentError") = invalid;
  m.attr("NotFoundError") = not_found;
  m.attr("ParseError") = parse;
  m.attr("InvalidGraphError") = graph;
  m.attr("UnimplementedError") = unimpl;
  m.attr("IOError") = io;
  m.attr("InternalError") = internal;
  pyb::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      pyb::handle t;
      switch (e.code()) {
        case ErrorCode::kInvalidArgument:
          t = invalid;
          break;
        case ErrorCode::kNotFound:
          t = not_found;
          break;
        case ErrorCode::kParse:
          t = parse;
          break;
        case ErrorCode::kInvalidGraph:
          t = graph;
          break;
        case ErrorCode::kUnimplemented:
          t = unimpl;
          break;
        case ErrorCode::kIO:
          t = io;
          break;
        case ErrorCode::kInternal:
          t = internal;
          break;
      }
      PyErr_SetString(t.ptr(), e.what());
    }
  });
}

}  // namespace aamp::py

PYBIND11_MODULE(_aamp, m) {
  m.doc() = "aamp: Advanced Auto Mixed Precision for TensorFlow graphs (C++ core)";
  aamp::py::bind_errors(m);
  aamp::py::bind_graph(m);
  aamp::py::bind_config(m);
  aamp::py::bind_session(m);
}
