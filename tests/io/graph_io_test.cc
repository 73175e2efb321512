#include "aamp/io/graph_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "aamp/core/error.h"
#include "test_util.h"

namespace aamp {
namespace {

namespace fs = std::filesystem;

// A per-test scratch folder, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("aamp_io_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  size_t count() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(path_), {}));
  }

 private:
  fs::path path_;
};

using aamp::testing::expect_error;

// Protobuf wire format: a length-delimited field.
std::string length_delimited(int field, const std::string& payload) {
  std::string out;
  auto varint = [&out](uint64_t v) {
    while (v >= 0x80) {
      out += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out += static_cast<char>(v);
  };
  varint(static_cast<uint64_t>(field) << 3 | 2);
  varint(payload.size());
  return out + payload;
}

constexpr char kSmallGraph[] = R"pb(
  node {
    name: "x"
    op: "Placeholder"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "shape"
      value {
        shape {
          dim { size: -1 }
          dim { size: 4 }
        }
      }
    }
  }
  node {
    name: "w"
    op: "Const"
    attr {
      key: "dtype"
      value { type: DT_FLOAT }
    }
    attr {
      key: "value"
      value {
        tensor {
          dtype: DT_FLOAT
          tensor_shape { dim { size: 2 } }
          float_val: 1.5
          float_val: -2
        }
      }
    }
  }
  node {
    name: "y"
    op: "Mul"
    input: "x"
    input: "w"
    input: "^x"
    device: "/device:CPU:0"
    attr {
      key: "T"
      value { type: DT_FLOAT }
    }
  }
  versions { producer: 1234 min_consumer: 12 bad_consumers: 7 }
)pb";

TEST(GraphIo, ParsesTextGolden) {
  Graph g = parse_graphdef_text(kSmallGraph, "small.pbtxt");
  ASSERT_EQ(g.size(), 3u);
  const Node& x = g.at("x");
  EXPECT_EQ(x.op, "Placeholder");
  EXPECT_EQ(x.attr_type("dtype"), DType::kFloat);
  EXPECT_EQ(x.attr_shape("shape"), (Shape{-1, 4}));
  const Tensor& w = g.at("w").attr_tensor("value");
  EXPECT_EQ(w.dtype(), DType::kFloat);
  EXPECT_EQ(w.shape(), Shape{2});
  EXPECT_EQ(w.values<float>()[0], 1.5f);
  EXPECT_EQ(w.values<float>()[1], -2.0f);
  const Node& y = g.at("y");
  EXPECT_EQ(y.inputs, (std::vector<std::string>{"x", "w", "^x"}));
  EXPECT_EQ(y.device, "/device:CPU:0");
  EXPECT_TRUE(g.versions.present);
  EXPECT_EQ(g.versions.producer, 1234);
  EXPECT_EQ(g.versions.min_consumer, 12);
  EXPECT_EQ(g.versions.bad_consumers, std::vector<int32_t>{7});
  EXPECT_TRUE(g.passthrough.empty());
  EXPECT_TRUE(y.passthrough.empty());
}

TEST(GraphIo, TextOutputReadsLikeTf) {
  Graph g = parse_graphdef_text(kSmallGraph, "small.pbtxt");
  std::string text = serialize_graphdef_text(g);
  EXPECT_NE(text.find("type: DT_FLOAT"), std::string::npos) << text;
  EXPECT_NE(text.find("name: \"y\""), std::string::npos);
  EXPECT_NE(text.find("input: \"^x\""), std::string::npos);
  // Numeric tensors are written as tensor_content.
  EXPECT_NE(text.find("tensor_content: "), std::string::npos);
  EXPECT_EQ(text.find("float_val"), std::string::npos);
}

// A custom op with attrs of every kind and fields the IR does not model.
constexpr char kEveryAttr[] = R"pb(
  node {
    name: "c"
    op: "MyCustomOp"
    device: "/job:x/device:GPU:3"
    attr {
      key: "a_s"
      value { s: "bytes\000\377" }
    }
    attr {
      key: "a_i"
      value { i: -9000000000 }
    }
    attr {
      key: "a_f"
      value { f: 0.1 }
    }
    attr {
      key: "a_b"
      value { b: true }
    }
    attr {
      key: "a_type"
      value { type: DT_BFLOAT16 }
    }
    attr {
      key: "a_type_ref"
      value { type: DT_HALF_REF }
    }
    attr {
      key: "a_type_unknown"
      value { type: 77 }
    }
    attr {
      key: "a_shape"
      value {
        shape {
          dim { size: 3 name: "batch" }
          dim { size: -1 name: "" }
        }
      }
    }
    attr {
      key: "a_unknown_rank"
      value { shape { unknown_rank: true } }
    }
    attr {
      key: "a_scalar_shape"
      value { shape {} }
    }
    attr {
      key: "a_tensor"
      value {
        tensor {
          dtype: DT_INT64
          tensor_shape { dim { size: 3 } }
          int64_val: 5
          int64_val: 6
        }
      }
    }
    attr {
      key: "a_strings"
      value {
        tensor {
          dtype: DT_STRING
          tensor_shape { dim { size: 2 } }
          string_val: "p"
          string_val: "q"
        }
      }
    }
    attr {
      key: "a_placeholder"
      value { placeholder: "T" }
    }
    attr {
      key: "a_func"
      value {
        func {
          name: "f"
          attr {
            key: "k"
            value { func { name: "g" } }
          }
        }
      }
    }
    attr {
      key: "a_none"
      value {}
    }
    attr {
      key: "a_empty_list"
      value { list {} }
    }
    attr {
      key: "a_list"
      value {
        list {
          s: "x"
          s: "yy"
          i: 1
          i: -2
          f: 0.5
          f: 1e30
          b: true
          b: false
          type: DT_FLOAT
          type: DT_INT8
          shape { dim { size: 1 } }
          shape { unknown_rank: true }
          tensor {
            dtype: DT_HALF
            tensor_shape {}
            half_val: 15360
          }
          func { name: "h" }
        }
      }
    }
    experimental_debug_info { original_node_names: "orig" original_func_names: "fn" }
    experimental_type {
      type_id: 10001
      args { type_id: 3 s: "t" }
      i: 4
    }
  }
  library {
    function {
      signature {
        name: "f"
        output_arg { name: "out" type: DT_FLOAT }
      }
      ret { key: "out" value: "c:0" }
    }
    gradient { function_name: "f" gradient_func: "g" }
  }
  versions { producer: 1 }
)pb";

TEST(GraphIo, EveryAttrKindSurvivesRoundTrips) {
  Graph g = parse_graphdef_text(kEveryAttr, "every.pbtxt");
  const Node& c = g.at("c");
  EXPECT_EQ(c.attr_string("a_s"), std::string("bytes\0\xff", 7));
  EXPECT_EQ(c.attr_int("a_i"), -9000000000LL);
  EXPECT_EQ(c.attr_float("a_f"), 0.1f);
  EXPECT_TRUE(c.attr_bool("a_b"));
  EXPECT_EQ(c.attr_type("a_type"), DType::kBFloat16);
  EXPECT_EQ(static_cast<int>(c.attr_type("a_type_ref")), 119);
  EXPECT_EQ(static_cast<int>(c.attr_type("a_type_unknown")), 77);
  const Shape& sh = c.attr_shape("a_shape");
  EXPECT_EQ(sh.dims, (std::vector<int64_t>{3, -1}));
  EXPECT_EQ(sh.dim_names, (std::vector<std::string>{"batch", ""}));
  EXPECT_TRUE(c.attr_shape("a_unknown_rank").unknown_rank);
  EXPECT_EQ(c.attr_shape("a_scalar_shape"), Shape{});
  const Tensor& t = c.attr_tensor("a_tensor");
  EXPECT_EQ(std::vector<int64_t>(t.values<int64_t>().begin(), t.values<int64_t>().end()),
            (std::vector<int64_t>{5, 6, 6}));
  EXPECT_EQ(c.attr_tensor("a_strings").strings(), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(c.find_attr("a_placeholder")->get<AttrPlaceholder>().name, "T");
  const auto& fn = c.find_attr("a_func")->get<FuncAttr>();
  EXPECT_EQ(fn.name, "f");
  EXPECT_EQ(fn.attrs.at("k").get<FuncAttr>().name, "g");
  EXPECT_TRUE(c.find_attr("a_none")->is<std::monostate>());
  EXPECT_EQ(c.attr_list("a_empty_list"), AttrList{});
  const AttrList& l = c.attr_list("a_list");
  EXPECT_EQ(l.s, (std::vector<std::string>{"x", "yy"}));
  EXPECT_EQ(l.i, (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(l.f, (std::vector<float>{0.5f, 1e30f}));
  EXPECT_EQ(l.b, (std::vector<bool>{true, false}));
  EXPECT_EQ(l.type, (std::vector<DType>{DType::kFloat, DType::kInt8}));
  ASSERT_EQ(l.shape.size(), 2u);
  EXPECT_TRUE(l.shape[1].unknown_rank);
  ASSERT_EQ(l.tensor.size(), 1u);
  EXPECT_EQ(l.tensor[0].dtype(), DType::kHalf);
  EXPECT_EQ(half_bits_to_float(l.tensor[0].values<float16>()[0].bits), 1.0f);
  ASSERT_EQ(l.func.size(), 1u);
  EXPECT_EQ(l.func[0].name, "h");
  EXPECT_FALSE(c.passthrough.empty());  // debug info and full type
  EXPECT_FALSE(g.passthrough.empty());  // library

  // binary -> IR -> binary is stable, and equals text -> IR -> binary.
  const std::string pb1 = serialize_graphdef_binary(g);
  Graph g2 = parse_graphdef_binary(pb1, "every.pb");
  EXPECT_EQ(serialize_graphdef_binary(g2), pb1);
  const std::string txt = serialize_graphdef_text(g2);
  EXPECT_NE(txt.find("original_node_names: \"orig\""), std::string::npos) << txt;
  EXPECT_NE(txt.find("gradient_func: \"g\""), std::string::npos);
  EXPECT_NE(txt.find("type: DT_HALF_REF"), std::string::npos);
  EXPECT_NE(txt.find("type: 77"), std::string::npos);
  Graph g3 = parse_graphdef_text(txt, "every2.pbtxt");
  EXPECT_EQ(serialize_graphdef_binary(g3), pb1);
  EXPECT_EQ(g3.at("c").attrs, c.attrs);
  EXPECT_EQ(g3.at("c").passthrough, c.passthrough);
}

TEST(GraphIo, UnknownFieldsSurviveBinaryRoundTrip) {
  // GraphDef{node{name:"a" op:"NoOp" <field 99: varint 5>} <field 77: bytes "zz">}
  std::string node;
  node +=
      "\x0a\x01"
      "a";
  node +=
      "\x12\x04"
      "NoOp";
  node += "\x98\x06\x05";  // tag (99 << 3 | 0) = 792 = 0x98 0x06
  std::string pb;
  pb += "\x0a";
  pb += static_cast<char>(node.size());
  pb += node;
  pb +=
      "\xea\x04\x02"
      "zz";  // tag (77 << 3 | 2) = 618 = 0xea 0x04
  Graph g = parse_graphdef_binary(pb, "unknown.pb");
  EXPECT_FALSE(g.at("a").passthrough.empty());
  EXPECT_FALSE(g.passthrough.empty());
  std::string out = serialize_graphdef_binary(g);
  EXPECT_NE(out.find("\x98\x06\x05"), std::string::npos);
  EXPECT_NE(out.find("\xea\x04\x02zz"), std::string::npos);
  EXPECT_EQ(serialize_graphdef_binary(parse_graphdef_binary(out, "again.pb")), out);
}

TEST(GraphIo, TensorProtoTypedFields) {
  constexpr char kText[] = R"pb(
    node {
      name: "f"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_FLOAT
            tensor_shape {
              dim { size: 2 }
              dim { size: 2 }
            }
            float_val: 3
          }
        }
      }
    }
    node {
      name: "z"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_INT32
            tensor_shape { dim { size: 3 } }
          }
        }
      }
    }
    node {
      name: "d"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_DOUBLE
            tensor_shape { dim { size: 2 } }
            double_val: 0.25
            double_val: -1
          }
        }
      }
    }
    node {
      name: "i8"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_INT8
            tensor_shape { dim { size: 2 } }
            int_val: -3
            int_val: 100
          }
        }
      }
    }
    node {
      name: "u16"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_UINT16
            tensor_shape { dim { size: 1 } }
            int_val: 65535
          }
        }
      }
    }
    node {
      name: "bf"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_BFLOAT16
            tensor_shape { dim { size: 2 } }
            half_val: 16256
            half_val: 49152
          }
        }
      }
    }
    node {
      name: "b"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_BOOL
            tensor_shape { dim { size: 3 } }
            bool_val: false
            bool_val: true
          }
        }
      }
    }
    node {
      name: "u64"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_UINT64
            tensor_shape {}
            uint64_val: 18446744073709551615
          }
        }
      }
    }
    node {
      name: "u32"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_UINT32
            tensor_shape {}
            uint32_val: 4000000000
          }
        }
      }
    }
    node {
      name: "cx"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_COMPLEX64
            tensor_shape { dim { size: 2 } }
            scomplex_val: 1
            scomplex_val: 2
          }
        }
      }
    }
    node {
      name: "content"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_INT32
            tensor_shape { dim { size: 2 } }
            tensor_content: "\001\000\000\000\377\377\377\377"
          }
        }
      }
    }
    node {
      name: "s"
      op: "Const"
      attr {
        key: "value"
        value {
          tensor {
            dtype: DT_STRING
            tensor_shape { dim { size: 3 } }
            string_val: "a"
          }
        }
      }
    }
  )pb";
  Graph g = parse_graphdef_text(kText, "typed.pbtxt");
  auto vals = [&](const char* n) { return g.at(n).attr_tensor("value"); };
  auto f = vals("f");
  EXPECT_EQ(std::vector<float>(f.values<float>().begin(), f.values<float>().end()),
            (std::vector<float>{3, 3, 3, 3}));
  auto z = vals("z");
  EXPECT_EQ(std::vector<int32_t>(z.values<int32_t>().begin(), z.values<int32_t>().end()),
            (std::vector<int32_t>{0, 0, 0}));
  EXPECT_EQ(vals("d").values<double>()[0], 0.25);
  EXPECT_EQ(vals("d").values<double>()[1], -1.0);
  EXPECT_EQ(vals("i8").values<int8_t>()[0], -3);
  EXPECT_EQ(vals("i8").values<int8_t>()[1], 100);
  EXPECT_EQ(vals("u16").values<uint16_t>()[0], 65535);
  EXPECT_EQ(to_float(vals("bf").values<bfloat16>()[0]), 1.0f);
  EXPECT_EQ(to_float(vals("bf").values<bfloat16>()[1]), -2.0f);
  auto b = vals("b");
  EXPECT_EQ(b.byte_size(), 3u);
  EXPECT_EQ(b.raw()[0], 0);
  EXPECT_EQ(b.raw()[1], 1);
  EXPECT_EQ(b.raw()[2], 1);
  EXPECT_EQ(vals("u64").data<uint64_t>()[0], 18446744073709551615ULL);
  EXPECT_EQ(vals("u32").data<uint32_t>()[0], 4000000000u);
  auto cx = vals("cx");
  ASSERT_EQ(cx.byte_size(), 16u);
  const float* cf = cx.data<float>();
  EXPECT_EQ(std::vector<float>(cf, cf + 4), (std::vector<float>{1, 2, 1, 2}));
  EXPECT_EQ(vals("content").values<int32_t>()[0], 1);
  EXPECT_EQ(vals("content").values<int32_t>()[1], -1);
  EXPECT_EQ(vals("s").strings(), (std::vector<std::string>{"a", "a", "a"}));

  // Saved back: numeric as tensor_content, strings as string_val; values unchanged.
  Graph g2 = parse_graphdef_binary(serialize_graphdef_binary(g), "typed.pb");
  for (const auto& n : g.nodes()) EXPECT_EQ(g2.at(n->name).attrs, n->attrs) << n->name;
}

TEST(GraphIo, BadTensorsNameFileAndNode) {
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "k" op: "Const" attr { key: "value" value { tensor {
            dtype: DT_FLOAT tensor_shape { dim { size: 2 } } tensor_content: "abc" } } } })",
                            "bad.pbtxt");
      },
      ErrorCode::kParse, {"bad.pbtxt", "'k'", "Const", "'value'", "tensor_content"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "k" op: "Const" attr { key: "value" value { tensor {
            dtype: DT_FLOAT tensor_shape { dim { size: 1 } } float_val: 1 float_val: 2 } } } })",
                            "bad.pbtxt");
      },
      ErrorCode::kParse, {"bad.pbtxt", "'k'", "2 values"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "k" op: "Const" attr { key: "value" value { tensor {
            dtype: DT_FLOAT tensor_shape { dim { size: -3 } } } } } })",
                            "bad.pbtxt");
      },
      ErrorCode::kParse, {"bad.pbtxt", "negative"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "k" op: "Const" attr { key: "value" value { tensor {
            dtype: DT_FLOAT tensor_shape { dim { size: 100000 } dim { size: 100000 } } } } } })",
                            "huge.pbtxt");
      },
      ErrorCode::kUnimplemented, {"huge.pbtxt", "too large"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "k" op: "Const" attr { key: "value" value { tensor {
            dtype: 99 tensor_shape { } } } } })",
                            "dt.pbtxt");
      },
      ErrorCode::kUnimplemented, {"dt.pbtxt", "dtype(99)"});
}

TEST(GraphIo, StructureErrorsNameTheFile) {
  expect_error(
      [] { parse_graphdef_text(R"(node { name: "a" op: "Neg" input: "nope" })", "d.pbtxt"); },
      ErrorCode::kInvalidGraph, {"d.pbtxt", "nope"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "a" op: "Neg" input: "b" }
                               node { name: "b" op: "Neg" input: "a" })",
                            "cycle.pbtxt");
      },
      ErrorCode::kInvalidGraph, {"cycle.pbtxt"});
  expect_error(
      [] {
        parse_graphdef_text(R"(node { name: "a" op: "NoOp" } node { name: "a" op: "NoOp" })",
                            "dup.pbtxt");
      },
      ErrorCode::kInvalidGraph, {"dup.pbtxt", "'a'"});
}

TEST(GraphIo, InvalidTextReportsLineAndColumn) {
  expect_error([] { parse_graphdef_text("node {\n  name: \"a\"\n  bogus: 3\n}\n", "t.pbtxt"); },
               ErrorCode::kParse, {"t.pbtxt:3:", "bogus"});
  expect_error([] { parse_graphdef_text("node { name: \"a\" ", "open.pbtxt"); }, ErrorCode::kParse,
               {"open.pbtxt:1:"});
  expect_error([] { parse_graphdef_text("", "empty.pbtxt"); }, ErrorCode::kParse, {"empty.pbtxt"});
}

TEST(GraphIo, TruncatedAndGarbageBinary) {
  Graph g = parse_graphdef_text(kEveryAttr, "every.pbtxt");
  const std::string pb = serialize_graphdef_binary(g);
  // Every proper prefix either fails with a parse error naming the file or (rarely, at a field
  // boundary) parses to a valid graph; it never crashes.
  int errors = 0;
  for (size_t len = 1; len < pb.size(); ++len) {
    try {
      parse_graphdef_binary(std::string_view(pb).substr(0, len), "cut.pb");
    } catch (const Error& e) {
      ++errors;
      EXPECT_NE(std::string(e.what()).find("cut.pb"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(errors, static_cast<int>(pb.size()) / 2);
  expect_error([] { parse_graphdef_binary(std::string("\xff\xff\xff\xff\x0f garbage"), "g.pb"); },
               ErrorCode::kParse, {"g.pb", "cannot parse"});
  expect_error([] { parse_graphdef_binary("", "e.pb"); }, ErrorCode::kParse, {"e.pb", "empty"});
  // 3000 levels of func attrs nested in func attrs hit protobuf's recursion limit, not the stack.
  std::string av;  // AttrValue
  for (int i = 0; i < 3000; ++i) {
    std::string entry = length_delimited(1, "k") + length_delimited(2, av);    // map entry
    std::string func = length_delimited(1, "f") + length_delimited(2, entry);  // NameAttrList
    av = length_delimited(10, func);
  }
  std::string deep = length_delimited(
      1, length_delimited(1, "n") + length_delimited(2, "Op") +
             length_delimited(5, length_delimited(1, "a") + length_delimited(2, av)));
  expect_error([&] { parse_graphdef_binary(deep, "deep.pb"); }, ErrorCode::kParse, {"deep.pb"});
}

TEST(GraphIo, FileRoundTripsAndFormats) {
  TempDir dir;
  Graph g = parse_graphdef_text(kEveryAttr, "every.pbtxt");
  save_graph(g, dir.file("g.pb"));
  save_graph(g, dir.file("g.pbtxt"));
  EXPECT_EQ(dir.count(), 2u);
  Graph a = load_graph(dir.file("g.pb"));
  Graph b = load_graph(dir.file("g.pbtxt"));
  EXPECT_EQ(serialize_graphdef_binary(a), serialize_graphdef_binary(b));
  EXPECT_EQ(read_file(dir.file("g.pb")), serialize_graphdef_binary(g));
  EXPECT_EQ(graph_format_for_path("a/B.PB"), GraphFormat::kBinary);
  EXPECT_EQ(graph_format_for_path("x.pb.txt"), GraphFormat::kText);
  EXPECT_EQ(graph_format_for_path("x.txt"), GraphFormat::kText);
  EXPECT_EQ(graph_format_for_path("model.json"), GraphFormat::kTfjs);
  expect_error([] { graph_format_for_path("x.onnx"); }, ErrorCode::kInvalidArgument,
               {"x.onnx", ".pbtxt"});
  expect_error([&] { save_graph(g, dir.file("m.json")); }, ErrorCode::kUnimplemented, {"m.json"});
}

TEST(GraphIo, ReadErrorsNameThePath) {
  TempDir dir;
  expect_error([&] { read_file(dir.file("missing.pb")); }, ErrorCode::kNotFound, {"missing.pb"});
  expect_error([&] { load_graph(dir.file("missing.pbtxt")); }, ErrorCode::kNotFound,
               {"missing.pbtxt"});
  fs::create_directories(dir.file("sub.pb"));
  expect_error([&] { read_file(dir.file("sub.pb")); }, ErrorCode::kIO, {"sub.pb"});
  std::string garbage = "this is not a graph";
  write_file_atomic(dir.file("garbage.pb"), garbage);
  expect_error([&] { load_graph(dir.file("garbage.pb")); }, ErrorCode::kParse, {"garbage.pb"});
}

TEST(GraphIo, AtomicWriteLeavesNothingOnError) {
  TempDir dir;
  Graph g = parse_graphdef_text(kSmallGraph, "small.pbtxt");
  expect_error([&] { save_graph(g, dir.file("no/such/dir/g.pb")); }, ErrorCode::kIO,
               {"no/such/dir/g.pb"});
  EXPECT_EQ(dir.count(), 0u);
  // Renaming over a directory fails after the temp file was written: it must be removed.
  fs::create_directories(dir.file("target.pb"));
  expect_error([&] { save_graph(g, dir.file("target.pb")); }, ErrorCode::kIO, {"target.pb"});
  EXPECT_EQ(dir.count(), 1u);  // only the directory itself
  // Overwriting an existing file replaces it completely.
  write_file_atomic(dir.file("f.bin"), std::string(1000, 'x'));
  write_file_atomic(dir.file("f.bin"), "short");
  EXPECT_EQ(read_file(dir.file("f.bin")), "short");
  EXPECT_EQ(dir.count(), 2u);
}

}  // namespace
}  // namespace aamp
