"""KC9: what the runtime pass (`--runtime`, real Keras loaded) sees.

These rules have no static check: kerascheck/runtime/verify.py makes their
findings from the probe's results. They live here so that selection, docs and
`kerascheck rules` treat them like every other rule.
"""

from __future__ import annotations

from kerascheck.rules.base import Rule


class MetricDisagreesAtRuntime(Rule):
    """
    ## What it does
    With `--runtime`, evaluates a stand-in for each output (same units,
    activation, loss and metrics) on a synthetic batch shaped like the task,
    and flags a metric whose reported value differs from the true accuracy of
    the same predictions (argmax for exclusive classes, element-wise for
    multi-label, thresholded for binary). The finding names the concrete metric
    Keras chose and both numbers.

    ## Why is this bad?
    The number in the training log is not the accuracy of the model. This is
    the evidence, measured on the Keras that will run the code.

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss='binary_crossentropy', metrics=['accuracy'])  # Keras 2.3.1: binary_accuracy
    ```

    ## Use instead
    ```python
    model.compile(loss='categorical_crossentropy', metrics=['categorical_accuracy'])
    ```

    ## Fix safety
    No fix.
    """

    code = "KC901"
    name = "metric-disagrees-at-runtime"
    summary = "A metric's reported value differs from the true accuracy (runtime)"
    passes = ("import keras\n",)


class OutputFailsAtRuntime(Rule):
    """
    ## What it does
    With `--runtime`, flags an output whose stand-in fails to build, compile or
    evaluate with its loss and metrics on the user's Keras, quoting Keras's error.

    ## Why is this bad?
    The real training script fails the same way, usually after data loading.

    ## Example
    ```python
    model.compile(loss='bce', metrics=['accuracy'])  # 'bce' is unknown to Keras 2.3.1
    ```

    ## Use instead
    ```python
    model.compile(loss='binary_crossentropy', metrics=['accuracy'])
    ```

    ## Fix safety
    No fix.
    """

    code = "KC902"
    name = "output-fails-at-runtime"
    summary = "Building, compiling or evaluating the output raises (runtime)"
    passes = ("import keras\n",)


class KerasWarnsAtRuntime(Rule):
    """
    ## What it does
    With `--runtime`, flags an output for which Keras itself emits a warning
    (from_logits on probabilities, softmax over one unit), quoting it.

    ## Why is this bad?
    Keras's own warning scrolls past in the training log; here it sits on the
    line that causes it.

    ## Example
    ```python
    model.add(Dense(10, activation='softmax'))
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    ```

    ## Use instead
    ```python
    model.add(Dense(10))
    model.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))
    ```

    ## Fix safety
    No fix.
    """

    code = "KC903"
    name = "keras-warns-at-runtime"
    summary = "Keras warns about the output (runtime)"
    passes = ("import keras\n",)
