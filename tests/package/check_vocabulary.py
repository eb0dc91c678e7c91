#!/usr/bin/env python3
"""The completions and the man page offer exactly what the program accepts.

The program's own `CMD --help` is the vocabulary: each command's long options, the `-o` formats
(html only for plan and check, as the help says) and the `--solve` variables. For each command,
the bash, zsh and fish completions and the man page's synopsis must offer every option the help
lists and none it does not; each completion and the man page's `-o` entry must offer every
format. Usage: check_vocabulary.py REPO_ROOT GPUSIZE_BINARY
"""
import re
import subprocess
import sys
from pathlib import Path

COMMANDS = ["plan", "check", "explain", "gpus", "models"]
HTML_COMMANDS = {"plan", "check"}


def vocabulary(binary):
    flags, formats, solve = {}, None, None
    for c in COMMANDS:
        text = subprocess.run([binary, c, "--help"], capture_output=True, text=True).stdout
        options = text.split("Options:", 1)[1].split("Examples:", 1)[0]
        flags[c] = set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", options, re.M)) - {"--help"}
        m = re.search(r"--output TEXT:([^\n]+)", options)
        formats = [f.strip() for f in re.split(r",| or ", m.group(1)) if f.strip()]
        if c == "check":
            solve = [v.strip() for v in re.split(r",| or ", re.search(r"--solve TEXT:([^\n]+)", options).group(1)) if v.strip()]
    return flags, formats, solve


def bash_offers(text):
    common = set(re.search(r'local common="([^"]*)"', text).group(1).split())
    per = {}
    for c in COMMANDS:
        words = set(re.search(rf'^\s+{c}\) opts="([^"]*)"', text, re.M).group(1).split())
        per[c] = {w for w in (words | common if "$common" in words else words) if w.startswith("--")} - {"--help", "$common"}
    formats = " ".join(re.findall(r'formats\+?="([^"]*)"', text)).split()
    return per, formats


def zsh_offers(text):
    arrays = {name: set(re.findall(r"(--[a-z][a-z-]*)", body))
              for name, body in re.findall(r"^\s+(\w+)=\(\n(.*?)^\s+\)", text, re.M | re.S)}
    per = {}
    for c in COMMANDS:
        block = re.search(rf"^\s+{c}\)\n(.*?);;", text, re.M | re.S).group(1)
        offered = set(re.findall(r"(--[a-z][a-z-]*)", block))
        for name in re.findall(r"\$(\w+)", block):
            offered |= arrays.get(name, set())
        per[c] = offered - {"--help"}
    formats = re.search(r":format:\(([^)]*)\)", text).group(1).split()
    return per, formats


def fish_offers(text):
    sets = {name: value.split() for name, value in re.findall(r"^set -l (\w+) (.*)$", text, re.M)}
    per = {c: set() for c in COMMANDS}
    formats = []
    for line in text.splitlines():
        m = re.search(r'-n "__fish_seen_subcommand_from ([^"]*)"', line)
        flag = re.search(r"-l ([a-z][a-z-]*)", line)
        if not m or not flag:
            continue
        commands = []
        for word in m.group(1).split():
            commands += sets.get(word[1:], []) if word.startswith("$") else [word]
        for c in commands:
            per[c].add("--" + flag.group(1))
        if flag.group(1) == "output":
            formats += re.search(r"-a '([^']*)'", line).group(1).split()
    return per, formats


def man_offers(text):
    per = {}
    for c in COMMANDS:
        block = re.search(rf"^\.SY gpusize\n\.B {c}\n(.*?)^\.YS", text, re.M | re.S).group(1)
        per[c] = {"--" + f.replace("\\-", "-") for f in re.findall(r"^\.OP \\-\\-((?:[a-z]|\\-)+)", block, re.M)}
        if re.search(r"^\.OP \\-o ", block, re.M):
            per[c].add("--output")
    entry = re.search(r"^\.BR \\-o .*?\n(.*?)\n\.TP", text, re.M | re.S).group(1)
    formats = re.findall(r"\b(table|json|yaml|markdown|csv|html|xml)\b", entry)
    return per, formats


def main():
    root, binary = Path(sys.argv[1]), str(Path(sys.argv[2]).resolve())
    flags, formats, solve = vocabulary(binary)
    problems = []
    readers = {
        "completions/gpusize.bash": bash_offers,
        "completions/_gpusize": zsh_offers,
        "completions/gpusize.fish": fish_offers,
        "man/gpusize.1": man_offers,
    }
    for path, read in readers.items():
        text = (root / path).read_text()
        per, offered_formats = read(text)
        for c in COMMANDS:
            for f in sorted(flags[c] - per[c]):
                problems.append(f"{path}: '{c}' does not offer {f}")
            for f in sorted(per[c] - flags[c]):
                problems.append(f"{path}: '{c}' offers {f}, which '{c} --help' does not list")
        for f in formats:
            if f not in offered_formats:
                problems.append(f"{path}: -o does not offer '{f}'")
        for v in solve:
            if v not in text:
                problems.append(f"{path}: --solve does not offer '{v}'")
    for p in problems:
        print(p)
    print(f"{len(readers)} files checked against {sum(len(f) for f in flags.values())} options and {len(formats)} formats: "
          f"{len(readers) - len({p.split(':')[0] for p in problems})} passed, {len({p.split(':')[0] for p in problems})} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
