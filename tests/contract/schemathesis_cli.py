"""The schemathesis command line, with one check of ours and one work-around for the Python
it runs on.

The check, `errors_are_problems`: every answer of 400 and up is an RFC 9457 problem
(`application/problem+json` whose `status` is the answer's and whose `request_id` is the
`X-Request-Id` header's), whatever the request was. `--checks all` runs it with the rest.

CPython 3.11 before 3.11.8 can raise SystemError("AST constructor recursion depth mismatch")
from ast.parse on a large module (CPython gh-106905). Hypothesis parses its strategies' source
files only to describe lambdas in reports, and treats a SyntaxError there as "cannot describe
this lambda"; the SystemError instead escapes and stops the run with a runtime error that has
nothing to do with cit-api. Here it becomes that SyntaxError, for that one module.
"""
import ast
import json
import sys
import types

import hypothesis.internal.lambda_sources as lambda_sources
import schemathesis
from schemathesis.cli import schemathesis as cli


@schemathesis.check
def errors_are_problems(ctx, response, case):
    """Every error answer is an RFC 9457 problem naming its request."""
    if response.status_code < 400 or response.request.method == "HEAD":
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type != "application/problem+json":
        raise AssertionError(f"a {response.status_code} answered as {content_type!r}, not application/problem+json")
    try:
        problem = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(f"a {response.status_code} problem is not JSON: {error}") from error
    if problem.get("status") != response.status_code:
        raise AssertionError(f"the problem says status {problem.get('status')!r}, the answer {response.status_code}")
    for member in ("type", "title", "detail"):
        if not isinstance(problem.get(member), str):
            raise AssertionError(f"the problem has no {member}")
    request_id = (response.headers.get("x-request-id") or [None])[0]
    if problem.get("request_id") != request_id:
        raise AssertionError("the problem's request_id is not the X-Request-Id header's")
    return None


def _parse(*args, **kwargs):
    try:
        return ast.parse(*args, **kwargs)
    except SystemError as error:
        raise SyntaxError(str(error)) from error


lambda_sources.ast = types.SimpleNamespace(**{**vars(ast), "parse": _parse})

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(cli())
