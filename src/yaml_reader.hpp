// Internal: a checked walk over a yaml-cpp document. Every accessor validates type and range,
// records `origin:line:col` diagnostics (yaml-cpp marks are 0-based) and keeps going, so one run
// reports every problem in a file. Shared by the spec parser and the model-preset parser.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gpusize/diagnostics.hpp"
#include "gpusize/spec.hpp"

namespace gpusize::detail {

/// Handlers of one mapping's keys: key -> function(value node).
using KeyHandlers = std::vector<std::pair<std::string, std::function<void(const YAML::Node&)>>>;

class YamlReader {
public:
    YamlReader(std::string_view text, std::string_view origin);

    /// Parses the text; on a syntax error records it and returns a null node.
    YAML::Node load();

    SourceLocation where(const YAML::Node& n) const;
    void error(const YAML::Node& n, std::string message, std::string hint = {});
    void error_at(SourceLocation loc, std::string message, std::string hint = {});
    DiagnosticSink& sink() { return sink_; }

    /// Walks a mapping: runs the handler of each key, reports unknown keys (with "did you mean")
    /// and duplicate keys. `section` names the mapping in messages ("model", "the spec").
    void walk(const YAML::Node& map, std::string_view section, const KeyHandlers& handlers);

    bool expect_map(const YAML::Node& n, std::string_view what);

    std::optional<std::string> string(const YAML::Node& n, std::string_view key);
    std::optional<bool> boolean(const YAML::Node& n, std::string_view key);
    /// A finite number within [min, max]; `unit` (such as "USD per GPU-hour") follows the range in
    /// messages.
    std::optional<double> number(const YAML::Node& n, std::string_view key, double min, double max, std::string_view unit = {});
    /// An integer within [min, max].
    std::optional<std::int64_t> integer(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max);
    /// A token count: a whole number, or one with a K (thousand) or M (million) suffix such as 8k,
    /// 128K or 1.5M that makes a whole number, within [min, max].
    std::optional<std::int64_t> tokens(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max);
    /// A count such as 70.6B, 1T, 500M or a plain number, within [min, max].
    std::optional<double> count(const YAML::Node& n, std::string_view key, double min, double max);
    /// A percentage: `10%` or a fraction `0.1`, within [0, 1).
    std::optional<double> fraction(const YAML::Node& n, std::string_view key);
    /// A share of a whole: like `fraction`, but above 0 and up to 100% (`utilization: 100%`).
    std::optional<double> share(const YAML::Node& n, std::string_view key);
    /// One of `names` (spelled as in YAML); returns its index.
    std::optional<std::size_t> choice(const YAML::Node& n, std::string_view key, const std::vector<std::string>& names);

    template <class E>
    std::optional<E> enumeration(const YAML::Node& n, std::string_view key, const std::vector<std::string>& names,
                                 const std::vector<E>& values) {
        auto i = choice(n, key, names);
        if (!i) return std::nullopt;
        return values[*i];
    }

private:
    std::string text_;
    std::string origin_;
    LineIndex lines_;
    DiagnosticSink sink_{max_reported_diagnostics};
};

/// Handlers for the architecture keys of a `model:` section (shared by specs and presets); each
/// key given is recorded in `locations` when that is not null.
KeyHandlers model_patch_handlers(YamlReader& r, ModelPatch& patch, std::map<std::string, SourceLocation>* locations);

/// Human description of a node's type for "expected X, got Y" messages.
std::string describe(const YAML::Node& n);

// The checks YamlReader::load runs before yaml-cpp parses a text, for YAML text parsed elsewhere
// (the values of `--set` overrides).

/// A 1-based line and column in a text.
struct TextPosition {
    int line = 0;
    int column = 0;
};

/// Where flow collections (`[`, `{`) first nest deeper than `limit`: the bracket that crosses it,
/// or nullopt. Lines of the simple shapes a spec is written in (`- ` entries, a plain `key:`, then
/// a plain, quoted or one-line flow value, and comments) are read as yaml-cpp reads them: brackets
/// in comments, in quoted values closed on their line and in plain values (`name: gpt [v2]`) are
/// text. From the first line of any other shape (block scalars, multi-line scalars and flow
/// collections, tags, document markers) every bracket counts, so the depth yaml-cpp's recursive
/// descent reaches is never more than the one measured.
std::optional<TextPosition> too_deep_flow(std::string_view text, int limit);

/// The first 1-based line whose block collections may nest deeper than `limit`, or 0. Block
/// collections nest by indentation and by indicators on one line ("- - - x", "? ? x", "- a: - b");
/// the open indentation levels plus the line's indicators bound the depth from above, so yaml-cpp's
/// recursive descent never sees a deep document.
int too_deep_block_line(std::string_view text, int limit);

/// The offset of the first byte that does not start or continue a valid UTF-8 character
/// (overlong forms, surrogates and code points past U+10FFFF included), or npos.
std::size_t invalid_utf8(std::string_view s);

/// The offset of the first control character YAML does not allow (C0 but tab, line feed and
/// carriage return; DEL), or npos. yaml-cpp 0.7 reads a NUL byte in any scalar as the start of an
/// escape: "\0N" becomes the single byte 0x85, which is not UTF-8.
std::size_t control_character(std::string_view s);

/// A scalar whose decoded text is not UTF-8, and its first bad byte.
struct BadString {
    YAML::Mark mark;
    unsigned char byte = 0;
};

/// Where the documents of a YAML text start, found without building nodes.
struct DocumentScan {
    std::vector<YAML::Mark> starts;       ///< of each document
    std::vector<YAML::Mark> first_nodes;  ///< of each document's first node, where it has one
    /// Where a document starts with a stray ',' (then the scan stops there): yaml-cpp 0.7 returns
    /// such a document without consuming the token, so LoadAll loops forever and Load returns null.
    std::optional<YAML::Mark> stray_comma;
    /// The first scalar that decodes to text that is not UTF-8, though the text is: yaml-cpp 0.7
    /// decodes the escapes `\N` and `\_` of double-quoted scalars to the single bytes 0x85 and 0xa0.
    std::optional<BadString> bad_string;
    /// Each node with an explicit tag (`!!str`, `!foo`), as written: yaml-cpp keeps tags but the
    /// readers do not honour them, so a tagged value would be read as if untagged.
    std::vector<std::pair<YAML::Mark, std::string>> tags;
};

/// The message and hint for a tag in DocumentScan::tags.
std::string tag_message(const std::string& tag);
std::string tag_hint(const std::string& tag);

/// The message and hint for DocumentScan::bad_string.
std::string bad_string_message(const BadString& b);
inline constexpr const char* bad_string_hint =
    "yaml-cpp decodes the escapes \\N and \\_ to single bytes: write \\x85 and \\xa0 instead";

/// Scans every document of `text`. Throws YAML::Exception on a syntax error, as YAML::Load does.
DocumentScan scan_documents(std::string_view text);

}  // namespace gpusize::detail
