// Internal: limits checked before nlohmann parses a catalog or a config.json, so a huge or deeply
// nested document is refused with a located error instead of exhausting memory or the stack
// (nlohmann's parser is iterative, but copying, dumping and merge-patching a value recurse), and
// a NUL byte is refused before nlohmann reads it as the end of the document.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "gpusize/diagnostics.hpp"

namespace gpusize::detail {

inline constexpr std::size_t max_json_bytes = 4u << 20;
inline constexpr int max_json_nesting = 64;

/// The offset of the first `[` or `{` that opens a level deeper than `limit`, or npos. Brackets
/// inside strings do not count.
inline std::size_t too_deep_json(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

/// Records a diagnostic and returns false when `text` is larger than max_json_bytes, nests
/// deeper than max_json_nesting, or holds a NUL byte.
inline bool check_json_limits(std::string_view text, const std::string& origin, DiagnosticSink& sink) {
    if (text.size() > max_json_bytes) {
        sink.error({origin, 0, 0, {}}, fmt::format("file is {} bytes, more than the {} bytes accepted", text.size(), max_json_bytes));
        return false;
    }
    auto at = [&](std::size_t offset) {
        int line = 1, column = 1;
        for (std::size_t i = 0; i < offset; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        return SourceLocation{origin, line, column, {}};
    };
    // nlohmann 3.11 ends the document at a NUL byte outside a string, so `{...}<NUL>anything` was
    // read as `{...}`: the rest silently ignored, and the duplicate-key scan, which reads the whole
    // text, thrown by an escape there. Valid JSON never holds one: inside a string it is \u0000.
    // Its line is not shown: it is not text a terminal prints.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
        sink.error(at(nul), "invalid JSON: control character 0x00 is not allowed", "remove it, or write it as \\u0000 inside a string");
        return false;
    }
    if (const std::size_t deep = too_deep_json(text, max_json_nesting); deep != std::string_view::npos) {
        sink.error(at(deep), fmt::format("arrays and objects nest deeper than {} levels", max_json_nesting));
        return false;
    }
    return true;
}

}  // namespace gpusize::detail
