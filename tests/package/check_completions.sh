#!/usr/bin/env bash
# CTest `package.completions`: the shell completions parse in their shells (bash always; zsh and
# fish where installed, else skipped and said so), the bash one completes the documented words,
# and the man page renders without a groff warning where groff is installed.
#   usage: check_completions.sh REPO_ROOT GPUSIZE
set -u
root=$1 gpusize=$2
status=0
fail() { echo "FAIL: $*"; status=1; }

bash -n "$root/completions/gpusize.bash" || fail "bash -n completions/gpusize.bash"
if command -v zsh >/dev/null; then
  zsh -n "$root/completions/_gpusize" || fail "zsh -n completions/_gpusize"
else
  echo "skip: zsh is not installed"
fi
if command -v fish >/dev/null; then
  fish --no-execute "$root/completions/gpusize.fish" || fail "fish --no-execute completions/gpusize.fish"
else
  echo "skip: fish is not installed"
fi

# Completes WORDS... (the last one being completed) with the bash completion, the binary under test
# standing in for `gpusize`; prints the candidates on one line.
complete_words() {
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _gpusize
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "
  ' _ "$root/completions/gpusize.bash" "$@"
}
expect() {
  local want=$1; shift
  local got
  got=$(complete_words "$@")
  [[ $got == "$want" ]] || fail "completing '$*': want '$want', got '$got'"
}
expect "check " "$gpusize" ch
expect "concurrency context gpus rate " "$gpusize" check spec.yaml --solve ""
expect "csv html json markdown table yaml " "$gpusize" plan spec.yaml -o ""
expect "csv json markdown table yaml " "$gpusize" models -o ""
expect "--baseline " "$gpusize" plan spec.yaml --b
expect "--set --solve " "$gpusize" check spec.yaml --s
expect "--require " "$gpusize" check spec.yaml --r
expect "h100-nvl-94gb h100-pcie-80gb h100-sxm-80gb " "$gpusize" check spec.yaml --gpu h100-
expect "llama-3.1-405b llama-3.1-70b llama-3.1-8b " "$gpusize" models llama-3.1-

if command -v groff >/dev/null; then
  warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$root/man/gpusize.1" 2>&1)
  [[ -z $warnings ]] || fail "groff warnings on man/gpusize.1: $warnings"
  LC_ALL=C.UTF-8 groff -man -Tutf8 -P-cbou "$root/man/gpusize.1" 2>/dev/null | grep -q '^EXIT STATUS$' || fail "man/gpusize.1 lacks EXIT STATUS"
else
  echo "skip: groff is not installed"
fi
exit $status
