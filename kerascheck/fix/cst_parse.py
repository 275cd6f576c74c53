"""libcst's parser, run where a deep expression cannot overflow the C stack.

libcst's native parser recurses once per operand of an `and`/`or` chain, where
CPython's `ast` builds one flat node: with libcst 1.0.1, `x = a and a and ...` of
8,000 operands (a 40 kB line that `ast` reads) overflows the 8 MB main-thread stack
and kills the process with SIGSEGV, not an exception. Every libcst parse of a user's
text therefore runs here, on a thread whose stack is large enough for any file the
run accepts (measured: 200,000 operands parse in 512 MB; the stack is only reserved,
the pages used are the ones touched). A parse that still fails raises as libcst does.
"""

from __future__ import annotations

import threading

import libcst as cst

_PARSER_STACK_BYTES = 512 * 1024 * 1024
_stack_size_lock = threading.Lock()


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module(text)` on a thread with a large stack; raises what it raises."""
    outcome: dict = {}

    def parse() -> None:
        try:
            outcome["module"] = cst.parse_module(text)
        except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread as is
            outcome["error"] = error

    with _stack_size_lock:  # the stack size applies to threads started after it is set: set it for this one only
        previous = threading.stack_size(_PARSER_STACK_BYTES)
        try:
            parser = threading.Thread(target=parse, name="kerascheck-libcst-parse", daemon=True)
            parser.start()
        finally:
            threading.stack_size(previous)
    parser.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["module"]
