#!/usr/bin/env python3
"""Runs every command the README shows and checks that the program still prints what the README says.

A ```text block holds one or more examples: a line `$ gpusize ARGS` (a shell command line, run by
bash from the repository root with `gpusize` the binary under test), then the lines it prints
(stdout and stderr together). A line `...` stands for any number of lines; the lines between two
`...` must appear together and in order. Usage: check_readme.py REPO_ROOT GPUSIZE_BINARY
"""
import re
import subprocess
import sys
from pathlib import Path


def examples(readme):
    """Yields (line number, command, expected lines) for every `$ gpusize` line in a text block."""
    in_text = False
    current = None
    for number, line in enumerate(readme.splitlines(), 1):
        if line.startswith("```"):
            if current:
                yield current
            current = None
            in_text = line.strip() == "```text" and not in_text
            continue
        if not in_text:
            continue
        if line.startswith("$ gpusize"):
            if current:
                yield current
            current = (number, line[2:], [])
        elif current:
            current[2].append(line)


def segments(expected):
    """The expected lines split at `...`: each segment must appear contiguously, in order."""
    out, run = [], []
    for line in expected:
        if line.strip() == "...":
            if run:
                out.append(run)
            run = []
        else:
            run.append(line.rstrip())
    if run:
        out.append(run)
    return out


def find_in_order(actual, parts):
    """The index of the first segment not found after its predecessor, or None when all are."""
    pos = 0
    for i, part in enumerate(parts):
        for start in range(pos, len(actual) - len(part) + 1):
            if actual[start:start + len(part)] == part:
                pos = start + len(part)
                break
        else:
            return i
    return None


def main():
    root, binary = Path(sys.argv[1]), str(Path(sys.argv[2]).resolve())
    readme = (root / "README.md").read_text()
    failures = checked = 0
    for number, command, expected in examples(readme):
        script = f'gpusize() {{ "{binary}" "$@"; }}\nexport COLUMNS=100 NO_COLOR=1\n{command}'
        run = subprocess.run(["bash", "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
        actual = [l.rstrip() for l in (run.stdout + run.stderr).splitlines()]
        parts = segments(expected)
        missing = find_in_order(actual, parts)
        checked += 1
        if missing is not None:
            failures += 1
            print(f"README.md:{number}: error: '{command}' no longer prints what the README shows; first missing:")
            print("\n".join("  " + l for l in parts[missing]))
            print("actual output:")
            print("\n".join("  " + l for l in actual))
        else:
            print(f"ok: README.md:{number}: {command}")
    print(f"{checked - failures} passed, {failures} failed")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
