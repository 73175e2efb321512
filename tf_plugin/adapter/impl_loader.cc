#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include "adapter/adapter.h"

namespace aamp_tf {

namespace {

std::string own_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&own_dir), &info) == 0 || !info.dli_fname) return ".";
  std::string p = info.dli_fname;
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

const AampTfImpl* load() {
  // AAMP_TF_IMPL names the implementation explicitly (tests, unusual layouts).
  // Installed: tensorflow-plugins/libaamp_tf.so and aamp/libaamp_tf_impl.so side by side in
  // site-packages (the implementation must not sit in tensorflow-plugins/, which TensorFlow loads
  // whole); in a build tree both are in one folder.
  std::string path;
  if (const char* p = std::getenv("AAMP_TF_IMPL"); p && *p) {
    path = p;
  } else {
    const std::string dir = own_dir();
    path = dir + "/../aamp/libaamp_tf_impl.so";
    if (access(path.c_str(), R_OK) != 0) path = dir + "/libaamp_tf_impl.so";
  }
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!h) {
    const char* e = dlerror();
    warn_once("cannot load " + path + " (" + (e ? e : "unknown error") +
              "); the plugin leaves every graph unchanged");
    return nullptr;
  }
  auto get = reinterpret_cast<AampTfImplGetFn>(dlsym(h, "aamp_tf_impl_get"));
  const AampTfImpl* t = get ? get() : nullptr;
  if (!t || t->abi_version != AAMP_TF_IMPL_ABI) {
    warn_once(path + " is not a matching aamp implementation (ABI " +
              std::to_string(t ? t->abi_version : -1) + ", expected " +
              std::to_string(AAMP_TF_IMPL_ABI) + "); the plugin leaves every graph unchanged");
    return nullptr;
  }
  return t;
}

}  // namespace

const AampTfImpl* impl() {
  static const AampTfImpl* t = load();
  return t;
}

void warn_once(const std::string& msg) {
  static std::mutex mu;
  static std::set<std::string> seen;
  std::lock_guard<std::mutex> lock(mu);
  if (!seen.insert(msg).second) return;
  std::string line = msg.rfind("aamp: ", 0) == 0 ? msg : "aamp: " + msg;
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

bool env_is_off(const char* name) {
  const char* v = std::getenv(name);
  if (!v) return false;
  std::string s;
  for (const char* c = v; *c; ++c)
    s += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  return s == "0" || s == "false" || s == "off" || s == "no";
}

bool config_asks_anything() {
  if (const char* j = std::getenv("AAMP_CONFIG_JSON"); j && *j) return true;
  for (const char* name :
       {"AAMP_AUTO_MIXED_PRECISION", "ITEX_AUTO_MIXED_PRECISION", "AAMP_REMAPPER", "ITEX_REMAPPER"})
    if (std::getenv(name)) return true;
  return false;
}

}  // namespace aamp_tf
