// Errors. aamp reports failures as aamp::Error exceptions carrying a category; the CLI maps
// bad-input categories to exit code 2 and prints the message, which names the file, node and op
// where known.
#pragma once

#include <stdexcept>
#include <string>

namespace aamp {

enum class ErrorCode {
  kInvalidArgument,  // bad user input: options, feeds, fetch names
  kParse,            // a file that cannot be parsed (pb, pbtxt, json, npy)
  kNotFound,         // a missing file, node or tensor
  kInvalidGraph,     // dangling inputs, cycles, duplicate names, validation failures
  kUnimplemented,    // unsupported op / dtype / feature
  kIO,               // a file cannot be read or written
  kInternal,         // a bug in aamp
};

const char* error_code_name(ErrorCode c);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  ErrorCode code() const { return code_; }
  // True for errors caused by the user's input (exit code 2 in the CLI).
  bool is_user_error() const { return code_ != ErrorCode::kInternal; }

 private:
  ErrorCode code_;
};

#define AAMP_CHECK(cond, code, msg)                  \
  do {                                               \
    if (!(cond)) throw ::aamp::Error((code), (msg)); \
  } while (0)

}  // namespace aamp
