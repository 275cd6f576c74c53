"""One file with many models, each with fixable findings: the scaling case of a check and of --fix.

A notebook exported to a script, a hyper-parameter sweep written out by hand: one
file can build thousands of models. Checking it, marking its fixes and fixing it
must cost the same per model whatever the number of models (issue 11 measured
1.2 s for 500 models and 2 min 32 s for 5,000 before).

The models cycle through a few shapes so that every kind of fix is there: a metric
string replaced (KC101, unsafe), Keras 1 keywords renamed (KC301/KC302, safe), a
loss string turned into a class with from_logits=True that needs a new import
(KC206, unsafe), a threshold set on logits (KC108, unsafe), a method renamed
(KC304, safe), an optimizer argument renamed (KC303, safe).
"""

from __future__ import annotations

HEADER = ("import numpy as np\n"
          "from keras.models import Sequential\n"
          "from keras.layers import Dense, Conv1D, Activation\n"
          "from keras.optimizers import SGD\n\n"
          "x, y = np.random.rand(64, 20, 4), np.random.randint(0, 10, (64,))\n")

_SHAPES = (
    # softmax + binary cross-entropy + 'accuracy', Keras 1 layer and fit arguments
    "model_{i} = Sequential()\n"
    "model_{i}.add(Conv1D(nb_filter=32, filter_length=4, border_mode='valid'))\n"
    "model_{i}.add(Dense(10, activation='softmax'))\n"
    "model_{i}.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "model_{i}.fit(x, y, nb_epoch=10)\n",
    # logits trained with a probability loss, then a 0.5 threshold on them
    "model_{i} = Sequential([Dense(16, activation='relu'), Dense(1)])\n"
    "model_{i}.compile(loss='binary_crossentropy', optimizer=SGD(lr=0.01), metrics=['accuracy'])\n"
    "model_{i}.fit_generator(batches, steps_per_epoch=10, epochs=2)\n",
    # a clean model: nothing to report
    "model_{i} = Sequential([Dense(8, activation='relu'), Dense(3), Activation('softmax')])\n"
    "model_{i}.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['categorical_accuracy'])\n",
)


def generate(models: int) -> str:
    """The source of one file with `models` models."""
    parts = [HEADER]
    for index in range(models):
        parts.append("\n")
        parts.append(_SHAPES[index % len(_SHAPES)].format(i=index))
    return "".join(parts)


if __name__ == "__main__":  # python bench/manymodels.py 5000 > many.py
    import sys

    sys.stdout.write(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
