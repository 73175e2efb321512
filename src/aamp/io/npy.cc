#include "aamp/io/npy.h"

#include <cctype>
#include <cstring>
#include <string_view>

#include "aamp/core/error.h"
#include "aamp/io/graph_io.h"

namespace aamp {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct NpyType {
  DType dtype;
  const char* descr;  // as NumPy writes it
};
constexpr NpyType kTypes[] = {
    {DType::kFloat, "<f4"}, {DType::kDouble, "<f8"}, {DType::kHalf, "<f2"},
    {DType::kInt8, "|i1"},  {DType::kInt16, "<i2"},  {DType::kInt32, "<i4"},
    {DType::kInt64, "<i8"}, {DType::kUInt8, "|u1"},  {DType::kUInt16, "<u2"},
    {DType::kBool, "|b1"},  {DType::kUInt32, "<u4"}, {DType::kUInt64, "<u8"},
};

[[noreturn]] void fail(const std::string& path, const std::string& what,
                       ErrorCode code = ErrorCode::kParse) {
  throw Error(code, path + ": " + what);
}

// Finds the value text of 'key' in the header dict.
std::string_view dict_value(std::string_view header, std::string_view key,
                            const std::string& path) {
  for (const char q : {'\'', '"'}) {
    std::string k = std::string(1, q) + std::string(key) + std::string(1, q);
    size_t p = header.find(k);
    if (p == std::string_view::npos) continue;
    p = header.find(':', p + k.size());
    if (p == std::string_view::npos) break;
    ++p;
    while (p < header.size() && std::isspace(static_cast<unsigned char>(header[p]))) ++p;
    size_t end = p;
    if (end < header.size() && header[end] == '(') {
      end = header.find(')', end);
      if (end == std::string_view::npos) fail(path, "npy header: unterminated shape tuple");
      return header.substr(p, end + 1 - p);
    }
    if (end < header.size() && (header[end] == '\'' || header[end] == '"')) {
      size_t close = header.find(header[end], end + 1);
      if (close == std::string_view::npos) fail(path, "npy header: unterminated string");
      return header.substr(p + 1, close - p - 1);
    }
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
    return header.substr(p, end - p);
  }
  fail(path, "npy header has no '" + std::string(key) + "'");
}

Shape parse_shape(std::string_view tuple, const std::string& path) {
  Shape s;
  size_t i = 1;  // after '('
  while (i < tuple.size()) {
    char c = tuple[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      int64_t v = 0;
      while (i < tuple.size() && std::isdigit(static_cast<unsigned char>(tuple[i]))) {
        if (v > (int64_t{1} << 50)) fail(path, "npy shape dimension too large");
        v = v * 10 + (tuple[i] - '0');
        ++i;
      }
      s.dims.push_back(v);
    } else if (c == ',' || c == ' ' || c == ')' || c == 'L') {
      ++i;
    } else {
      fail(path, "npy header: bad shape " + std::string(tuple));
    }
  }
  return s;
}

}  // namespace

Tensor parse_npy(std::string_view data, const std::string& path) {
  if (data.size() < kMagicLen + 4 ||
      data.substr(0, kMagicLen) != std::string_view(kMagic, kMagicLen))
    fail(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(data[6]);
  size_t header_len = 0;
  size_t pos = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(data[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(data[9])) << 8);
    pos = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12) fail(path, "truncated .npy header");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<size_t>(static_cast<unsigned char>(data[8 + i])) << (8 * i);
    pos = 12;
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(major),
         ErrorCode::kUnimplemented);
  }
  if (header_len > data.size() - pos) fail(path, "truncated .npy header");
  const std::string_view header(data.data() + pos, header_len);
  pos += header_len;

  const std::string descr(dict_value(header, "descr", path));
  const std::string_view fortran = dict_value(header, "fortran_order", path);
  if (fortran.substr(0, 4) == "True")
    fail(path, "Fortran-order arrays are not supported", ErrorCode::kUnimplemented);
  if (fortran.substr(0, 5) != "False") fail(path, "npy header: bad fortran_order");
  const std::string_view shape_text = dict_value(header, "shape", path);
  if (shape_text.empty() || shape_text[0] != '(') fail(path, "npy header: bad shape");
  Shape shape = parse_shape(shape_text, path);

  DType dtype = DType::kInvalid;
  for (const auto& t : kTypes) {
    std::string d = t.descr;
    // '<', '|' and '=' all mean little endian here; one-byte types accept any of them.
    if (descr.size() == d.size() && descr.substr(1) == d.substr(1) &&
        (descr[0] == '<' || descr[0] == '|' || descr[0] == '='))
      dtype = t.dtype;
  }
  if (dtype == DType::kInvalid)
    fail(path, "unsupported npy dtype '" + descr + "' (big-endian or not numeric?)",
         ErrorCode::kUnimplemented);

  uint64_t n = 1;
  for (int64_t d : shape.dims) {
    if (d != 0 && n > (uint64_t{1} << 50) / static_cast<uint64_t>(d))
      fail(path, "npy shape " + shape.to_string() + " is too large");
    n *= static_cast<uint64_t>(d);
  }
  const uint64_t want = n * dtype_size(dtype);
  const uint64_t have = data.size() - pos;
  if (have != want)
    fail(path, "npy data of " + dtype_name(dtype) + shape.to_string() + " needs " +
                   std::to_string(want) + " bytes, file has " + std::to_string(have));
  std::vector<uint8_t> bytes(data.begin() + static_cast<std::ptrdiff_t>(pos), data.end());
  if (dtype == DType::kBool)
    for (auto& b : bytes) b = b ? 1 : 0;
  return Tensor::from_bytes(dtype, std::move(shape), std::move(bytes));
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string encode_npy(const Tensor& t, const std::string& path) {
  const Tensor src = t.dtype() == DType::kBFloat16 ? t.cast_float(DType::kFloat) : t;
  const char* descr = nullptr;
  for (const auto& nt : kTypes)
    if (nt.dtype == src.dtype()) descr = nt.descr;
  if (!descr)
    fail(path, "cannot write " + dtype_name(t.dtype()) + " tensors as .npy",
         ErrorCode::kUnimplemented);
  if (!src.shape().is_fully_defined())
    fail(path, "tensor shape is not fully defined", ErrorCode::kInvalidArgument);
  std::string shape = "(";
  for (size_t i = 0; i < src.shape().dims.size(); ++i)
    shape += std::to_string(src.shape().dims[i]) + (src.shape().dims.size() == 1 ? "," : "") +
             (i + 1 < src.shape().dims.size() ? ", " : "");
  shape += ")";
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with '\n'.
  const bool v2 = header.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  const size_t total = (prefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string out(kMagic, kMagicLen);
  out += static_cast<char>(v2 ? 2 : 1);
  out += '\0';
  const size_t hl = header.size();
  out += static_cast<char>(hl & 0xff);
  out += static_cast<char>((hl >> 8) & 0xff);
  if (v2) {
    out += static_cast<char>((hl >> 16) & 0xff);
    out += static_cast<char>((hl >> 24) & 0xff);
  }
  out += header;
  out.append(reinterpret_cast<const char*>(src.raw()), src.byte_size());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  write_file_atomic(path, encode_npy(t, path));
}

}  // namespace aamp
