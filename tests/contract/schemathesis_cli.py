"""The schemathesis command line, with one work-around for the Python it runs on.

CPython 3.11 before 3.11.8 can raise SystemError("AST constructor recursion depth mismatch")
from ast.parse on a large module (CPython gh-106905). Hypothesis parses its strategies' source
files only to describe lambdas in reports, and treats a SyntaxError there as "cannot describe
this lambda"; the SystemError instead escapes and stops the run with a runtime error that has
nothing to do with cit-api. Here it becomes that SyntaxError, for that one module.
"""
import ast
import sys
import types

import hypothesis.internal.lambda_sources as lambda_sources
from schemathesis.cli import schemathesis


def _parse(*args, **kwargs):
    try:
        return ast.parse(*args, **kwargs)
    except SystemError as error:
        raise SyntaxError(str(error)) from error


lambda_sources.ast = types.SimpleNamespace(**{**vars(ast), "parse": _parse})

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
