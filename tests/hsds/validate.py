#!/usr/bin/env python3
"""Validates HSDS objects against the published HSDS 3.0 JSON schemas.

Usage: validate.py SCHEMA_DIR INPUT.json, where INPUT holds {"<schema file>": [objects...]}.
Each object is checked with JSON Schema draft 2020-12, formats uuid, email and
date-time included (uri only where the optional rfc3987 package is installed). Prints every violation and exits 1 when there is one, 0 otherwise.
"""

import json
import sys

from jsonschema import Draft202012Validator, FormatChecker


def main() -> int:
    schema_dir, input_path = sys.argv[1], sys.argv[2]
    # FormatChecker skips a format silently when its optional package is missing: insist on
    # the ones the HSDS objects lean on.
    missing = {"uuid", "date-time", "email"} - set(FormatChecker.checkers)
    if missing:
        print(f"jsonschema cannot check the formats {sorted(missing)} here; install rfc3339-validator")
        return 1
    with open(input_path, encoding="utf-8") as f:
        cases = json.load(f)
    failures = 0
    checked = 0
    for schema_file, objects in cases.items():
        with open(f"{schema_dir}/{schema_file}", encoding="utf-8") as f:
            schema = json.load(f)
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        for index, obj in enumerate(objects):
            checked += 1
            for error in validator.iter_errors(obj):
                failures += 1
                path = "/".join(str(p) for p in error.absolute_path)
                print(f"{schema_file}[{index}] at /{path}: {error.message}")
    print(f"checked {checked} objects, {failures} violations")
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
