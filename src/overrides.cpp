#include "gpusize/overrides.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <utility>

#include "yaml_reader.hpp"

namespace gpusize {
namespace {

// Each override's nodes are parsed past the spec's last line and the blocks of the overrides before
// it (so their marks locate them): the work grows with the square of the number of overrides,
// which is bounded. A key path or a value nests no deeper than the spec reader allows a file to.
constexpr std::size_t max_overrides = 256;
constexpr int max_nesting = 64;

int count_newlines(std::string_view s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

/// The 0-based line where each override's block starts: past the spec's last line, each block one
/// line for the key segments and then the value's lines.
std::vector<int> block_starts(std::string_view spec_text, const std::vector<Override>& overrides) {
    std::vector<int> starts;
    int line = count_newlines(spec_text) + 1;
    for (const auto& o : overrides) {
        starts.push_back(line);
        line += 1 + count_newlines(o.value) + 1;
    }
    return starts;
}

/// The location and source line of 0-based line `k` of an override's block (0: the key line, 1: the
/// value's first line), `column` as the block has it.
Diagnostic located(const std::vector<Override>& overrides, std::size_t index, int k, int column, std::string message,
                   std::string hint = {}) {
    const Override& o = overrides[index];
    if (k == 1) column += o.value_column - 1;
    return Diagnostic{{override_origin, static_cast<int>(index) + 1, std::max(1, column), {}}, std::move(message), std::move(hint),
                      line_of(o.text, std::max(1, k))};
}

std::string joined(const std::vector<std::string>& path, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? "." : "") + path[i];
    return out;
}

std::string kind_of(const YAML::Node& n) {
    if (n.IsSequence()) return "a list";
    if (n.IsScalar()) return fmt::format("'{}'", n.Scalar());
    return "not a mapping";
}

/// Null nodes marked at 0-based `line` (at least 1) and each of the 1-based `columns` (increasing,
/// at least 2 apart, as the segments of a key path are): one flow sequence opened on the line
/// before, so one parse marks them all. A null node keeps its mark when it becomes a scalar or a
/// mapping.
std::vector<YAML::Node> marked_nulls(int line, const std::vector<int>& columns) {
    std::string text(static_cast<std::size_t>(line - 1), '\n');
    text += "[\n";
    int at = 0;
    for (std::size_t j = 0; j < columns.size(); ++j) {
        text.append(static_cast<std::size_t>(columns[j] - 1 - at), ' ');
        text += j + 1 < columns.size() ? "~," : "~]";
        at = columns[j] + 1;
    }
    const YAML::Node seq = YAML::Load(text);
    return {seq.begin(), seq.end()};
}

/// The value slot of `key` in mapping `map`, or an invalid iterator.
YAML::iterator find_key(YAML::Node& map, const std::string& key) {
    for (auto it = map.begin(); it != map.end(); ++it)
        if (it->first.IsScalar() && it->first.Scalar() == key) return it;
    return map.end();
}

void remove_key(YAML::Node map, const std::string& key) {
    if (map.IsMap() && find_key(map, key) != map.end()) map.remove(key);
}

YAML::Node child(YAML::Node& map, const std::string& key) {
    auto it = find_key(map, key);
    return it == map.end() ? YAML::Node() : it->second;
}

/// A short-form key and its explicit twins state one setting: an override of one replaces the other.
void remove_twins(YAML::Node& root, const std::vector<std::string>& path) {
    const std::string key = joined(path, path.size());
    if (key != "batch" && key != "context" && key != "inference.concurrency" && key != "training.micro_batch" &&
        key != "inference.input_tokens" && key != "training.sequence_length")
        return;
    YAML::Node inference = child(root, "inference"), training = child(root, "training");
    if (key == "batch") {
        remove_key(inference, "concurrency");
        remove_key(training, "micro_batch");
    } else if (key == "context") {
        remove_key(inference, "input_tokens");
        remove_key(training, "sequence_length");
    } else if (key == "inference.concurrency" || key == "training.micro_batch") {
        remove_key(root, "batch");
    } else if (key == "inference.input_tokens" || key == "training.sequence_length") {
        remove_key(root, "context");
    }
}

}  // namespace

std::vector<Override> parse_overrides(const std::vector<std::string>& args) {
    if (args.size() > max_overrides)
        throw UsageError({Diagnostic{{override_origin, static_cast<int>(max_overrides) + 1, 1, {}},
                                     fmt::format("expected at most {} overrides, got {}", max_overrides, args.size()), {}, {}}});
    std::vector<Override> out;
    std::vector<Diagnostic> problems;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        Override o;
        o.text = a;
        auto fail = [&](int column, std::string message) {
            problems.push_back(Diagnostic{{override_origin, static_cast<int>(i) + 1, column, {}}, std::move(message),
                                          "write --set KEY=VALUE with a dotted spec key, such as --set inference.concurrency=64",
                                          line_of(a, 1)});
        };
        const auto eq = a.find('=');
        if (eq == std::string::npos) {
            fail(1, fmt::format("expected KEY=VALUE, got '{}'", a));
            continue;
        }
        bool ok = true;
        std::size_t start = 0;
        while (true) {
            const auto dot = a.find('.', start);
            const std::size_t end = dot == std::string::npos || dot > eq ? eq : dot;
            std::string seg = a.substr(start, end - start);
            while (!seg.empty() && std::isspace(static_cast<unsigned char>(seg.back()))) seg.pop_back();
            std::size_t lead = 0;
            while (lead < seg.size() && std::isspace(static_cast<unsigned char>(seg[lead]))) ++lead;
            seg.erase(0, lead);
            if (seg.empty()) {
                fail(static_cast<int>(start) + 1, fmt::format("expected a key name at column {} of '{}'", start + 1, a));
                ok = false;
                break;
            }
            o.path.push_back(seg);
            o.path_columns.push_back(static_cast<int>(start + lead) + 1);
            if (end == eq) break;
            start = end + 1;
        }
        if (!ok) continue;
        o.value = a.substr(eq + 1);
        o.value_column = static_cast<int>(eq) + 2;
        if (o.value.find_first_not_of(" \t\r\n") == std::string::npos) {
            fail(o.value_column, fmt::format("expected a value after '=' in '{}'", a));
            continue;
        }
        out.push_back(std::move(o));
    }
    if (!problems.empty()) throw UsageError(std::move(problems));
    return out;
}

void relocate_override_diagnostics(std::vector<Diagnostic>& diagnostics, std::string_view spec_text, std::string_view origin,
                                   const std::vector<Override>& overrides, std::vector<Diagnostic> more) {
    if (overrides.empty()) return;
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    const std::vector<int> starts = block_starts(spec_text, overrides);
    for (auto& d : diagnostics) {
        if (d.where.origin != origin || d.where.line < 1 || !d.where.pointer.empty()) continue;
        const int line = d.where.line - 1;  // 0-based, as the blocks are laid out
        const auto after = std::upper_bound(starts.begin(), starts.end(), line);
        if (after == starts.begin()) continue;  // a line of the spec file
        const auto i = static_cast<std::size_t>(after - starts.begin() - 1);
        Diagnostic moved = located(overrides, i, line - starts[i], d.where.column, d.message, d.hint);
        d = std::move(moved);
    }
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
        const bool sa = a.where.origin == override_origin, sb = b.where.origin == override_origin;
        if (sa != sb) return sb;
        if (!sa) return false;
        return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
}

namespace detail {

std::vector<Diagnostic> apply_overrides(YAML::Node& root, const std::vector<Override>& overrides, std::string_view spec_text) {
    std::vector<Diagnostic> problems;
    if (overrides.empty()) return problems;
    if (!root.IsDefined() || root.IsNull()) root.reset(YAML::Node(YAML::NodeType::Map));
    if (!root.IsMap()) return problems;  // the spec parser reports that the spec is not a mapping
    auto report = [&](Diagnostic d) { problems.push_back(std::move(d)); };
    const std::vector<int> starts = block_starts(spec_text, overrides);
    for (std::size_t i = 0; i < overrides.size(); ++i) {
        const Override& o = overrides[i];
        const int start = starts[i];
        // Override text reaches the output (a spec's name) without passing the spec reader's checks.
        // A bad byte is located, but its line is not shown: it is not text a terminal can print.
        auto refuse_byte = [&](std::size_t offset, std::string message, std::string hint) {
            const std::string_view before = std::string_view(o.text).substr(0, offset);
            const auto line_start = before.rfind('\n');
            const int column = static_cast<int>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
            report(Diagnostic{{override_origin, static_cast<int>(i) + 1, column, {}}, std::move(message), std::move(hint), {}});
        };
        if (const std::size_t bad = detail::invalid_utf8(o.text); bad != std::string::npos) {
            refuse_byte(bad, fmt::format("invalid UTF-8: byte 0x{:02x} starts no character", static_cast<unsigned char>(o.text[bad])),
                        "write the override in UTF-8");
            continue;
        }
        if (const std::size_t bad = detail::control_character(o.text); bad != std::string::npos) {
            const auto byte = static_cast<unsigned char>(o.text[bad]);
            refuse_byte(bad, fmt::format("invalid character: control character 0x{:02x} is not allowed in YAML", byte),
                        fmt::format("remove it, or write it as the escape \\x{:02x} in a double-quoted value", byte));
            continue;
        }
        if (o.path.size() > static_cast<std::size_t>(max_nesting)) {
            report(located(overrides, i, 0, o.path_columns[max_nesting],
                           fmt::format("the key nests deeper than {} levels", max_nesting)));
            continue;
        }
        if (const auto at = detail::too_deep_flow(o.value, max_nesting)) {
            report(located(overrides, i, at->line, at->column, fmt::format("the value nests deeper than {} levels", max_nesting)));
            continue;
        }
        if (detail::too_deep_block_line(o.value, max_nesting)) {
            report(located(overrides, i, 1, 1, fmt::format("the value nests deeper than {} levels", max_nesting)));
            continue;
        }
        YAML::Node value;
        try {
            const std::string text = std::string(static_cast<std::size_t>(start + 1), '\n') + o.value;
            const detail::DocumentScan scan = detail::scan_documents(text);
            if (scan.stray_comma) {
                report(located(overrides, i, std::max(1, scan.stray_comma->line - start), scan.stray_comma->column + 1,
                               "invalid YAML in the value: unexpected ',' outside a flow collection"));
                continue;
            }
            if (scan.starts.size() > 1) {
                const YAML::Mark& m = scan.first_nodes.size() > 1 ? scan.first_nodes[1] : scan.starts[1];
                report(located(overrides, i, std::max(1, m.line - start), m.column + 1,
                               fmt::format("expected one YAML document in the value, got {}", scan.starts.size()),
                               "quote a value that holds '---' or '...'"));
                continue;
            }
            if (scan.bad_string) {
                const YAML::Mark& m = scan.bad_string->mark;
                report(located(overrides, i, std::max(1, m.line - start), m.column + 1, detail::bad_string_message(*scan.bad_string),
                               detail::bad_string_hint));
                continue;
            }
            if (!scan.tags.empty()) {
                for (const auto& [m, tag] : scan.tags)
                    report(located(overrides, i, std::max(1, m.line - start), m.column + 1, detail::tag_message(tag), detail::tag_hint(tag)));
                continue;
            }
            value = YAML::Load(text);
        } catch (const YAML::Exception& e) {
            std::string msg = e.msg;
            if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
            const int k = std::max(1, e.mark.line - start);
            report(located(overrides, i, k, e.mark.column + 1, fmt::format("invalid YAML in the value: {}", msg)));
            continue;
        }
        // Key and mapping nodes marked at the columns of the path's segments, parsed only when used.
        std::vector<YAML::Node> keys, maps;
        auto key_node = [&](std::size_t j) {
            if (keys.empty()) keys = marked_nulls(start, o.path_columns);
            keys[j] = o.path[j];
            return keys[j];
        };
        auto map_node = [&](std::size_t j) {
            if (maps.empty()) maps = marked_nulls(start, o.path_columns);
            return maps[j];  // null until it gets its first key
        };
        YAML::Node cur;
        cur.reset(root);
        bool ok = true;
        for (std::size_t j = 0; j + 1 < o.path.size(); ++j) {
            auto it = find_key(cur, o.path[j]);
            if (it == cur.end()) {
                YAML::Node map = map_node(j);
                cur.force_insert(key_node(j), map);
                cur.reset(map);
                continue;
            }
            YAML::Node next = it->second;
            if (next.IsNull()) {
                YAML::Node map = map_node(j);
                it->second = map;
                cur.reset(map);
                continue;
            }
            if (!next.IsMap()) {
                const std::string section = joined(o.path, j + 1);
                report(located(overrides, i, 0, o.path_columns[j + 1],
                               fmt::format("cannot set '{}': '{}' is {} in the spec, not a mapping", joined(o.path, o.path.size()),
                                           section, kind_of(next)),
                               fmt::format("set '{}' as a whole, such as --set '{}={{...}}'", section, section)));
                ok = false;
                break;
            }
            cur.reset(next);
        }
        if (!ok) continue;
        remove_twins(root, o.path);
        auto it = find_key(cur, o.path.back());
        if (it == cur.end()) cur.force_insert(key_node(o.path.size() - 1), value);
        else it->second = value;
    }
    return problems;
}

}  // namespace detail

}  // namespace gpusize
