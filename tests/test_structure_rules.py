"""KC501's shape reasoning, on shapes the data facts may not reach yet (measured: scripts/keras_measurements/
structure.py, docs/keras-semantics.md)."""

import pytest

from kerascheck.facts import INTEGER, ONE_HOT, DataFact
from kerascheck.rules.kc5_structure import keras3_broadcasts, per_position


@pytest.mark.parametrize("output, target, expected", [
    ((None, 5, 1), (None, 1), True),  # measured: trains on Keras 3
    ((None, 5, 1), (None,), True),  # measured: trains (broadcast to (N, 5, N))
    ((None, 20, 1), (None,), True),  # Embedding, Dense(1, sigmoid), mse: measured, trains
    ((None, 13, 13, 1), (None, 1), False),  # measured: "Dimensions must be equal"
    ((None, 13, 13, 10), (None, 10), False),  # measured
    ((None, 5, 10), (None, 10), False),  # measured
    ((None, None, 10), (None, 10), None),  # a sequence of unknown length: depends on it
])
def test_keras3_broadcasts(output, target, expected):
    assert keras3_broadcasts(output, target) is expected


@pytest.mark.parametrize("fact, rank, expected", [
    (DataFact(encoding=INTEGER, shape=(None,)), 3, False),  # a loader's labels
    (DataFact(encoding=ONE_HOT, shape=(None, 10)), 3, False),  # to_categorical of them
    (DataFact(encoding=ONE_HOT, shape=(None, 10)), 4, False),
    (DataFact(encoding=None, shape=(None, 1)), 3, False),
    (DataFact(encoding=ONE_HOT, shape=(None, 50, 5)), 3, True),  # one-hot tags per timestep
    (DataFact(encoding=INTEGER, shape=(None, 50)), 3, True),  # integer tags for a sparse cross-entropy
    (DataFact(encoding=None, shape=(None, 50)), 3, True),  # 0/1 tags per timestep (measured: trains)
    (DataFact(encoding=None, shape=(None, 64, 64)), 4, True),  # integer masks per pixel
    (DataFact(encoding=None, shape=(None, 64, 64, 4)), 4, True),  # one-hot masks
])
def test_per_position_targets(fact, rank, expected):
    assert per_position(fact, rank) is expected
