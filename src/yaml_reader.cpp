#include "yaml_reader.hpp"

#include "gpusize/vocabulary.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>
#include <vector>

#include "gpusize/spec.hpp"

namespace gpusize::detail {

namespace {
/// Refuses documents that would exhaust memory or the parser's stack.
constexpr std::size_t max_document_bytes = limits::max_input_bytes;
constexpr int max_nesting = limits::max_nesting;

/// Records where each document and its first node start, and the first scalar that decodes to
/// text that is not UTF-8; builds nothing.
struct DocumentStarts : YAML::EventHandler {
    std::vector<YAML::Mark> marks, first_nodes;
    std::optional<BadString> bad_string;
    std::vector<std::pair<YAML::Mark, std::string>> tags;
    void node(const YAML::Mark& mark) {
        if (first_nodes.size() < marks.size()) first_nodes.push_back(mark);
    }
    /// yaml-cpp gives an untagged node the tag "?" (plain scalars, collections) or "!" (quoted
    /// scalars, and the non-specific `!` that means the same: a string).
    void tagged(const YAML::Mark& mark, const std::string& tag) {
        if (!tag.empty() && tag != "?" && tag != "!") tags.emplace_back(mark, tag);
    }
    void OnDocumentStart(const YAML::Mark& mark) override {
        if (first_nodes.size() < marks.size()) first_nodes.push_back(mark);
        marks.push_back(mark);
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t, const std::string& value) override {
        node(mark);
        tagged(mark, tag);
        if (bad_string) return;
        if (const std::size_t bad = invalid_utf8(value); bad != std::string::npos)
            bad_string = BadString{mark, static_cast<unsigned char>(value[bad])};
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
        tagged(mark, tag);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t, YAML::EmitterStyle::value) override {
        node(mark);
        tagged(mark, tag);
    }
    void OnMapEnd() override {}
};
}  // namespace

namespace {
bool key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '/' || c == '+';
}
}  // namespace

std::optional<TextPosition> too_deep_flow(std::string_view text, int limit) {
    int depth = 0, line_number = 0;
    // While `exact`, every line so far had one of the simple shapes below, read as yaml-cpp reads
    // it; from the first other line on, every bracket counts, as an upper bound.
    bool exact = true;
    bool after_plain = false;  // the last line held a plain value: lines deeper than plain_indent may continue it
    std::size_t plain_indent = 0;
    std::optional<TextPosition> crossed;
    auto count = [&](std::string_view s, std::size_t offset) {
        for (std::size_t i = 0; i < s.size() && !crossed; ++i) {
            if (s[i] == '[' || s[i] == '{') {
                if (++depth > limit) crossed = TextPosition{line_number, static_cast<int>(offset + i) + 1};
            } else if ((s[i] == ']' || s[i] == '}') && depth > 0) {
                --depth;
            }
        }
    };
    for (std::size_t pos = 0; pos <= text.size() && !crossed;) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (!exact) {
            count(line, 0);
            continue;
        }
        std::string_view body = line;
        if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
        const std::size_t indent = body.find_first_not_of(' ');
        if (indent == std::string_view::npos || body[indent] == '#') continue;  // blank, or a comment
        auto fall_back = [&] {
            exact = false;
            count(line, 0);
        };
        const bool marker = indent == 0 && (body.rfind("---", 0) == 0 || body.rfind("...", 0) == 0 || body[0] == '%');
        if (marker || body[indent] == '\t' || (after_plain && indent > plain_indent)) {
            fall_back();
            continue;
        }
        after_plain = false;
        // The shape: indentation, "- " entries, an optional plain `key:`, then the value.
        std::size_t i = indent;
        auto skip_blanks = [&] {
            while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) ++i;
        };
        while (i < body.size() && body[i] == '-' && (i + 1 == body.size() || body[i + 1] == ' ')) {
            ++i;
            skip_blanks();
        }
        std::size_t j = i;
        while (j < body.size() && key_char(body[j])) ++j;
        if (j > i && j < body.size() && body[j] == ':' && (j + 1 == body.size() || body[j + 1] == ' ' || body[j + 1] == '\t')) {
            i = j + 1;
            skip_blanks();
        }
        const bool entry_or_key = i > indent;
        const std::string_view value = body.substr(i);
        if (value.empty() || value[0] == '#') continue;  // a nested block follows
        const char c = value[0];
        if (c == '\'' || c == '"') {
            // A quoted scalar closed on this line, then nothing but a comment: its brackets are text.
            std::size_t k = 1;
            for (; k < value.size(); ++k) {
                if (c == '"' && value[k] == '\\') ++k;
                else if (value[k] == c && c == '\'' && k + 1 < value.size() && value[k + 1] == '\'') ++k;
                else if (value[k] == c) break;
            }
            const std::size_t rest = k + 1 < value.size() ? value.find_first_not_of(" \t", k + 1) : std::string_view::npos;
            if (k >= value.size() || (rest != std::string_view::npos && (value[rest] != '#' || rest == k + 1))) fall_back();
            continue;
        }
        if (c == '[' || c == '{') {
            // A flow collection closed on this line, without quotes or comments that would hide a bracket.
            if (value.find_first_of("'\"#") != std::string_view::npos) {
                fall_back();
                continue;
            }
            count(value, i);
            if (depth != 0) exact = false;
            continue;
        }
        if (std::string_view("|>!&*%@`?:,]}").find(c) != std::string_view::npos) {
            fall_back();
            continue;
        }
        // A plain scalar: outside flow collections its brackets are text, up to a comment; a ": "
        // inside it would start a mapping.
        std::size_t stop = value.find(" #");
        if (stop == std::string_view::npos) stop = value.find("\t#");
        const std::string_view plain = value.substr(0, stop);
        // A bare scalar at the root may go on at any indentation.
        if (!entry_or_key || plain.find(": ") != std::string_view::npos || plain.find(":\t") != std::string_view::npos ||
            (!plain.empty() && plain.back() == ':')) {
            fall_back();
            continue;
        }
        after_plain = true;
        plain_indent = indent;
    }
    return crossed;
}

int too_deep_block_line(std::string_view text, int limit) {
    std::vector<std::size_t> indents;
    int line_number = 0;
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        const std::size_t indent = line.find_first_not_of(' ');
        if (indent == std::string_view::npos || line[indent] == '#' || line[indent] == '\r') continue;
        while (!indents.empty() && indents.back() >= indent) indents.pop_back();
        indents.push_back(indent);
        int indicators = 0;
        for (std::size_t i = indent; i < line.size(); ++i)
            if ((line[i] == '-' || line[i] == '?' || line[i] == ':') && (i + 1 == line.size() || line[i + 1] == ' ' || line[i + 1] == '\r'))
                ++indicators;
        if (static_cast<int>(indents.size()) + indicators > limit) return line_number;
    }
    return 0;
}

std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned lo = 0x80, hi = 0xbf;  // the valid range of the second byte
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xc2 && c <= 0xdf) n = 1;
        else if (c == 0xe0) { n = 2; lo = 0xa0; }
        else if (c == 0xed) { n = 2; hi = 0x9f; }
        else if (c >= 0xe1 && c <= 0xef) n = 2;
        else if (c == 0xf0) { n = 3; lo = 0x90; }
        else if (c == 0xf4) { n = 3; hi = 0x8f; }
        else if (c >= 0xf1 && c <= 0xf3) n = 3;
        else return i;
        if (s.size() - i <= n) return i;  // cut short by the end of the text
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

std::size_t control_character(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return i;
    }
    return std::string_view::npos;
}

namespace {
/// A tag as written: yaml-cpp expands `!!x` to `tag:yaml.org,2002:x` and `!<uri>` to the uri.
std::string written_tag(const std::string& tag) {
    constexpr std::string_view core = "tag:yaml.org,2002:";
    if (tag.rfind(core, 0) == 0) return "!!" + tag.substr(core.size());
    if (!tag.empty() && tag[0] == '!') return tag;
    return fmt::format("!<{}>", tag);
}
}  // namespace

std::string tag_message(const std::string& tag) { return fmt::format("unsupported YAML tag '{}'", written_tag(tag)); }

std::string tag_hint(const std::string& tag) {
    if (tag == "tag:yaml.org,2002:str") return "remove the tag: quote a value to keep it text";
    return "remove the tag: gpusize reads untagged YAML values";
}

std::string bad_string_message(const BadString& b) {
    return fmt::format("invalid UTF-8 in a string: byte 0x{:02x} starts no character", b.byte);
}

DocumentScan scan_documents(std::string_view text) {
    // Stop where a document starts at the same place as the one before: yaml-cpp did not move.
    DocumentStarts starts;
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    DocumentScan scan;
    while (parser.HandleNextDocument(starts)) {
        const auto n = starts.marks.size();
        if (n >= 2 && starts.marks[n - 1].pos == starts.marks[n - 2].pos) {
            scan.stray_comma = starts.marks.back();
            starts.marks.pop_back();
            break;
        }
    }
    scan.starts = std::move(starts.marks);
    scan.first_nodes = std::move(starts.first_nodes);
    scan.bad_string = starts.bad_string;
    scan.tags = std::move(starts.tags);
    return scan;
}

YamlReader::YamlReader(std::string_view text, std::string_view origin) : text_(text), origin_(origin), lines_(text_) {}

YAML::Node YamlReader::load() {
    if (text_.size() > max_document_bytes) {
        // Without the first line, which may be the whole file.
        sink_.error({origin_, 1, 1, {}}, fmt::format("file is {} bytes, more than the {} bytes accepted", text_.size(), max_document_bytes));
        return {};
    }
    if (const auto at = too_deep_flow(text_, max_nesting)) {
        error_at({origin_, at->line, at->column, {}}, fmt::format("flow collections nest deeper than {} levels", max_nesting));
        return {};
    }
    if (const int line = too_deep_block_line(text_, max_nesting)) {
        sink_.error({origin_, line, 1, {}}, fmt::format("block collections nest deeper than {} levels", max_nesting));
        return {};
    }
    // A byte at `offset`, located; the line itself is not shown: it is not text a terminal can print.
    auto refuse_byte = [&](std::size_t offset, std::string message, std::string hint) {
        const std::string_view before = std::string_view(text_).substr(0, offset);
        const int line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
        const auto line_start = before.rfind('\n');
        const int column = static_cast<int>(offset - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
        sink_.error({origin_, line, column, {}}, std::move(message), std::move(hint));
    };
    if (const std::size_t bad = invalid_utf8(text_); bad != std::string_view::npos) {
        refuse_byte(bad, fmt::format("invalid UTF-8: byte 0x{:02x} starts no character", static_cast<unsigned char>(text_[bad])),
                    "save the file as UTF-8");
        return {};
    }
    if (const std::size_t bad = control_character(text_); bad != std::string_view::npos) {
        const auto byte = static_cast<unsigned char>(text_[bad]);
        refuse_byte(bad, fmt::format("invalid character: control character 0x{:02x} is not allowed in YAML", byte),
                    fmt::format("remove it, or write it as the escape \\x{:02x} in a double-quoted string", byte));
        return {};
    }
    try {
        const DocumentScan scan = scan_documents(text_);
        if (scan.stray_comma) {
            const auto& m = *scan.stray_comma;
            error_at({origin_, m.line + 1, m.column + 1, {}}, "invalid YAML: unexpected ',' outside a flow collection");
            return {};
        }
        if (scan.starts.empty()) return {};
        if (scan.starts.size() > 1) {
            const auto& m = scan.first_nodes.size() > 1 ? scan.first_nodes[1] : scan.starts[1];
            error_at({origin_, m.line + 1, m.column + 1, {}}, fmt::format("expected one YAML document, got {}", scan.starts.size()),
                     "remove the '---' separators or split the file");
            return {};
        }
        if (scan.bad_string) {
            const auto& m = scan.bad_string->mark;
            error_at({origin_, m.line + 1, m.column + 1, {}}, bad_string_message(*scan.bad_string), bad_string_hint);
            return {};
        }
        if (!scan.tags.empty()) {
            for (const auto& [m, tag] : scan.tags) error_at({origin_, m.line + 1, m.column + 1, {}}, tag_message(tag), tag_hint(tag));
            return {};
        }
        return YAML::Load(text_);
    } catch (const YAML::Exception& e) {
        SourceLocation loc{origin_, e.mark.line + 1, e.mark.column + 1, {}};
        // yaml-cpp marks a missing closing bracket past the last line: point at the end of the text.
        if (loc.line > 1 && lines_.line(text_, loc.line).empty()) {
            int last = loc.line;
            while (last > 1 && lines_.line(text_, last).empty()) --last;
            loc.line = last;
            loc.column = static_cast<int>(lines_.line(text_, last).size()) + 1;
        }
        std::string msg = e.msg;
        if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
        const std::string line = lines_.line(text_, loc.line);
        const bool tab_indent = line.find_first_not_of(" \t") != std::string::npos &&
                                line.substr(0, line.find_first_not_of(" \t")).find('\t') != std::string::npos;
        error_at(std::move(loc), fmt::format("invalid YAML: {}", msg),
                 tab_indent ? "indent with spaces: YAML does not allow tabs for indentation" : std::string{});
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
    std::string line = loc.line > 0 && sink_.wants_more() ? lines_.line(text_, loc.line) : std::string{};
    sink_.error(std::move(loc), std::move(message), std::move(hint), std::move(line));
}

std::string describe(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Sequence: return n.size() == 0 ? "an empty list" : "a list";
        case YAML::NodeType::Map: return n.size() == 0 ? "an empty mapping" : "a mapping";
        case YAML::NodeType::Scalar: return fmt::format("'{}'", n.Scalar());
        default: return "an undefined value";
    }
}

bool YamlReader::expect_map(const YAML::Node& n, std::string_view what) {
    if (n.IsMap()) return true;
    error(n, fmt::format("expected {} to be a mapping, got {}", what, describe(n)));
    return false;
}

namespace {
/// "the spec" and "a preset" read as prose; section paths such as `model` or `inference.targets`
/// are names from the file and are quoted.
std::string section_name(std::string_view section) {
    if (section.rfind("the ", 0) == 0 || section.rfind("a ", 0) == 0) return std::string(section);
    return fmt::format("'{}'", section);
}

std::string key_list(const std::vector<std::string>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
    return out;
}
}  // namespace

void YamlReader::walk(const YAML::Node& map, std::string_view section_text, const KeyHandlers& handlers) {
    const std::string section = section_name(section_text);
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
            if (!sink_.wants_more()) {  // counted, not shown: spare the suggestion
                sink_.error(where(key), {});
                continue;
            }
            std::string hint = did_you_mean(name, known);
            if (hint.empty()) hint = fmt::format("expected one of {}", key_list(known));
            error(key, fmt::format("unknown key '{}' in {}", name, section), std::move(hint));
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

std::optional<double> YamlReader::number(const YAML::Node& n, std::string_view key, double min, double max, std::string_view unit) {
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
        error(n, fmt::format("'{}' must be between {:g} and {:g}{}{}, got {:g}", key, min, max, unit.empty() ? "" : " ", unit, v));
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> YamlReader::tokens(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max) {
    const bool suffix = n.IsScalar() && !n.Scalar().empty() && std::string_view("kKmM").find(n.Scalar().back()) != std::string_view::npos;
    if (!suffix && n.IsScalar()) {
        // A whole number (in range or not) is integer's to judge; anything else is told about suffixes.
        std::int64_t x = 0;
        const auto& s = n.Scalar();
        const auto r = std::from_chars(s.data(), s.data() + s.size(), x);
        if (r.ptr == s.data() + s.size() && (r.ec == std::errc{} || r.ec == std::errc::result_out_of_range)) return integer(n, key, min, max);
    }
    const std::optional<double> v = suffix ? parse_count(n.Scalar()) : std::nullopt;
    if (!v || std::floor(*v) != *v) {
        error(n, fmt::format("expected '{}' to be a whole number of tokens such as 4096, 8k or 1.5M, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (*v < static_cast<double>(min) || *v > static_cast<double>(max)) {
        error(n, fmt::format("'{}' must be between {} and {}, got {} ({:.0f})", key, min, max, n.Scalar(), *v));
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*v);
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& n, std::string_view key, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    bool ok = false;
    if (n.IsScalar()) {
        const auto& s = n.Scalar();
        const auto* end = s.data() + s.size();
        auto r = std::from_chars(s.data(), end, v);
        if (r.ec == std::errc::result_out_of_range && r.ptr == end) {
            error(n, fmt::format("'{}' must be between {} and {}, got {}", key, min, max, s));
            return std::nullopt;
        }
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
    bool percent = false;
    if (n.IsScalar()) {
        std::string s = n.Scalar();
        double scale = 1;
        if (!s.empty() && s.back() == '%') {
            s.pop_back();
            scale = 100;
            percent = true;
        }
        double x = 0;
        auto r = std::from_chars(s.data(), s.data() + s.size(), x);
        if (r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(x)) v = x / scale;
    }
    if (!v) {
        error(n, fmt::format("expected '{}' to be a percentage such as 10% or a fraction such as 0.1, got {}", key, describe(n)));
        return std::nullopt;
    }
    if (!percent && *v >= 1 && *v < 100) {
        // A bare 10 almost certainly means 10%, not 1000%.
        error(n, fmt::format("'{}' must be a fraction below 1 or a percentage below 100%, got {}", key, n.Scalar()),
              fmt::format("did you mean '{}%'?", n.Scalar()));
        return std::nullopt;
    }
    if (*v < 0 || *v >= 1) {
        error(n, fmt::format("'{}' must be at least 0% and below 100%, got {:g}%", key, *v * 100));
        return std::nullopt;
    }
    return v;
}

std::optional<double> YamlReader::share(const YAML::Node& n, std::string_view key) {
    if (n.IsScalar() && (n.Scalar() == "100%" || n.Scalar() == "1" || n.Scalar() == "1.0")) return 1.0;
    auto v = fraction(n, key);
    if (v && *v == 0) {
        error(n, fmt::format("'{}' must be above 0%, got 0%", key));
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
