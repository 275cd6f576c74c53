"""Print the loss and metric strings the installed Keras accepts, as JSON.

Run in an interpreter that has Keras (Python 3.7+, any Keras) to refresh
kerascheck/knowledge/keras_names.py:

    python scripts/dump_keras_names.py keras > k3.json
    python scripts/dump_keras_names.py tf_keras > tfk.json
    python scripts/gen_keras_names.py k3.json tfk.json k23.json
"""
import inspect
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
flavour = sys.argv[1] if len(sys.argv) > 1 else "keras"
if flavour == "tf_keras":
    import tf_keras as keras
else:
    import keras

# Module attributes that `get` resolves but that are not losses or metrics.
NOT_NAMES = {"get", "serialize", "deserialize", "deserialize_keras_object", "serialize_keras_object",
             "K", "abc", "six", "np", "tf", "types", "division", "absolute_import", "print_function",
             "losses_utils", "metrics_utils", "experimental", "Layer", "Loss", "Metric", "Reduce",
             "LossFunctionWrapper", "MeanMetricWrapper", "is_categorical_crossentropy",
             "clone_metric", "clone_metrics", "BaseMeanIoU", "SensitivitySpecificityBase", "MeanTensor",
             "Mean", "Sum", "loss_metric", "metric", "mean_metric_wrapper", "mean", "sum"}


def names_accepted_by(module):
    all_objects = None
    for holder in (module, sys.modules.get(getattr(module, "get").__module__)):
        all_objects = getattr(holder, "ALL_OBJECTS_DICT", None)
        if all_objects:
            break
    if all_objects:
        candidates = set(all_objects)
    else:
        candidates = {n for n in dir(module) if not n.startswith("_")}
    # Aliases that `get` resolves without listing them as attributes.
    candidates |= {"bce", "BCE", "cce", "ce", "CE", "crossentropy", "acc", "ACC", "auc", "AUC",
                   "accuracy", "Accuracy", "mse", "MSE", "mae", "MAE", "kld", "KLD", "logcosh"}
    accepted = set()
    for name in candidates:
        if name in NOT_NAMES:
            continue
        try:
            obj = module.get(name)
        except Exception:
            continue
        if obj is None or inspect.ismodule(obj):
            continue
        accepted.add(name)
    return sorted(accepted)


def public_attributes(module):
    """Every public name of the module: what `keras.losses.<name>` / `keras.metrics.<name>` can be."""
    return sorted(name for name in dir(module) if not name.startswith("_"))


print(json.dumps({"flavour": flavour, "version": keras.__version__,
                  "losses": names_accepted_by(keras.losses),
                  "metrics": names_accepted_by(keras.metrics),
                  "loss_attributes": public_attributes(keras.losses),
                  "metric_attributes": public_attributes(keras.metrics)}, indent=1))
