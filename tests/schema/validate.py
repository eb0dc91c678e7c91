#!/usr/bin/env python3
"""Validates every example spec (examples/*.yaml) against schemas/spec.schema.json, and every golden
JSON stdout (tests/golden/*/ whose args ask for `-o json` and whose exit code is 0, 1 or 2) against
the schema of its command: report (plan, check), gpus, models (the assumptions of cases whose
run_case.sh output drops them are not there to validate). Run from the repository root; exits 1
listing each failure."""
import glob
import json
import os
import sys

import jsonschema
import yaml

root = sys.argv[1] if len(sys.argv) > 1 else "."


def schema(name):
    with open(os.path.join(root, "schemas", name), encoding="utf-8") as f:
        s = json.load(f)
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


validators = {"spec": schema("spec.schema.json"), "plan": schema("report.schema.json"),
              "check": schema("report.schema.json"), "gpus": schema("gpus.schema.json"),
              "models": schema("models.schema.json"), "gpus --stale": schema("stale-prices.schema.json")}
failures, checked = [], 0
DROPPED = "(assumptions dropped by tests/golden/run_case.sh"


def check(validator, document, label):
    global checked
    checked += 1
    for error in validator.iter_errors(document):
        path = "/" + "/".join(str(p) for p in error.absolute_path)
        failures.append(f"{label}: {path}: {error.message}")


for path in sorted(glob.glob(os.path.join(root, "examples", "*.yaml"))):
    with open(path, encoding="utf-8") as f:
        check(validators["spec"], yaml.safe_load(f), os.path.relpath(path, root))

for case in sorted(glob.glob(os.path.join(root, "tests", "golden", "*", "args"))):
    folder = os.path.dirname(case)
    with open(case, encoding="utf-8") as f:
        args = f.read().split("\n")
    with open(os.path.join(folder, "exit"), encoding="utf-8") as f:
        code = f.read().strip()
    json_out = any(a in ("-o", "--output") and i + 1 < len(args) and args[i + 1] == "json" for i, a in enumerate(args))
    if not json_out or code not in ("0", "1", "2") or args[0] not in validators:
        continue
    kind = "gpus --stale" if args[0] == "gpus" and "--stale" in args else args[0]
    with open(os.path.join(folder, "stdout"), encoding="utf-8") as f:
        document = json.load(f)
    # run_case.sh replaces the assumptions of cases without keep-assumptions by one marker string;
    # the assumptions-* cases validate the array itself.
    if isinstance(document.get("assumptions"), str) and document["assumptions"].startswith(DROPPED):
        document["assumptions"] = []
    check(validators[kind], document, os.path.relpath(folder, root))

for failure in failures:
    print(failure)
print(f"{checked} documents checked, {len(failures)} problem(s)")
sys.exit(1 if failures else 0)
