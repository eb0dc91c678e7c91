// Internal: where each value of a JSON document sits in its text, and which object keys repeat.
// nlohmann 3.11 keeps no positions and silently keeps the last of two equal keys; this walks the
// text nlohmann has already accepted (so it only tracks structure, it does not validate) and
// gives the catalog and config.json readers `file:line:col` for a JSON pointer and a located
// error for each duplicate key.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpusize/diagnostics.hpp"

namespace gpusize::detail {

/// Byte offsets of one value: of its key (npos for array elements and the root) and of the value.
struct JsonPlace {
    std::size_t key = std::string_view::npos;
    std::size_t value = std::string_view::npos;
};

struct JsonIndex {
    /// By JSON pointer, built as the readers build theirs: "/" + key per level, keys unescaped.
    std::map<std::string, JsonPlace> places;
    struct Duplicate {
        std::string parent;  ///< pointer of the object holding the key ("" for the root)
        std::string key;
        std::size_t offset;  ///< of the repeated key
        std::size_t first;   ///< of its first occurrence
    };
    std::vector<Duplicate> duplicates;
};

namespace json_index_impl {

class Walker {
public:
    Walker(std::string_view text, JsonIndex& out) : t_(text), out_(out) {}

    void run() {
        if (t_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;  // nlohmann skips a UTF-8 byte order mark
        value("", std::string_view::npos);
    }

private:
    char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
    void skip_space() {
        while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) ++i_;
    }
    std::string string_token() {
        const std::size_t start = i_++;
        bool escaped = false;
        while (i_ < t_.size() && t_[i_] != '"') {
            if (t_[i_] == '\\') {
                escaped = true;
                ++i_;
            }
            ++i_;
        }
        ++i_;
        const std::string_view raw = t_.substr(start, std::min(i_, t_.size()) - start);
        if (!escaped || raw.size() < 2) return std::string(raw.substr(1, raw.size() >= 2 ? raw.size() - 2 : 0));
        // Let nlohmann decode the escapes, so keys compare as nlohmann sees them.
        return nlohmann::json::parse(raw).get<std::string>();
    }
    void value(const std::string& pointer, std::size_t key_at) {
        skip_space();
        out_.places[pointer] = JsonPlace{key_at, i_};
        const char c = peek();
        if (c == '{') {
            ++i_;
            std::map<std::string, std::size_t> seen;
            for (skip_space(); i_ < t_.size() && peek() != '}';) {
                const std::size_t k = i_;
                const std::string key = string_token();
                skip_space();
                ++i_;  // ':'
                if (auto [it, fresh] = seen.emplace(key, k); !fresh) out_.duplicates.push_back({pointer, key, k, it->second});
                value(pointer + "/" + key, k);
                skip_space();
                if (peek() == ',') ++i_;
                skip_space();
            }
            ++i_;
        } else if (c == '[') {
            ++i_;
            std::size_t n = 0;
            for (skip_space(); i_ < t_.size() && peek() != ']';) {
                value(fmt::format("{}/{}", pointer, n++), std::string_view::npos);
                skip_space();
                if (peek() == ',') ++i_;
                skip_space();
            }
            ++i_;
        } else if (c == '"') {
            string_token();
        } else {
            while (i_ < t_.size() && t_[i_] != ',' && t_[i_] != ']' && t_[i_] != '}' && t_[i_] != ' ' && t_[i_] != '\n' &&
                   t_[i_] != '\r' && t_[i_] != '\t')
                ++i_;
        }
    }

    std::string_view t_;
    JsonIndex& out_;
    std::size_t i_ = 0;
};

}  // namespace json_index_impl

/// Indexes `text`, which nlohmann must already have parsed without error.
inline JsonIndex index_json(std::string_view text) {
    JsonIndex out;
    json_index_impl::Walker(text, out).run();
    return out;
}

/// Whether some object of `text` (which nlohmann must already have parsed without error) repeats
/// a key. The pass every document pays, so it builds no pointers: a key is a string followed by
/// ':', and each object's keys are sorted and compared when it closes. The full index is built
/// only for a document that has a duplicate or an error to locate.
inline bool has_duplicate_keys(std::string_view t) {
    std::vector<std::string_view> keys;  // of the open objects, innermost last
    std::vector<std::size_t> starts;     // where each open object's keys begin in `keys`
    std::deque<std::string> decoded;     // keys with escapes, as nlohmann reads them
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '{') {
            starts.push_back(keys.size());
        } else if (c == '}' && !starts.empty()) {
            const auto first = keys.begin() + static_cast<std::ptrdiff_t>(starts.back());
            std::sort(first, keys.end());
            if (std::adjacent_find(first, keys.end()) != keys.end()) return true;
            keys.resize(starts.back());
            starts.pop_back();
        } else if (c == '"') {
            const std::size_t open = i++;
            bool escaped = false;
            for (; i < t.size() && t[i] != '"'; ++i)
                if (t[i] == '\\') {
                    escaped = true;
                    ++i;
                }
            std::size_t next = i + 1;
            while (next < t.size() && (t[next] == ' ' || t[next] == '\t' || t[next] == '\n' || t[next] == '\r')) ++next;
            if (next >= t.size() || t[next] != ':' || starts.empty()) continue;
            std::string_view key = t.substr(open + 1, i - open - 1);
            if (escaped) key = decoded.emplace_back(nlohmann::json::parse(t.substr(open, i - open + 1)).get<std::string>());
            keys.push_back(key);
        }
    }
    return false;
}

/// A document's index, built the first time a diagnostic needs it.
class LazyJsonIndex {
public:
    explicit LazyJsonIndex(std::string_view text) : text_(text) {}
    const JsonIndex& get() const {
        if (!index_) index_ = index_json(text_);
        return *index_;
    }

private:
    std::string_view text_;
    mutable std::optional<JsonIndex> index_;
};

/// 1-based line and column (in bytes) of `offset` in `text`.
inline std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

/// Gives `d` (whose `where.pointer` names a place in `text`) the line, column and source line of
/// that place, or of its nearest enclosing value the text has (a missing field points at its
/// object). `at_key`: point at an object member's key rather than its value.
inline void locate_json(Diagnostic& d, std::string_view text, const JsonIndex& index, bool at_key = false) {
    std::string p = d.where.pointer == "/" ? std::string() : d.where.pointer;
    bool exact = true;
    for (;;) {
        if (auto it = index.places.find(p); it != index.places.end()) {
            const std::size_t at = at_key && exact && it->second.key != std::string_view::npos ? it->second.key : it->second.value;
            if (at == std::string_view::npos) return;
            const auto [line, column] = line_column(text, at);
            d.where.line = line;
            d.where.column = column;
            d.source_line = line_of(text, line);
            return;
        }
        const auto slash = p.rfind('/');
        if (slash == std::string::npos) return;
        p.resize(slash);
        exact = false;
    }
}

/// One located error per duplicate key, worded as the spec reader words its own.
inline void report_duplicate_keys(const JsonIndex& index, std::string_view text, const std::string& origin, DiagnosticSink& sink) {
    for (const auto& d : index.duplicates) {
        const auto [line, column] = line_column(text, d.offset);
        const std::string in = d.parent.empty() ? "the top-level object" : fmt::format("'{}'", d.parent);
        const auto first = line_column(text, d.first);
        sink.error({origin, line, column, {}},
                   fmt::format("duplicate key '{}' in {} (first given on line {})", d.key, in, first.first), {},
                   line_of(text, line));
    }
}

}  // namespace gpusize::detail
