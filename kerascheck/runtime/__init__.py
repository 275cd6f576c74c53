"""The runtime verification pass: check facts against a real Keras.

``probe.py`` runs inside the user's Keras interpreter (standalone, no kerascheck
imports); ``runner.py`` is the kerascheck-side API; ``cache.py`` keeps results.
"""
