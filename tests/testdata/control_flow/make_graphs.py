"""Writes the control-flow golden graphs of tests/runtime/executor_test.cc (readable pbtxt).

TensorFlow v1 control flow (Switch/Merge conditionals, Enter/Exit/NextIteration while loops,
TensorArrayV3, TensorList) as TensorFlow itself builds it, with control flow v2 turned off.
Run from the repository root: .venv/bin/python tests/testdata/control_flow/make_graphs.py
The expected values live in the test, computed by hand; this script only makes the graphs.
"""
import os

import tensorflow as tf

tf1 = tf.compat.v1
tf1.disable_eager_execution()
tf1.disable_control_flow_v2()
OUT = os.path.dirname(os.path.abspath(__file__))


def write(name, graph):
    gd = graph.as_graph_def()
    del gd.library.function[:]
    with open(os.path.join(OUT, name + ".pbtxt"), "w") as f:
        f.write("# Made by make_graphs.py (TensorFlow %s, control flow v1).\n" % tf.__version__)
        f.write(str(gd))


def cond():
    # y = x * 2 if p else x + 1; z = 10 if p else 20 (constants of the branches hang off pivots).
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [3], name="x")
        p = tf1.placeholder(tf.bool, [], name="p")
        y = tf.cond(p, lambda: x * 2.0, lambda: x + 1.0, name="y_cond")
        tf.identity(y, name="y")
        z = tf.cond(p, lambda: tf.constant(10.0), lambda: tf.constant(20.0), name="z_cond")
        tf.identity(z, name="z")
    write("cond", g)


def while_sum():
    # acc = 0; for i in range(n): acc += x * i  -> x * n(n-1)/2; also the final i.
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [2], name="x")
        n = tf1.placeholder(tf.int32, [], name="n")
        i, acc = tf.while_loop(
            lambda i, acc: i < n,
            lambda i, acc: (i + 1, acc + x * tf.cast(i, tf.float32)),
            (tf.constant(0), tf.zeros([2])), name="loop")
        tf.identity(i, name="i_out")
        tf.identity(acc, name="acc_out")
    write("while_sum", g)


def nested_while():
    # count = sum over i < n of sum over j < m of 1  -> n * m
    g = tf.Graph()
    with g.as_default():
        n = tf1.placeholder(tf.int32, [], name="n")
        m = tf1.placeholder(tf.int32, [], name="m")

        def outer_body(i, c):
            _, c2 = tf.while_loop(lambda j, c: j < m, lambda j, c: (j + 1, c + 1),
                                  (tf.constant(0), c), name="inner")
            return i + 1, c2

        _, count = tf.while_loop(lambda i, c: i < n, outer_body, (tf.constant(0), tf.constant(0)),
                                 name="outer")
        tf.identity(count, name="count")
    write("nested_while", g)


def tensor_array_loop():
    # rows[i] = x[i] * (i + 1), gathered back into a [k, 3] tensor; and its size.
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        k = tf.shape(x)[0]
        ta_in = tf.TensorArray(tf.float32, size=k, name="ta_in").unstack(x)
        ta_out = tf.TensorArray(tf.float32, size=k, name="ta_out")

        def body(i, ta):
            row = ta_in.read(i) * tf.cast(i + 1, tf.float32)
            return i + 1, ta.write(i, row)

        _, ta_out = tf.while_loop(lambda i, ta: i < k, body, (tf.constant(0), ta_out),
                                  name="loop")
        tf.identity(ta_out.stack(), name="rows")
        tf.identity(ta_out.size(), name="size")
    write("tensor_array_loop", g)


def tensor_list_loop():
    # The same with TensorList ops (list_ops, as TF2's tf.function lowers lists).
    from tensorflow.python.ops import list_ops
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        k = tf.shape(x)[0]
        lin = list_ops.tensor_list_from_tensor(x, element_shape=[3])
        lout = list_ops.tensor_list_reserve(element_shape=[3], num_elements=k,
                                            element_dtype=tf.float32)

        def body(i, l):
            row = list_ops.tensor_list_get_item(lin, i, element_dtype=tf.float32)
            return i + 1, list_ops.tensor_list_set_item(l, i, row * tf.cast(i + 1, tf.float32))

        _, lout = tf.while_loop(lambda i, l: i < k, body, (tf.constant(0), lout), name="loop")
        tf.identity(list_ops.tensor_list_stack(lout, element_dtype=tf.float32, element_shape=[3]),
                    name="rows")
    write("tensor_list_loop", g)


def rnn_loop():
    # h = relu(h @ w + b) for n steps from h = x: a MatMul (AMP allow list) inside a loop.
    import numpy as np
    rng = np.random.default_rng(7)
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [2, 4], name="x")
        n = tf1.placeholder(tf.int32, [], name="n")
        w = tf.constant(rng.uniform(-0.5, 0.5, (4, 4)).astype(np.float32), name="w")
        b = tf.constant(rng.uniform(-0.1, 0.1, (4,)).astype(np.float32), name="b")
        _, h = tf.while_loop(lambda i, h: i < n,
                             lambda i, h: (i + 1, tf.nn.relu(tf.nn.bias_add(tf.matmul(h, w), b))),
                             (tf.constant(0), x), name="rnn")
        tf.identity(h, name="h")
    write("rnn_loop", g)


def list_matmul_loop():
    # out[i] = x[i] @ w through TensorLists: a MatMul inside a loop over list elements.
    import numpy as np
    from tensorflow.python.ops import list_ops
    rng = np.random.default_rng(11)
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.constant(rng.uniform(-1, 1, (4, 4)).astype(np.float32), name="w")
        k = tf.shape(x)[0]
        lin = list_ops.tensor_list_from_tensor(x, element_shape=[4])
        lout = list_ops.tensor_list_reserve(element_shape=[4], num_elements=k,
                                            element_dtype=tf.float32)

        def body(i, l):
            row = list_ops.tensor_list_get_item(lin, i, element_dtype=tf.float32)
            y = tf.reshape(tf.matmul(tf.reshape(row, [1, 4]), w), [4])
            return i + 1, list_ops.tensor_list_set_item(l, i, y)

        _, lout = tf.while_loop(lambda i, l: i < k, body, (tf.constant(0), lout), name="loop")
        tf.identity(list_ops.tensor_list_stack(lout, element_dtype=tf.float32, element_shape=[4]),
                    name="y")
    write("list_matmul_loop", g)


if __name__ == "__main__":
    cond()
    while_sum()
    nested_while()
    tensor_array_loop()
    tensor_list_loop()
    rnn_loop()
    list_matmul_loop()
