"""The ``fashion_cnn`` problem's model: two 3x3 convolutions with max pooling, dropout and a
dense layer of logits, for 28x28 Fashion-MNIST images.

The space (filters 8-32 step 8, dropout 0/0.25/0.5, learning rate 1e-2/1e-3/1e-4, batch size
32/64/128) has 108 points, and its dimensions interact (a larger batch wants a larger learning
rate), so a grid, random draws, Hyperband's early stops and a Gaussian process can end in
different places. Keras is imported in ``build`` only, so the registry loads without it.
"""

from __future__ import annotations

from typing import Any

BATCH_SIZES = [32, 64, 128]


def build(hp: Any) -> Any:
    import keras

    filters = hp.Int("filters", 8, 32, step=8)
    dropout = hp.Float("dropout", 0.0, 0.5, step=0.25)
    learning_rate = hp.Choice("learning_rate", [1e-2, 1e-3, 1e-4])
    hp.Choice("batch_size", BATCH_SIZES)  # read by the fit (the problem's batch_size_hp)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Reshape((28, 28, 1)),
            keras.layers.Conv2D(filters, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(2 * filters, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model
