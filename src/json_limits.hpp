// Internal: limits checked before nlohmann parses a catalog or a config.json, so a huge or deeply
// nested document is refused with a located error instead of exhausting memory or the stack
// (nlohmann's parser is iterative, but copying, dumping and merge-patching a value recurse).
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

/// Records a diagnostic and returns false when `text` is larger than max_json_bytes or nests
/// deeper than max_json_nesting.
inline bool check_json_limits(std::string_view text, const std::string& origin, DiagnosticSink& sink) {
    if (text.size() > max_json_bytes) {
        sink.error({origin, 0, 0, {}}, fmt::format("file is {} bytes, more than the {} bytes accepted", text.size(), max_json_bytes));
        return false;
    }
    if (const std::size_t at = too_deep_json(text, max_json_nesting); at != std::string_view::npos) {
        int line = 1, column = 1;
        for (std::size_t i = 0; i < at; ++i) {
            if (text[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        sink.error({origin, line, column, {}}, fmt::format("arrays and objects nest deeper than {} levels", max_json_nesting));
        return false;
    }
    return true;
}

}  // namespace gpusize::detail
