#!/usr/bin/env python3
"""The fuzz dictionaries hold every spec key and calibration constant, and the extreme numbers.

Keys come from schemas/spec.schema.json (every property path) and from the assumptions of
`gpusize explain -o json` on an inference and a training example (every `calibration.*` override);
spec.dict must hold each key as `"key:"`, set.dict each path as `"path"` (and `"path="`-free: the
separator is its own entry). Both must hold the extreme numbers listed below.
Usage: check_dicts.py REPO_ROOT GPUSIZE_BINARY
"""
import json
import re
import subprocess
import sys
from pathlib import Path

EXTREMES = ["1e-310", "4.9e-324", "1e308", "1.7976931348623157e308", "-0", ".inf", "-.inf", ".nan", "0", "1e30", "-1"]


def schema_paths(schema):
    defs = schema.get("$defs", {})
    paths = set()

    def walk(node, prefix, depth):
        if depth > 10:
            return
        if "$ref" in node:
            walk(defs[node["$ref"].split("/")[-1]], prefix, depth + 1)
        for combinator in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(combinator, []):
                walk(sub, prefix, depth + 1)
        for key, sub in node.get("properties", {}).items():
            paths.add(".".join(prefix + [key]))
            walk(sub, prefix + [key], depth + 1)
        if isinstance(node.get("items"), dict):
            walk(node["items"], prefix, depth + 1)

    walk(schema, [], 0)
    return paths


def calibration_keys(root, binary):
    keys = set()
    for spec in ("examples/chat-llama-3.1-8b.yaml", "examples/pretrain-llama-7b.yaml"):
        run = subprocess.run([binary, "explain", spec, "-o", "json"], cwd=root, capture_output=True, text=True)
        for a in json.loads(run.stdout)["assumptions"]:
            keys.update(re.findall(r"--set (calibration\.[a-z0-9_]+)=", a.get("override") or ""))
    return keys


def entries(path):
    return set(re.findall(r'^"((?:[^"\\]|\\.)*)"\s*$', path.read_text(), re.M))


def main():
    root, binary = Path(sys.argv[1]), str(Path(sys.argv[2]).resolve())
    paths = schema_paths(json.loads((root / "schemas/spec.schema.json").read_text())) | calibration_keys(root, binary)
    spec_dict, set_dict = entries(root / "fuzz/spec.dict"), entries(root / "fuzz/set.dict")
    missing = [f"fuzz/set.dict: \"{p}\"" for p in sorted(paths) if p not in set_dict]
    missing += [f"fuzz/spec.dict: \"{k}:\"" for k in sorted({p.split(".")[-1] for p in paths}) if k + ":" not in spec_dict]
    for name, d in (("spec.dict", spec_dict), ("set.dict", set_dict)):
        missing += [f"fuzz/{name}: \"{x}\"" for x in EXTREMES if x not in d]
    for m in missing:
        print(f"missing from {m}")
    print(f"{len(paths)} keys checked: {0 if missing else 1} passed, {1 if missing else 0} failed")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
