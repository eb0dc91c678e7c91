#!/usr/bin/env bash
# CTest `package.install`: `cmake --install` puts the binary, the schemas, the completions, the
# man page and the estimation reference where shells, man and readers look for them.
#   usage: check_install.sh BUILD_DIR
set -u
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null || { echo "FAIL: cmake --install"; exit 1; }
status=0
for f in bin/gpusize share/gpusize/schemas/report.schema.json share/bash-completion/completions/gpusize \
         share/zsh/site-functions/_gpusize share/fish/vendor_completions.d/gpusize.fish share/man/man1/gpusize.1 \
         share/doc/gpusize/estimation.md; do
  [[ -f $prefix/$f ]] || { echo "FAIL: missing $f"; status=1; }
done
"$prefix/bin/gpusize" --version || status=1
# The installed binary is stripped: no symbol table, and far smaller than the build tree's copy.
if [[ -f $prefix/bin/gpusize ]]; then
  size=$(stat -c %s "$prefix/bin/gpusize")
  if [[ $(nm "$prefix/bin/gpusize" 2>&1) != *"no symbols"* ]]; then echo "FAIL: bin/gpusize is not stripped"; status=1; fi
  # A sanitizer build carries its instrumentation (about 30 MB stripped): only the size of a
  # normal build is checked.
  sanitized=$(grep -c '^GPUSIZE_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null)
  if [[ $sanitized == 0 ]] && (( size > 8 * 1024 * 1024 )); then echo "FAIL: bin/gpusize is $size bytes, more than 8 MiB"; status=1; fi
fi
exit $status
