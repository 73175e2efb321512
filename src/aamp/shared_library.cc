// libaamp.so (src/CMakeLists.txt: aamp_shared): aamp's layers linked whole into one shared
// library for the processes that load aamp as a library rather than link it into a program: the
// Python extension and the TensorFlow plugin's implementation. Under TensorFlow both can live in
// one process, and aamp's generated protobuf code must register its descriptors only once per
// process, so they share this one copy. This file only gives the library a source of its own.
namespace aamp {
extern const char kSharedLibraryName[] = "libaamp.so";
}  // namespace aamp
