// Internal to the io layer: conversion between the wire protos (proto/aamp_graph.proto) and the IR.
#pragma once

#include <string>

#include "aamp/ir/graph.h"
#include "aamp_graph.pb.h"

namespace aamp::io_internal {

// Throws Error naming what is wrong (the caller adds file and node).
Tensor tensor_from_proto(const tfproto::TensorProto& p);
void tensor_to_proto(const Tensor& t, tfproto::TensorProto* p);
Shape shape_from_proto(const tfproto::TensorShapeProto& p);
void shape_to_proto(const Shape& s, tfproto::TensorShapeProto* p);
AttrValue attr_from_proto(const tfproto::AttrValue& p);
void attr_to_proto(const AttrValue& a, tfproto::AttrValue* p);

// GraphDef -> Graph. Node errors are prefixed with "<source>: node 'x' (Op): ". Does not run
// check_structure (duplicate names still throw, as Graph::add does).
Graph graph_from_proto(const tfproto::GraphDef& gd, const std::string& source);
void graph_to_proto(const Graph& g, tfproto::GraphDef* gd);

// Deterministic binary serialization of any message.
std::string serialize_deterministic(const google::protobuf::Message& m);

}  // namespace aamp::io_internal
