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
    /// A finite number within [min, max]; `unit` is appended to messages.
    std::optional<double> number(const YAML::Node& n, std::string_view key, double min, double max);
    /// An integer within [min, max].
    std::optional<std::int64_t> integer(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max);
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
    DiagnosticSink sink_;
};

/// Handlers for the architecture keys of a `model:` section (shared by specs and presets); each
/// key given is recorded in `locations` when that is not null.
KeyHandlers model_patch_handlers(YamlReader& r, ModelPatch& patch, std::map<std::string, SourceLocation>* locations);

/// Human description of a node's type for "expected X, got Y" messages.
std::string describe(const YAML::Node& n);

}  // namespace gpusize::detail
