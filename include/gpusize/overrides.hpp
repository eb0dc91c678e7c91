// Spec overrides from the command line: `--set key=value` sets any spec key by its dotted path
// (`inference.concurrency=64`, `precision=fp8`, `deployment.gpus=[h100-sxm-80gb]`) before the spec
// is checked, so every check of the spec applies to the values given here too. The value is YAML,
// so lists and mappings work; a value replaces whatever the spec had at that key.
//
// Problems are located in the override itself: `--set:N:COL` (N the override's position among the
// `--set` options, COL the column in its `key=value` text), shown with that text and a caret.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gpusize/diagnostics.hpp"

namespace YAML {
class Node;
}

namespace gpusize {

/// The origin name of every override diagnostic.
inline constexpr const char* override_origin = "--set";

/// One `--set key=value`, parsed.
struct Override {
    std::string text;                ///< the argument as given
    std::vector<std::string> path;   ///< `inference.concurrency` -> {"inference", "concurrency"}
    std::vector<int> path_columns;   ///< 1-based column of each path segment in `text`
    std::string value;               ///< YAML text after the first '='
    int value_column = 0;            ///< 1-based column of `value` in `text`
};

/// Parses `key=value` arguments in order. A missing '=', an empty path segment (`a..b`) or an
/// empty value are UsageErrors (exit 64) located at `--set:N:COL`, and so are more than 256
/// overrides (applying them parses each past the blocks of those before it).
std::vector<Override> parse_overrides(const std::vector<std::string>& args);

/// Rewrites diagnostics that the spec parser located past the end of `spec_text` (where the
/// override nodes are placed, see detail::apply_overrides) to `--set:N:COL`, with the override's
/// text as the source line, and adds `more` (the problems apply_overrides found). Diagnostics of
/// the spec file keep their order and come first; those of the overrides follow, by N and column.
void relocate_override_diagnostics(std::vector<Diagnostic>& diagnostics, std::string_view spec_text, std::string_view origin,
                                   const std::vector<Override>& overrides, std::vector<Diagnostic> more = {});

namespace detail {

/// Applies the overrides to a spec's parsed document `root` (a null root becomes a mapping). Every
/// node an override adds carries a mark past the end of `spec_text` (one line block per override,
/// columns as in its text) so the spec parser's own diagnostics can be relocated to the override.
/// Setting a key through a scalar or a list (`precision.kv_cache` when the spec says
/// `precision: bf16`), a value that is not valid YAML or holds more than one document, and what
/// the spec reader refuses in a file (text that is not UTF-8, key or value nesting deeper than 64
/// levels) are returned, located at `--set:N:COL`; such an override is not applied.
/// A short-form key and its explicit twin (`batch` and `inference.concurrency` or
/// `training.micro_batch`) are one setting: setting either removes the other from the spec.
std::vector<Diagnostic> apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, std::string_view spec_text);

}  // namespace detail

}  // namespace gpusize
