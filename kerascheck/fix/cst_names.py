"""Dotted names of libcst nodes (extraction reads `ast`; the fixers edit libcst trees)."""

from __future__ import annotations

from typing import Optional

import libcst as cst


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """'keras.layers.Dense' for a Name or an Attribute chain of Names, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None
