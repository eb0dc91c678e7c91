#!/usr/bin/env bash
# CTest `package.streams`: standard streams that the golden runner cannot set up. A closed or
# directory standard input is unreadable input (66), not an empty spec (65); help, the version and
# a result written to a full or closed standard output fail with 74.
#   usage: check_streams.sh GPUSIZE SOURCE_DIR
set -u
bin=$1 src=$2
spec=$src/tests/data/specs/golden-small.yaml
status=0
expect() {  # expect CODE STDERR -- command...
  local want=$1 want_err=$2 err code
  shift 3
  err=$("$@" 2>&1 >/dev/null)
  code=$?
  if [[ $code != "$want" || $err != "$want_err" ]]; then
    echo "FAIL: $*: exit $code (want $want), stderr '$err' (want '$want_err')"
    status=1
  fi
}
expect 66 "gpusize: error: cannot read standard input: it is closed" -- bash -c '"$0" plan - <&-' "$bin"
expect 66 "gpusize: error: cannot read standard input: it is a directory" -- bash -c '"$0" plan - < "$1"' "$bin" "$src"
if [[ -w /dev/full ]]; then
  for args in "--help" "--version" "plan --help" "gpus" "plan $spec"; do
    expect 74 "gpusize: error: cannot write the result to standard output" -- bash -c '"$0" $1 > /dev/full' "$bin" "$args"
  done
fi
expect 74 "gpusize: error: cannot write the result to standard output" -- bash -c '"$0" --version >&-' "$bin"
exit $status
