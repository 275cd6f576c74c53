"""The cycle collector, paused while one file is checked or fixed.

Checking and fixing build large trees (CPython's ast, libcst, the facts) that hold
no reference cycle: refcounting frees them, and the cycle collector only walks them
again and again, at a cost that grows faster than the file. Measured on one file of
many models (bench/manymodels.py), CPU per model: checking 1.13, 1.36, 1.45 ms at
1,000, 2,000, 5,000 models with the collector, 0.83, 0.69, 0.72 ms without it;
fixing 2,000 models took 28.9 s of CPU with it, 17.7 s without. Whatever cycles a
check leaves are collected when it is done.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
