# What scikit-learn's classification metrics do with predicted probabilities passed as labels (KC410).
#   python -m venv /tmp/skl && /tmp/skl/bin/pip install scikit-learn && /tmp/skl/bin/python sklearn_probabilities.py
import numpy as np
import sklearn
from sklearn import metrics

rng = np.random.RandomState(0)
labels2, labels10 = rng.randint(0, 2, 20), rng.randint(0, 10, 20)
sigmoid1 = rng.rand(20, 1)
softmax10 = rng.rand(20, 10)
softmax10 /= softmax10.sum(axis=1, keepdims=True)
CASES = (("sigmoid(1) probabilities, 0/1 labels", labels2, sigmoid1),
         ("softmax(10) probabilities, integer labels", labels10, softmax10),
         ("softmax(10) probabilities, one-hot labels", np.eye(10)[labels10], softmax10))
NAMES = ("accuracy_score", "confusion_matrix", "classification_report", "f1_score", "precision_score",
         "recall_score", "cohen_kappa_score", "balanced_accuracy_score", "matthews_corrcoef",
         "precision_recall_fscore_support", "multilabel_confusion_matrix", "jaccard_score", "hamming_loss",
         "fbeta_score", "zero_one_loss")
print("scikit-learn", sklearn.__version__)
for name in NAMES:
    for label, y_true, y_pred in CASES:
        kwargs = {"beta": 1.0} if name == "fbeta_score" else {}
        try:
            getattr(metrics, name)(y_true, y_pred, **kwargs)
            print("%s, %s: no error" % (name, label))
        except Exception as error:  # noqa: BLE001
            print("%s, %s: %s: %s" % (name, label, type(error).__name__, str(error)[:110]))
print("predictions == labels: shape %s" % ((sigmoid1 == labels2).shape,))
