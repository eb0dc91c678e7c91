# Script mode: writes OUT, a C++ file holding IN's bytes as `gpusize::embedded::VAR`.
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(LENGTH "${hex}" hex_len)
math(EXPR len "${hex_len} / 2")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace gpusize::embedded {\nstatic const char ${VAR}_bytes[] = {${bytes} '\\0'};\nextern const std::string_view ${VAR}(${VAR}_bytes, ${len});\n}\n")
