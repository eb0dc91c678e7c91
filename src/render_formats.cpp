// The output formats beyond table and JSON: YAML (the JSON document re-emitted as block YAML, same
// keys, same order, same number text), CSV (JSON fields flattened with dots, one row per
// evaluation, GPU or model) and GitHub markdown tables.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "gpusize/memory.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/render.hpp"

namespace gpusize {
namespace {

struct JsonMember;

/// A JSON value that keeps each scalar's text as written, so re-emitting it changes no digit.
/// Members are a named struct (not std::pair), which may hold the still-incomplete JsonValue.
struct JsonValue {
    enum class Kind { object, array, string, number, boolean, null } kind = Kind::null;
    std::string text;  ///< number and boolean: as written; string: decoded
    std::string raw;   ///< string: the quoted JSON form
    std::vector<JsonMember> members;
    std::vector<JsonValue> items;
    bool scalar() const { return kind != Kind::object && kind != Kind::array; }
    bool empty_container() const;
    const JsonValue* find(std::string_view key) const;
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

bool JsonValue::empty_container() const {
    return (kind == Kind::object && members.empty()) || (kind == Kind::array && items.empty());
}

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const auto& [k, v] : members)
        if (k == key) return &v;
    return nullptr;
}

/// Builds a JsonValue from nlohmann's SAX events, which give each float's text as written (the
/// tree nlohmann builds keeps only the double), so re-emitting a number changes no digit.
class JsonTreeBuilder {
public:
    using json = nlohmann::json;
    JsonValue root;

    bool null() { return put(scalar(JsonValue::Kind::null, "null")); }
    bool boolean(bool b) { return put(scalar(JsonValue::Kind::boolean, b ? "true" : "false")); }
    bool number_integer(json::number_integer_t v) { return put(scalar(JsonValue::Kind::number, std::to_string(v))); }
    bool number_unsigned(json::number_unsigned_t v) { return put(scalar(JsonValue::Kind::number, std::to_string(v))); }
    bool number_float(json::number_float_t, const json::string_t& text) { return put(scalar(JsonValue::Kind::number, text)); }
    bool string(json::string_t& s) {
        JsonValue v = scalar(JsonValue::Kind::string, s);
        v.raw = json(s).dump();  // the quoted JSON form, escapes as JSON writes them
        return put(std::move(v));
    }
    bool binary(json::binary_t&) { return false; }  // not in JSON text
    bool start_object(std::size_t) { return open(JsonValue::Kind::object); }
    bool key(json::string_t& k) {
        keys_.push_back(k);
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(JsonValue::Kind::array); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t at, const std::string&, const nlohmann::detail::exception&) {
        throw std::runtime_error(format_text("malformed JSON at byte {}", at));
    }

private:
    std::vector<JsonValue> open_;   ///< containers being filled, innermost last
    std::vector<std::string> keys_; ///< the key each open object's next member goes under

    static JsonValue scalar(JsonValue::Kind kind, std::string text) {
        JsonValue v;
        v.kind = kind;
        v.text = std::move(text);
        return v;
    }
    bool put(JsonValue v) {
        if (open_.empty()) {
            root = std::move(v);
        } else if (open_.back().kind == JsonValue::Kind::object) {
            open_.back().members.push_back(JsonMember{std::move(keys_.back()), std::move(v)});
            keys_.pop_back();
        } else {
            open_.back().items.push_back(std::move(v));
        }
        return true;
    }
    bool open(JsonValue::Kind kind) {
        JsonValue v;
        v.kind = kind;
        open_.push_back(std::move(v));
        return true;
    }
    bool close() {
        JsonValue v = std::move(open_.back());
        open_.pop_back();
        return put(std::move(v));
    }
};

/// The JSON text the renderers wrote, as a tree that keeps each scalar's text.
JsonValue parse_json_text(std::string_view text) {
    JsonTreeBuilder builder;
    nlohmann::json::sax_parse(text, &builder);
    return std::move(builder.root);
}

// ---- YAML ----

bool plain_safe(const std::string& s) {
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0])) || s.back() == ' ') return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_-./ ()+").find(c) != std::string_view::npos))
            return false;
    std::string lower = s;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* word : {"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
        if (lower == word) return false;
    return true;
}

/// YAML 1.1 readers (PyYAML) take `1e+06` for a string: give every exponent a fraction.
std::string yaml_number(std::string t) {
    const auto e = t.find_first_of("eE");
    if (e != std::string::npos && t.find('.') == std::string::npos) t.insert(e, ".0");
    return t;
}

/// A JSON string literal as a YAML double-quoted scalar. JSON's escapes are YAML's too, but NEL,
/// LS and PS (U+0085, U+2028, U+2029), which JSON keeps raw, are line breaks to YAML 1.1 readers
/// and would be folded: they get YAML's own escapes \N, \L and \P, and DEL gets \x7F.
std::string yaml_quoted(std::string_view literal) {
    std::string out;
    out.reserve(literal.size());
    for (std::size_t i = 0; i < literal.size(); ++i) {
        const std::string_view rest = literal.substr(i);
        if (rest.starts_with("\xC2\x85")) {
            out += "\\N";
            i += 1;
        } else if (rest.starts_with("\xE2\x80\xA8") || rest.starts_with("\xE2\x80\xA9")) {
            out += rest[2] == '\xA8' ? "\\L" : "\\P";
            i += 2;
        } else if (literal[i] == '\x7F') {
            out += "\\x7F";
        } else {
            out += literal[i];
        }
    }
    return out;
}

std::string yaml_scalar(const JsonValue& v) {
    switch (v.kind) {
        case JsonValue::Kind::string: return plain_safe(v.text) ? v.text : yaml_quoted(v.raw);
        case JsonValue::Kind::number: return yaml_number(v.text);
        case JsonValue::Kind::object: return "{}";
        case JsonValue::Kind::array: return "[]";
        default: return v.text;
    }
}

std::string yaml_key(const std::string& k) {
    if (plain_safe(k) && k.find(' ') == std::string::npos) return k;
    std::string raw = "\"";
    for (char c : k) {
        if (c == '"' || c == '\\') raw += std::string("\\") + c;
        else if (static_cast<unsigned char>(c) < 0x20) raw += format_text("\\u{:04x}", static_cast<unsigned>(c));
        else raw += c;
    }
    return yaml_quoted(raw + "\"");
}

void emit_yaml(const JsonValue& v, int indent, std::string& out);

/// A member or list item's value after `key:` or `-`: inline when scalar, nested otherwise.
void emit_yaml_value(const JsonValue& v, int indent, std::string& out) {
    if (v.scalar() || v.empty_container()) {
        out += " " + yaml_scalar(v) + "\n";
        return;
    }
    out += "\n";
    emit_yaml(v, indent + 2, out);
}

void emit_yaml(const JsonValue& v, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (v.kind == JsonValue::Kind::object) {
        for (const auto& [k, m] : v.members) {
            out += pad + yaml_key(k) + ":";
            emit_yaml_value(m, indent, out);
        }
    } else if (v.kind == JsonValue::Kind::array) {
        for (const auto& item : v.items) {
            if (item.kind == JsonValue::Kind::object && !item.members.empty()) {
                // The first member shares the dash's line; the rest line up under it.
                std::string nested;
                emit_yaml(item, indent + 2, nested);
                out += pad + "- " + nested.substr(static_cast<std::size_t>(indent) + 2);
            } else {
                out += pad + "-";
                emit_yaml_value(item, indent, out);
            }
        }
    } else {
        out += pad + yaml_scalar(v) + "\n";
    }
}

// ---- CSV ----

using Row = std::vector<std::pair<std::string, std::string>>;

std::string cell_text(const JsonValue& v) {
    switch (v.kind) {
        case JsonValue::Kind::null: return "";
        case JsonValue::Kind::string:
        case JsonValue::Kind::number:
        case JsonValue::Kind::boolean: return v.text;
        default: return "";
    }
}

void flatten(const JsonValue& v, const std::string& prefix, Row& row) {
    auto join = [&](const std::string& k) { return prefix.empty() ? k : prefix + "." + k; };
    if (v.kind == JsonValue::Kind::object) {
        for (const auto& [k, m] : v.members) flatten(m, join(k), row);
    } else if (v.kind == JsonValue::Kind::array) {
        if (std::all_of(v.items.begin(), v.items.end(), [](const JsonValue& x) { return x.scalar(); })) {
            std::string joined;
            for (std::size_t i = 0; i < v.items.size(); ++i) joined += (i ? "; " : "") + cell_text(v.items[i]);
            row.emplace_back(prefix, joined);
        } else {
            for (std::size_t i = 0; i < v.items.size(); ++i) flatten(v.items[i], join(std::to_string(i)), row);
        }
    } else {
        row.emplace_back(prefix, cell_text(v));
    }
}

std::string csv_escape(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

/// Columns are the union of the rows' fields; a field first seen in a later row goes right after
/// the field that precedes it in that row, so related columns stay together.
std::string write_csv(const std::vector<Row>& rows) {
    std::vector<std::string> columns;
    for (const auto& row : rows) {
        std::size_t at = 0;
        for (const auto& [k, unused] : row) {
            auto it = std::find(columns.begin(), columns.end(), k);
            if (it == columns.end()) it = columns.insert(columns.begin() + static_cast<std::ptrdiff_t>(at), k);
            at = static_cast<std::size_t>(it - columns.begin()) + 1;
        }
    }
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_escape(columns[i]);
    out += "\n";
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (i) out += ",";
            for (const auto& [k, v] : row)
                if (k == columns[i]) {
                    out += csv_escape(v);
                    break;
                }
        }
        out += "\n";
    }
    return out;
}

std::vector<Row> rows_of(const JsonValue* list, const std::string& status) {
    std::vector<Row> out;
    if (!list) return out;
    for (const auto& item : list->items) {
        Row row;
        if (!status.empty()) row.emplace_back("status", status);
        flatten(item, "", row);
        out.push_back(std::move(row));
    }
    return out;
}

// ---- markdown ----

std::string md_cell(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else if (c == '\n') out += ' ';
        else out += c;
    }
    return out;
}

std::string md_table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                     const std::string& align) {
    std::string out = "|";
    for (const auto& h : head) out += " " + md_cell(h) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < head.size(); ++i) out += i < align.size() && align[i] == 'r' ? " ---: |" : " --- |";
    out += "\n";
    for (const auto& r : rows) {
        out += "|";
        for (const auto& c : r) out += " " + md_cell(c) + " |";
        out += "\n";
    }
    return out;
}

std::string opt_text(const std::optional<double>& v, const char* f) { return v ? format_text(fmt::runtime(f), *v) : "-"; }

std::vector<std::string> evaluation_cells(const Report& r, const Evaluation& e) {
    std::vector<std::string> c{e.rank > 0 ? std::to_string(e.rank) : "", e.device.id(), std::to_string(e.gpu_count),
                               layout_label(deployment_id(e)),
                               format_text("{:.1f}/{:.1f}", to_gib(e.memory.total()), to_gib(e.memory.capacity))};
    const std::optional<double> per_hour = e.cost.per_hour ? std::optional<double>(e.cost.per_hour->value()) : std::nullopt;
    if (r.problem.spec.workload == Workload::inference) {
        const auto* p = e.inference ? &e.inference->performance : nullptr;
        c.push_back(p ? format_text("{:.1f}", to_ms(p->ttft)) : "-");
        c.push_back(p ? format_text("{:.1f}", to_ms(p->tpot)) : "-");
        c.push_back(p ? std::to_string(p->concurrency) : "-");
        c.push_back(p ? format_text("{:.0f}", p->output_tokens_per_s) : "-");
        c.push_back(opt_text(per_hour, "{:.2f}"));
        c.push_back(opt_text(e.cost.usd_per_million_output_tokens, "{:.3f}"));
    } else {
        const auto* p = e.training ? &e.training->performance : nullptr;
        c.push_back(p ? format_text("{:.2f}", p->step_time.value()) : "-");
        c.push_back(p ? format_text("{:.0f}", p->tokens_per_s_per_gpu) : "-");
        c.push_back(p ? format_text("{:.0f}%", p->mfu * 100) : "-");
        c.push_back(opt_text(per_hour, "{:.2f}"));
        c.push_back(opt_text(e.cost.total ? std::optional<double>(e.cost.total->value()) : std::nullopt, "{:.0f}"));
        c.push_back(opt_text(p && p->time_to_train ? std::optional<double>(p->time_to_train->value() / 86400.0) : std::nullopt, "{:.1f}"));
    }
    return c;
}

std::vector<std::string> evaluation_head(const Report& r) {
    std::vector<std::string> h{"rank", "gpu", "gpus", "tp/pp/dp", "mem/gpu GiB"};
    const std::vector<std::string> more = r.problem.spec.workload == Workload::inference
                                              ? std::vector<std::string>{"ttft ms", "tpot ms", "conc", "out tok/s", "$/h", "$/1M out"}
                                              : std::vector<std::string>{"step s", "tok/s/gpu", "mfu", "$/h", "$ total", "days"};
    h.insert(h.end(), more.begin(), more.end());
    return h;
}

std::string gpu_link(const Gpu& g) {
    return g.scale_up ? format_text("{} {:.0f} GB/s x{}", g.scale_up->kind, to_gb_per_s(g.scale_up->bandwidth), g.scale_up->domain_size)
                      : format_text("pcie{} x{}", g.pcie_generation, g.pcie_lanes);
}

}  // namespace

std::string no_valid_layout_text(const Report& r) {
    std::string out = "no valid layout: ";
    if (r.invalid_reasons.empty()) return out + "the search has no layout to try within the spec's deployment limits";
    for (std::size_t i = 0; i < r.invalid_reasons.size(); ++i) out += (i ? "; " : "") + r.invalid_reasons[i];
    return out;
}

std::string render_yaml(std::string_view json) {
    const JsonValue v = parse_json_text(json);
    std::string out;
    if (v.scalar() || v.empty_container()) return yaml_scalar(v) + "\n";
    emit_yaml(v, 0, out);
    return out;
}

static std::string render_report_csv_text(const Report& r, const RenderOptions& o) {
    const JsonValue v = parse_json_text(render_report_json(r, o));
    std::vector<Row> rows;
    if (r.command == "plan") {
        rows = rows_of(v.find("candidates"), "candidate");
        auto rejected = rows_of(v.find("rejected"), "rejected");
        rows.insert(rows.end(), rejected.begin(), rejected.end());
    } else if (const JsonValue* e = v.find("evaluation")) {
        Row row{{"status", "evaluation"}};
        flatten(*e, "", row);
        rows.push_back(std::move(row));
    }
    if (rows.empty()) {
        // Nothing to list: the header alone, so tools still see the columns they expect.
        return "status,rank,gpu.id,gpu.name,gpu.partition,gpu_count\n";
    }
    return write_csv(rows);
}

static std::string render_gpus_csv_text(const Catalog& c, const std::vector<const Gpu*>& gpus) {
    const JsonValue v = parse_json_text(render_gpus_json(c, gpus));
    return write_csv(rows_of(v.find("gpus"), ""));
}

static std::string render_models_csv_text(const std::vector<const Preset*>& presets) {
    const JsonValue v = parse_json_text(render_models_json(presets));
    return write_csv(rows_of(v.find("models"), ""));
}

static std::string render_report_markdown_text(const Report& r, const RenderOptions& o) {
    const auto& s = r.problem.spec;
    const auto& m = r.problem.model;
    std::string out = format_text("## gpusize {}: {}\n\n", r.command, md_cell(s.name.empty() ? m.name : s.name));
    out += format_text("- **model**: {} ({:.2f} B parameters, {:.2f} B active, {})\n", m.id, m.parameters.total / 1e9,
                       m.parameters.active / 1e9, to_string(m.source_kind));
    if (s.workload == Workload::inference)
        out += format_text("- **workload**: inference, {} input + {} output tokens, concurrency {}, engine {}{}\n", s.inference.input_tokens,
                           s.inference.output_tokens, s.inference.concurrency ? std::to_string(*s.inference.concurrency) : "auto",
                           to_string(s.inference.engine),
                           !s.inference.arrival        ? std::string()
                           : s.inference.arrival->users ? format_text(", {} users (closed loop)", *s.inference.arrival->users)
                                                        : format_text(", {:g} requests/s arriving (burstiness {:g})",
                                                                      *s.inference.arrival->requests_per_s, s.inference.arrival->burstiness));
    else
        out += format_text("- **workload**: training ({}), sequence {}, micro batch {}\n", to_string(s.training.method),
                           s.training.sequence_length, s.training.micro_batch_text());
    out += format_text("- **precision**: weights {}, activations {}, kv cache {}\n\n", to_string(s.precision.weights),
                       to_string(s.precision.activations), to_string(s.precision.kv_cache));
    const auto head = evaluation_head(r);
    const std::string align = "rlrrr" + std::string(head.size() - 5, 'r');
    if (r.evaluation) {
        const Evaluation& e = *r.evaluation;
        auto cells = evaluation_cells(r, e);
        cells.front().clear();  // one evaluation: no rank
        out += md_table(head, {cells}, align);
        const char* verdict = !e.fits ? "DOES NOT FIT" : !e.meets_targets ? "FITS, MISSES A TARGET" : "OK";
        out += format_text("\n**verdict: {}**\n", verdict);
        for (const auto& reason : e.reasons) out += format_text("- {}\n", md_cell(reason));
    } else {
        const std::size_t top = std::min(r.candidates.size(), o.top.value_or(10));
        if (r.candidates.empty() && r.rejected.empty()) {
            out += "**nothing fits**: " + md_cell(no_valid_layout_text(r)) + "\n";
        } else if (r.candidates.empty()) {
            out += "**nothing fits**: no candidate meets memory and targets\n";
        } else {
            out += format_text("{} candidate(s) of {} valid layouts; showing {}\n\n", r.candidates.size(), r.evaluated, top);
            std::vector<std::vector<std::string>> rows;
            for (std::size_t i = 0; i < top; ++i) rows.push_back(evaluation_cells(r, r.candidates[i]));
            out += md_table(head, rows, align);
        }
        if (!r.rejected.empty()) {
            const std::size_t shown = o.verbose ? r.rejected.size() : std::min<std::size_t>(r.rejected.size(), 10);
            out += format_text("\n### rejected: {} option(s){}\n\n", r.rejected.size(),
                               shown < r.rejected.size() ? format_text(", first {} (--verbose lists all)", shown) : "");
            std::vector<std::vector<std::string>> rows;
            for (std::size_t i = 0; i < shown; ++i) {
                const auto& e = r.rejected[i];
                rows.push_back({e.device.id(), std::to_string(e.gpu_count),
                                layout_label(deployment_id(e)), e.reasons.empty() ? "" : e.reasons.front()});
            }
            out += md_table({"gpu", "gpus", "tp/pp/dp", "reason"}, rows, "lrrl");
        }
    }
    if (!r.unmodelled.empty()) {
        out += "\n### not modelled\n\n";
        for (const auto& u : r.unmodelled) out += format_text("- {}\n", md_cell(u));
    }
    out += "\n### assumptions\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : r.assumptions) rows.push_back({a.name, a.value, a.source});
    out += md_table({"name", "value", "source"}, rows, "lll");
    return out;
}

static std::string render_gpus_markdown_text(const std::vector<const Gpu*>& gpus) {
    std::vector<std::vector<std::string>> rows;
    for (const Gpu* g : gpus) {
        auto tf = [&](DType t) {
            auto p = g->peak(t);
            return p ? format_text("{:.0f}", to_tflops(*p)) : std::string("-");
        };
        const auto price = g->cheapest_price();
        rows.push_back({g->id, g->vendor, format_text("{:.1f}", to_gib(g->memory)), format_text("{:.2f}", g->memory_bandwidth.value() / 1e12),
                        tf(DType::bf16), tf(DType::fp8), gpu_link(*g), format_text("{:.0f}", g->tdp_watts),
                        price ? format_text("{:.2f}", price->per_gpu_hour.value()) : "-"});
    }
    return md_table({"id", "vendor", "mem GiB", "mem TB/s", "bf16 TF/s", "fp8 TF/s", "scale-up", "TDP W", "$/h"}, rows, "llrrrrlrr");
}

static std::string render_models_markdown_text(const std::vector<const Preset*>& presets) {
    std::vector<std::vector<std::string>> rows;
    for (const Preset* p : presets) {
        const auto& a = p->architecture;
        const auto c = count_parameters(a);
        std::string kind(attention_family(a));
        if (a.sliding_window) kind += "+swa";
        rows.push_back({p->id, format_text("{:.2f}", c.total / 1e9), format_text("{:.2f}", c.active / 1e9), std::to_string(a.layers), kind,
                        format_text("{:.1f}", kv_cache_bytes(a, 1, 2).value() / 1024.0)});
    }
    return md_table({"id", "total B", "active B", "layers", "attention", "KV KiB/tok"}, rows, "lrrrlr");
}

namespace detail {

std::string markdown_table(const std::vector<std::string>& head, const std::vector<std::vector<std::string>>& rows,
                           const std::string& align) {
    return md_table(head, rows, align);
}

std::string csv_table(const std::vector<std::vector<std::pair<std::string, std::string>>>& rows) { return write_csv(rows); }

}  // namespace detail

// Numbers that round to zero print unsigned (format_text, number_text.hpp).
std::string render_report_csv(const Report& r, const RenderOptions& o) { return render_report_csv_text(r, o); }
std::string render_gpus_csv(const Catalog& c, const std::vector<const Gpu*>& gpus) { return render_gpus_csv_text(c, gpus); }
std::string render_models_csv(const std::vector<const Preset*>& presets) { return render_models_csv_text(presets); }
std::string render_report_markdown(const Report& r, const RenderOptions& o) { return render_report_markdown_text(r, o); }
std::string render_gpus_markdown(const std::vector<const Gpu*>& gpus) { return render_gpus_markdown_text(gpus); }
std::string render_models_markdown(const std::vector<const Preset*>& presets) { return render_models_markdown_text(presets); }

}  // namespace gpusize
