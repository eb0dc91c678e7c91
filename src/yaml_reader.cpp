#include "yaml_reader.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <set>

#include "gpusize/spec.hpp"

namespace gpusize::detail {

namespace {
/// Refuses documents that would exhaust memory or the parser's stack.
constexpr std::size_t max_document_bytes = 4u << 20;
constexpr int max_nesting = 64;

int nesting_depth(std::string_view text) {
    int depth = 0, deepest = 0;
    for (char c : text) {
        if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
        else if ((c == ']' || c == '}') && depth > 0) --depth;
    }
    return deepest;
}
}  // namespace

YamlReader::YamlReader(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

YAML::Node YamlReader::load() {
    if (text_.size() > max_document_bytes) {
        error_at({origin_, 1, 1, {}}, fmt::format("file is {} bytes, more than the {} bytes accepted", text_.size(), max_document_bytes));
        return {};
    }
    if (nesting_depth(text_) > max_nesting) {
        error_at({origin_, 1, 1, {}}, fmt::format("flow collections nest deeper than {} levels", max_nesting));
        return {};
    }
    try {
        return YAML::Load(text_);
    } catch (const YAML::Exception& e) {
        error_at({origin_, e.mark.line + 1, e.mark.column + 1, {}}, fmt::format("invalid YAML: {}", e.msg));
        return {};
    }
}

SourceLocation YamlReader::where(const YAML::Node& n) const {
    const auto m = n.Mark();
    if (m.is_null()) return {origin_, 0, 0, {}};
    return {origin_, m.line + 1, m.column + 1, {}};
}

void YamlReader::error(const YAML::Node& n, std::string message, std::string hint) {
    error_at(where(n), std::move(message), std::move(hint));
}

void YamlReader::error_at(SourceLocation loc, std::string message, std::string hint) {
    std::string line = loc.line > 0 ? line_of(text_, loc.line) : std::string{};
    sink_.error(std::move(loc), std::move(message), std::move(hint), std::move(line));
}

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Scalar: return fmt::format("'{}'", n.Scalar());
        default: return "an undefined value";
    }
}

bool YamlReader::expect_map(const YAML::Node& n, std::string_view what) {
    if (n.IsMap()) return true;
    error(n, fmt::format("expected {} to be a mapping, got {}", what, describe(n)));
    return false;
}

void YamlReader::walk(const YAML::Node& map, std::string_view section, const KeyHandlers& handlers) {
    if (!expect_map(map, section)) return;
    std::set<std::string> seen;
    std::vector<std::string> known;
    for (const auto& [k, h] : handlers) known.push_back(k);
    for (const auto& kv : map) {
        const YAML::Node key = kv.first;
        if (!key.IsScalar()) {
            error(key, fmt::format("expected a key name in {}, got {}", section, describe(key)));
            continue;
        }
        const std::string name = key.Scalar();
        if (!seen.insert(name).second) {
            error(key, fmt::format("duplicate key '{}' in {}", name, section));
            continue;
        }
        auto it = std::find_if(handlers.begin(), handlers.end(), [&](const auto& h) { return h.first == name; });
        if (it == handlers.end()) {
            error(key, fmt::format("unknown key '{}' in {}", name, section), did_you_mean(name, known));
            continue;
        }
        it->second(kv.second);
    }
}

std::optional<std::string> YamlReader::string(const YAML::Node& n, std::string_view key) {
    if (!n.IsScalar()) {
        error(n, fmt::format("expected '{}' to be a string, got {}", key, describe(n)));
        return std::nullopt;
    }
    return n.Scalar();
}

std::optional<bool> YamlReader::boolean(const YAML::Node& n, std::string_view key) {
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        if (s == "true") return true;
        if (s == "false") return false;
    }
    error(n, fmt::format("expected '{}' to be true or false, got {}", key, describe(n)));
    return std::nullopt;
}

std::optional<double> YamlReader::number(const YAML::Node& n, std::string_view key, double min, double max) {
    double v = 0;
    bool ok = false;
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        const auto* end = s.data() + s.size();
        auto r = std::from_chars(s.data(), end, v);
        ok = r.ec == std::errc{} && r.ptr == end && std::isfinite(v);
    }
    if (!ok) {
        error(n, fmt::format("expected '{}' to be a finite number, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(n, fmt::format("'{}' must be between {:g} and {:g}, got {:g}", key, min, max, v));
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    bool ok = false;
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        const auto* end = s.data() + s.size();
        auto r = std::from_chars(s.data(), end, v);
        ok = r.ec == std::errc{} && r.ptr == end;
    }
    if (!ok) {
        error(n, fmt::format("expected '{}' to be a whole number, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (v < min || v > max) {
        error(n, fmt::format("'{}' must be between {} and {}, got {}", key, min, max, v));
        return std::nullopt;
    }
    return v;
}

std::optional<double> YamlReader::count(const YAML::Node& n, std::string_view key, double min, double max) {
    std::optional<double> v;
    if (n.IsScalar()) v = parse_count(n.Scalar());
    if (!v) {
        error(n, fmt::format("expected '{}' to be a count such as 7B, 70.6B, 500M or 1T, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (*v < min || *v > max) {
        error(n, fmt::format("'{}' must be between {:g} and {:g}, got {:g}", key, min, max, *v));
        return std::nullopt;
    }
    return v;
}

std::optional<double> YamlReader::fraction(const YAML::Node& n, std::string_view key) {
    std::optional<double> v;
    if (n.IsScalar()) {
        std::string s = n.Scalar();
        double scale = 1;
        if (!s.empty() && s.back() == '%') {
            s.pop_back();
            scale = 100;
        }
        double x = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), x);
        if (r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(x)) v = x / scale;
    }
    if (!v) {
        error(n, fmt::format("expected '{}' to be a percentage such as 10% or a fraction such as 0.1, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (*v < 0 || *v >= 1) {
        error(n, fmt::format("'{}' must be at least 0% and below 100%, got {:g}%", key, *v * 100));
        return std::nullopt;
    }
    return v;
}

std::optional<std::size_t> YamlReader::choice(const YAML::Node& n, std::string_view key, const std::vector<std::string>& names) {
    if (n.IsScalar()) {
        for (std::size_t i = 0; i < names.size(); ++i)
            if (names[i] == n.Scalar()) return i;
    }
    std::string list;
    for (const auto& s : names) list += (list.empty() ? "" : " | ") + s;
    error(n, fmt::format("expected '{}' to be one of {}, got {}", key, list, describe(n)),
          n.IsScalar() ? did_you_mean(n.Scalar(), names) : std::string{});
    return std::nullopt;
}

}  // namespace gpusize::detail
