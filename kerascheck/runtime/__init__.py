"""The runtime verification pass: check facts against a real Keras.

``probe.py`` runs inside the user's Keras interpreter (standalone, no kerascheck
imports); ``runner.py`` is the kerascheck-side API; ``cache.py`` keeps results.
"""

from kerascheck.runtime.runner import RuntimeProbeError, facts_from_live_model, run_import  # noqa: F401
from kerascheck.runtime.verify import verify  # noqa: F401
