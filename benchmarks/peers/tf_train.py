#!/usr/bin/env python3
"""TensorFlow CPU peer for `cola bench train`: the reference's own Keras model, graph mode.

google-research cola/network.py: `tf.keras.applications.EfficientNetB0(include_top=False,
weights=None, pooling='max')` on a 1-channel 96×64 input (or the small CNN), Dense 512, LayerNorm,
tanh, bilinear similarity, sparse softmax cross-entropy, Keras Adam (lr 1e-3, ε 1e-7). The train
step is a `tf.function` (no XLA). One step takes B clips; the encoder sees 2B random inputs.
Prints one JSON object: clips/s of the median timed step (as `cola bench train`), the mean
and best, and peak RSS.

    python3 benchmarks/peers/tf_train.py --encoder effnet --batch 64
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

from step_timing import time_and_report  # noqa: E402


def small_cnn() -> tf.keras.Model:
    inputs = tf.keras.Input((96, 64, 1))
    x = inputs
    for channels in (64, 128, 256, 512):
        x = tf.keras.layers.Conv2D(channels, 3, padding="same", use_bias=False)(x)
        x = tf.keras.layers.BatchNormalization(epsilon=1e-3, momentum=0.99)(x)
        x = tf.keras.layers.ReLU()(x)
        x = tf.keras.layers.MaxPool2D(2)(x)
    return tf.keras.Model(inputs, tf.keras.layers.GlobalMaxPool2D()(x))


class Bilinear(tf.keras.layers.Layer):
    def build(self, _):
        self.w = self.add_weight(shape=(512, 512), initializer="random_normal", trainable=True)

    def call(self, anchor, positive):
        return tf.linalg.matmul(anchor, tf.linalg.matmul(self.w, positive, transpose_b=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", choices=["cnn", "effnet"], required=True)
    parser.add_argument("--batch", type=int, required=True, help="clips per step (encoder sees 2x)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps (the first traces)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    args = parser.parse_args()

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(0)
    if args.encoder == "effnet":
        encoder = tf.keras.applications.EfficientNetB0(
            include_top=False, weights=None, input_shape=(96, 64, 1), pooling="max")
    else:
        encoder = small_cnn()
    inputs = tf.keras.Input((96, 64, 1))
    x = tf.keras.layers.Dense(512)(encoder(inputs))
    x = tf.keras.layers.LayerNormalization()(x)
    embedding = tf.keras.Model(inputs, tf.keras.layers.Activation("tanh")(x))
    similarity = Bilinear()
    optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7)
    anchors = tf.random.normal((args.batch, 96, 64, 1))
    positives = tf.random.normal((args.batch, 96, 64, 1))
    labels = tf.range(args.batch)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            e = embedding(tf.concat([anchors, positives], axis=0), training=True)
            a, p = tf.split(e, 2, axis=0)
            s = similarity(a, p)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, s))
        variables = embedding.trainable_variables + similarity.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    time_and_report(lambda: step().numpy(), args, {
        "peer": "tensorflow",
        "config": "tensorflow graph",
        "tensorflow": tf.__version__,
    })

if __name__ == "__main__":
    main()
