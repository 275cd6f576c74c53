"""Placeholder, replaced below."""


def fix_notebook(result, options, unsafe, write, findings=None):
    result.error = f"{result.shown}: not fixed: notebooks are not fixed yet"
    return result
