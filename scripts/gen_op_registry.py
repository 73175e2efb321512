#!/usr/bin/env python3
"""Generates src/aamp/ops/tf_ops_generated.cc, aamp's table of TensorFlow op signatures.

Input: TensorFlow 2.7's op registry, an OpList in protobuf text format (/work/shared/tf/ops.pbtxt,
Apache License 2.0). Output: a C++ file defining aamp::register_tf_op_signatures(OpRegistry&)
(declared in ops/families.h). The table is compact plain data -- arrays of POD structs with
const char* fields -- decoded into OpDefs by a small decoder when the registry starts, so the
file compiles in a few seconds even with 1,400+ ops.

Encoding of attr defaults (a C string, decoded according to the attr's type; nullptr = none):
  string: the bytes            int: decimal           float: decimal, "inf", "-inf", "nan"
  bool: "0" / "1"              type: DataType enum number
  shape: "?" (unknown rank) or the dims joined by "," ("" = scalar)
  tensor: "<dtype>;<dims>;<values>" (numeric *_val fields only; other tensors are skipped)
  list(...): each element encoded as above and terminated by "\\037" ("" = empty list)
Allowed values: "type"/"list(type)": enum numbers joined by ","; strings: each terminated by
"\\037".

Python 3 standard library only (no protobuf module): a small text-format parser is below.
The output is deterministic (ops in file order, which is sorted by name).

Usage: scripts/gen_op_registry.py [--ops /work/shared/tf/ops.pbtxt]
                                  [--out src/aamp/ops/tf_ops_generated.cc]
"""

import argparse
import os
import sys

DTYPES = {
    "DT_INVALID": 0, "DT_FLOAT": 1, "DT_DOUBLE": 2, "DT_INT32": 3, "DT_UINT8": 4, "DT_INT16": 5,
    "DT_INT8": 6, "DT_STRING": 7, "DT_COMPLEX64": 8, "DT_INT64": 9, "DT_BOOL": 10, "DT_QINT8": 11,
    "DT_QUINT8": 12, "DT_QINT32": 13, "DT_BFLOAT16": 14, "DT_QINT16": 15, "DT_QUINT16": 16,
    "DT_UINT16": 17, "DT_COMPLEX128": 18, "DT_HALF": 19, "DT_RESOURCE": 20, "DT_VARIANT": 21,
    "DT_UINT32": 22, "DT_UINT64": 23,
}
SEP = "\x1f"  # list element terminator (written as \037 in C)


# ---- protobuf text format -----------------------------------------------------------------
class ParseError(Exception):
    pass


def _unescape(body, line):
    """Decodes the body of a text-format string literal to bytes."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39,
              '"': 34, "?": 63}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ParseError("line %d: dangling backslash" % line)
        c = body[i]
        if c in simple:
            out.append(simple[c])
            i += 1
        elif c in "01234567":
            j = i
            while j < len(body) and j < i + 3 and body[j] in "01234567":
                j += 1
            out.append(int(body[i:j], 8) & 0xFF)
            i = j
        elif c in "xX":
            j = i + 1
            while j < len(body) and j < i + 3 and body[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 1:
                raise ParseError("line %d: bad \\x escape" % line)
            out.append(int(body[i + 1:j], 16))
            i = j
        else:
            raise ParseError("line %d: unknown escape \\%s" % (line, c))
    return bytes(out)


def tokenize(text):
    """Yields (kind, value, line): kind is 'sym' ({ } : < > [ ] ,), 'str' (bytes) or 'word'."""
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in "{}:<>[],;":
            yield ("sym", c, line)
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                if j < n and text[j] == "\n":
                    raise ParseError("line %d: newline in string" % line)
                j += 1
            if j >= n:
                raise ParseError("line %d: unterminated string" % line)
            yield ("str", _unescape(text[i + 1:j], line), line)
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in "{}:<>[],;#\"'":
                j += 1
            yield ("word", text[i:j], line)
            i = j


class Message:
    """A parsed message: fields in order as (name, value); value is a Message, bytes or str."""

    def __init__(self):
        self.fields = []

    def all(self, name):
        return [v for k, v in self.fields if k == name]

    def get(self, name, default=None):
        for k, v in self.fields:
            if k == name:
                return v
        return default


def parse_text_format(text):
    toks = list(tokenize(text))
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else (None, None, -1)

    def take():
        t = peek()
        pos[0] += 1
        return t

    def parse_message(close):
        msg = Message()
        while True:
            kind, val, line = peek()
            if kind is None:
                if close is None:
                    return msg
                raise ParseError("unexpected end of input, expected '%s'" % close)
            if kind == "sym" and val == close:
                take()
                return msg
            if kind != "word":
                raise ParseError("line %d: expected a field name, got %r" % (line, val))
            take()
            name = val
            kind, val, line = peek()
            if kind == "sym" and val == ":":
                take()
                kind, val, line = peek()
            if kind == "sym" and val in "{<":
                take()
                msg.fields.append((name, parse_message("}" if val == "{" else ">")))
            elif kind == "sym" and val == "[":
                take()
                while True:
                    k2, v2, l2 = take()
                    if k2 == "sym" and v2 == "]":
                        break
                    if k2 == "sym" and v2 == ",":
                        continue
                    if k2 == "sym" and v2 == "{":
                        msg.fields.append((name, parse_message("}")))
                    elif k2 in ("str", "word"):
                        msg.fields.append((name, v2))
                    else:
                        raise ParseError("line %d: bad list element %r" % (l2, v2))
            elif kind == "str":
                take()
                value = val
                while peek()[0] == "str":  # adjacent literals concatenate
                    value += take()[1]
                msg.fields.append((name, value))
            elif kind == "word":
                take()
                msg.fields.append((name, val))
            else:
                raise ParseError("line %d: expected a value for '%s'" % (line, name))
            if peek()[0] == "sym" and peek()[1] in ",;":
                take()

    return parse_message(None)


# ---- OpDef -> table rows --------------------------------------------------------------------
def c_str(b):
    """A C++ string literal for bytes (or str); None -> nullptr."""
    if b is None:
        return "nullptr"
    if isinstance(b, str):
        b = b.encode("utf-8")
    out = ['"']
    for ch in b:
        if ch == 0x5C:
            out.append("\\\\")
        elif ch == 0x22:
            out.append('\\"')
        elif 0x20 <= ch < 0x7F and ch != 0x3F:  # '?' escaped: no trigraph surprises
            out.append(chr(ch))
        else:
            out.append("\\%03o" % ch)
    out.append('"')
    return "".join(out)


def dtype_num(word):
    if word not in DTYPES:
        raise ParseError("unknown dtype %s" % word)
    return DTYPES[word]


def to_bool(word):
    if word in ("true", "True", "t", "1"):
        return True
    if word in ("false", "False", "f", "0"):
        return False
    raise ParseError("bad bool %r" % word)


def enc_shape(m):
    if to_bool(m.get("unknown_rank", "false")):
        return "?"
    return ",".join(str(int(d.get("size", "0"))) for d in m.all("dim"))


def enc_float(word):
    w = word.lower().rstrip("f") if not word.lower().endswith("inf") else word.lower()
    if w in ("inf", "infinity", "-inf", "-infinity", "nan"):
        return w.replace("infinity", "inf")
    float(w)  # validates
    return w


NUMERIC_VALS = ("int_val", "int64_val", "float_val", "double_val", "bool_val", "half_val",
                "uint32_val", "uint64_val")


def enc_tensor(m):
    """Encodes a numeric TensorProto default; None when it cannot be encoded."""
    if m.get("tensor_content") is not None or m.all("string_val"):
        return None
    dt = dtype_num(m.get("dtype", "DT_INVALID"))
    if dt not in (1, 2, 3, 4, 5, 6, 9, 10, 14, 17, 19):  # what the decoder's dispatch handles
        return None
    shape = m.get("tensor_shape")
    dims = enc_shape(shape) if shape is not None else ""
    if dims == "?":
        return None
    vals = []
    for field in NUMERIC_VALS:
        for v in m.all(field):
            if field == "bool_val":
                vals.append("1" if to_bool(v) else "0")
            elif field in ("float_val", "double_val"):
                vals.append(enc_float(v))
            else:
                vals.append(str(int(v)))
    return "%d;%s;%s" % (dt, dims, ",".join(vals))


def enc_scalar(kind, av):
    """Encodes the one value of AttrValue message av for scalar attr type kind (bytes)."""
    if kind == "string":
        return av.get("s", b"")
    if kind == "int":
        return str(int(av.get("i", "0"))).encode()
    if kind == "float":
        return enc_float(av.get("f", "0")).encode()
    if kind == "bool":
        return b"1" if to_bool(av.get("b", "false")) else b"0"
    if kind == "type":
        return str(dtype_num(av.get("type", "DT_INVALID"))).encode()
    if kind == "shape":
        return enc_shape(av.get("shape", Message())).encode()
    if kind == "tensor":
        t = enc_tensor(av.get("tensor", Message()))
        return None if t is None else t.encode()
    return None  # func, placeholder: not encoded


LIST_FIELD = {"string": "s", "int": "i", "float": "f", "bool": "b", "type": "type",
              "shape": "shape", "tensor": "tensor", "func": "func"}


def enc_default(attr_type, av):
    """Encodes a default AttrValue; returns (bytes or None, note)."""
    if attr_type.startswith("list(") and attr_type.endswith(")"):
        kind = attr_type[5:-1]
        lst = av.get("list", Message())
        out = b""
        for elem in lst.all(LIST_FIELD[kind]):
            wrapper = Message()
            wrapper.fields.append((LIST_FIELD[kind], elem))
            e = enc_scalar(kind, wrapper)
            if e is None:
                return None, "list(%s) default not encoded" % kind
            out += e + SEP.encode()
        return out, None
    if attr_type in ("func",):
        return None, "func default not encoded"
    key = LIST_FIELD.get(attr_type)
    if key is None or av.get(key) is None:
        return None, "default of type %s has no %s value" % (attr_type, key)
    e = enc_scalar(attr_type, av)
    if e is None:
        return None, "%s default not encoded" % attr_type
    return e, None


def enc_allowed(attr_type, av):
    if av is None:
        return None
    lst = av.get("list", Message())
    if attr_type in ("type", "list(type)"):
        return ",".join(str(dtype_num(t)) for t in lst.all("type")).encode()
    if attr_type in ("string", "list(string)"):
        return b"".join(s + SEP.encode() for s in lst.all("s"))
    raise ParseError("allowed_values on attr of type %s" % attr_type)


def arg_row(a):
    name = a.get("name").decode() if isinstance(a.get("name"), bytes) else a.get("name")
    t = dtype_num(a.get("type", "DT_INVALID"))

    def s(k):
        v = a.get(k, b"")
        return v.decode() if isinstance(v, bytes) else v

    is_ref = to_bool(a.get("is_ref", "false"))
    return "{%s, %s, %s, %s, %d, %d}," % (c_str(name), c_str(s("type_attr")),
                                          c_str(s("number_attr")), c_str(s("type_list_attr")),
                                          t, 1 if is_ref else 0)


def generate(ops_path):
    with open(ops_path, "r", encoding="utf-8") as f:
        oplist = parse_text_format(f.read())
    ops = oplist.all("op")
    args, attrs, oprows, notes = [], [], [], []
    for op in ops:
        name = op.get("name").decode()
        first_arg, first_attr = len(args), len(attrs)
        ins, outs = op.all("input_arg"), op.all("output_arg")
        for a in ins + outs:
            args.append(arg_row(a))
        for at in op.all("attr"):
            aname = at.get("name").decode()
            atype = at.get("type").decode()
            dflt = None
            if at.get("default_value") is not None:
                dflt, note = enc_default(atype, at.get("default_value"))
                if note:
                    notes.append("%s.%s: %s" % (name, aname, note))
            allowed = enc_allowed(atype, at.get("allowed_values"))
            has_min = to_bool(at.get("has_minimum", "false"))
            minimum = int(at.get("minimum", "0"))
            attrs.append("{%s, %s, %s, %s, %d, %d}," % (
                c_str(aname), c_str(atype), c_str(dflt), c_str(allowed), minimum,
                1 if has_min else 0))
        stateful = to_bool(op.get("is_stateful", "false"))
        oprows.append("{%s, %d, %d, %d, %d, %d, %d}," % (
            c_str(name), first_arg, len(ins), len(outs), first_attr,
            len(attrs) - first_attr, 1 if stateful else 0))
    return ops, args, attrs, oprows, notes


HEADER = """\
// GENERATED FILE -- DO NOT EDIT.
// Generated by scripts/gen_op_registry.py from TensorFlow 2.7's op registry (ops.pbtxt, an OpList
// in protobuf text format; TensorFlow is Apache License 2.0): %(count)d ops.
// Regenerate (from the repo root) with:
//   python3 scripts/gen_op_registry.py --ops /work/shared/tf/ops.pbtxt
// The table is plain data decoded into OpDefs at registry start-up; the encoding of defaults and
// allowed values is described in the script's docstring.
%(notes)s
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aamp/core/dispatch.h"
#include "aamp/ops/families.h"
#include "aamp/ops/registry.h"

namespace aamp {
namespace {

struct GenArg {
  const char* name;
  const char* type_attr;
  const char* number_attr;
  const char* type_list_attr;
  int type;
  int is_ref;
};
struct GenAttr {
  const char* name;
  const char* type;
  const char* dflt;     // encoded default; nullptr = none
  const char* allowed;  // encoded allowed values; nullptr = any
  int64_t minimum;
  int has_minimum;
};
struct GenOp {
  const char* name;
  int first_arg, num_inputs, num_outputs, first_attr, num_attrs, is_stateful;
};

// clang-format off
const GenArg kArgs[] = {
%(args)s
};
const GenAttr kAttrs[] = {
%(attrs)s
};
const GenOp kOps[] = {
%(ops)s
};
// clang-format on

constexpr char kSep = '\\037';

// "a\\037b\\037" -> {"a", "b"}.
std::vector<std::string_view> split_terminated(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == kSep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

int64_t to_int(std::string_view s) { return std::strtoll(std::string(s).c_str(), nullptr, 10); }
double to_double(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }

Shape to_shape(std::string_view s) {
  if (s == "?") return Shape::unknown();
  Shape sh;
  for (auto d : split(s, ',')) sh.dims.push_back(to_int(d));
  return sh;
}

Tensor to_tensor(std::string_view s) {
  auto parts = split(s, ';');
  while (parts.size() < 3) parts.emplace_back();
  DType dt = static_cast<DType>(to_int(parts[0]));
  Tensor t(dt, to_shape(parts[1]));
  auto vals = split(parts[2], ',');
  if (vals.empty()) return t;
  dispatch_numeric(dt, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.mutable_data<T>();
    for (int64_t i = 0; i < t.num_elements(); ++i) {
      // TensorProto repeats the last value to fill the shape.
      size_t k = std::min(static_cast<size_t>(i), vals.size() - 1);
      p[i] = from_float<T>(static_cast<float>(to_double(vals[k])));
    }
  });
  return t;
}

// Decodes one scalar of attr kind `kind` ("int", "shape", ...).
AttrValue scalar(std::string_view kind, std::string_view s) {
  if (kind == "string") return std::string(s);
  if (kind == "int") return to_int(s);
  if (kind == "float") return static_cast<float>(to_double(s));
  if (kind == "bool") return s == "1";
  if (kind == "type") return static_cast<DType>(to_int(s));
  if (kind == "shape") return to_shape(s);
  if (kind == "tensor") return to_tensor(s);
  return AttrValue();
}

AttrValue decode_default(std::string_view type, std::string_view s) {
  if (type.substr(0, 5) != "list(") return scalar(type, s);
  std::string_view kind = type.substr(5, type.size() - 6);
  AttrList l;
  for (auto e : split_terminated(s)) {
    AttrValue v = scalar(kind, e);
    if (kind == "string") l.s.push_back(v.get<std::string>());
    else if (kind == "int") l.i.push_back(v.get<int64_t>());
    else if (kind == "float") l.f.push_back(v.get<float>());
    else if (kind == "bool") l.b.push_back(v.get<bool>());
    else if (kind == "type") l.type.push_back(v.get<DType>());
    else if (kind == "shape") l.shape.push_back(v.get<Shape>());
    else if (kind == "tensor") l.tensor.push_back(v.get<Tensor>());
  }
  return l;
}

ArgDef decode_arg(const GenArg& g) {
  ArgDef a;
  a.name = g.name;
  a.type = static_cast<DType>(g.type);
  a.type_attr = g.type_attr;
  a.number_attr = g.number_attr;
  a.type_list_attr = g.type_list_attr;
  a.is_ref = g.is_ref != 0;
  return a;
}

AttrDef decode_attr(const GenAttr& g) {
  AttrDef a;
  a.name = g.name;
  a.type = g.type;
  if (g.dflt) a.default_value = decode_default(a.type, g.dflt);
  if (g.allowed) {
    if (a.type == "type" || a.type == "list(type)") {
      for (auto t : split(g.allowed, ',')) a.allowed_types.push_back(static_cast<DType>(to_int(t)));
    } else {
      for (auto s : split_terminated(g.allowed)) a.allowed_values.emplace_back(s);
    }
  }
  a.has_minimum = g.has_minimum != 0;
  a.minimum = g.minimum;
  return a;
}

}  // namespace

void register_tf_op_signatures(OpRegistry& r) {
  for (const GenOp& o : kOps) {
    OpDef d;
    d.name = o.name;
    for (int i = 0; i < o.num_inputs; ++i) d.inputs.push_back(decode_arg(kArgs[o.first_arg + i]));
    for (int i = 0; i < o.num_outputs; ++i)
      d.outputs.push_back(decode_arg(kArgs[o.first_arg + o.num_inputs + i]));
    for (int i = 0; i < o.num_attrs; ++i) d.attrs.push_back(decode_attr(kAttrs[o.first_attr + i]));
    d.is_stateful = o.is_stateful != 0;
    r.register_op(std::move(d));
  }
}

}  // namespace aamp
"""


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ops", default="/work/shared/tf/ops.pbtxt")
    p.add_argument("--out", default=os.path.join(root, "src/aamp/ops/tf_ops_generated.cc"))
    opts = p.parse_args()
    try:
        ops, args, attrs, oprows, notes = generate(opts.ops)
    except ParseError as e:
        sys.exit("%s: %s" % (opts.ops, e))
    note_text = "".join("// Skipped default: %s\n" % n for n in notes)
    text = HEADER % {
        "count": len(ops),
        "notes": note_text,
        "args": "\n".join(args),
        "attrs": "\n".join(attrs),
        "ops": "\n".join(oprows),
    }
    tmp = opts.out + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, opts.out)
    print("wrote %s: %d ops, %d args, %d attrs" % (opts.out, len(ops), len(args), len(attrs)))


if __name__ == "__main__":
    main()
