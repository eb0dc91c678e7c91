#include "gpusize/requirements.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "gpusize/diagnostics.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/vocabulary.hpp"

namespace gpusize {
namespace {

using Field = RequirementField;
using Scope = FieldScope;

const std::vector<Field>& fields = requirement_field_table();

const Field* find_field(std::string_view name) {
    for (const auto& [alias, field] : requirement_aliases())
        if (name == alias) name = field;
    for (const auto& f : fields)
        if (name == f.name) return &f;
    return nullptr;
}

UsageError located(const std::string& given, int index, std::size_t offset, std::string message, std::string hint = {}) {
    return UsageError({Diagnostic{{"--require", index, static_cast<int>(offset) + 1, {}}, std::move(message), std::move(hint), given}});
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string fraction_fields() {
    std::string out;
    for (const auto& f : fields)
        if (f.fraction) out += fmt::format("{}{}", out.empty() ? "" : ", ", f.name);
    return out;
}

/// Four significant digits, without an exponent for large values.
std::string number_text(double v) {
    if (std::fabs(v) >= 1000) return format_text("{:.0f}", v);
    return format_text("{:.4g}", v);
}

}  // namespace

std::string_view to_string(Comparison c) {
    switch (c) {
        case Comparison::less: return "<";
        case Comparison::less_equal: return "<=";
        case Comparison::greater: return ">";
        case Comparison::greater_equal: return ">=";
        case Comparison::equal: return "==";
    }
    return "?";
}

std::vector<std::string> requirement_fields() {
    std::vector<std::string> out;
    for (const auto& f : fields) out.emplace_back(f.name);
    return out;
}

Requirement parse_requirement(std::string_view text, int index) {
    const std::string given(text);
    std::size_t i = 0;
    auto skip_spaces = [&] {
        while (i < text.size() && is_space(text[i])) ++i;
    };
    skip_spaces();
    const std::size_t field_start = i;
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
    const std::string name(text.substr(field_start, i - field_start));
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
        throw located(given, index, field_start,
                      fmt::format("expected a condition FIELD OP VALUE such as 'ttft_ms<500', got '{}'", given));
    const Field* field = find_field(name);
    if (!field) {
        std::vector<std::string> names = requirement_fields();
        for (const auto& alias : requirement_aliases()) names.emplace_back(alias.first);
        std::string hint = did_you_mean(name, names);
        if (hint.empty()) {
            std::string list;
            for (const auto& f : fields) list += fmt::format("{}{}", list.empty() ? "" : ", ", f.name);
            hint = "fields are " + list;
        }
        throw located(given, index, field_start, fmt::format("unknown field '{}' in a requirement", name), hint);
    }
    skip_spaces();
    const std::size_t op_start = i;
    std::optional<Comparison> comparison;
    for (auto [op, c] : {std::pair{"<=", Comparison::less_equal}, std::pair{">=", Comparison::greater_equal},
                         std::pair{"==", Comparison::equal}, std::pair{"<", Comparison::less}, std::pair{">", Comparison::greater}}) {
        const std::string_view sv(op);
        if (text.substr(i, sv.size()) == sv) {
            comparison = c;
            i += sv.size();
            break;
        }
    }
    if (!comparison) {
        const std::string rest(text.substr(op_start));
        throw located(given, index, op_start,
                      rest.empty() ? fmt::format("expected an operator (<, <=, >, >=, ==) after '{}', got nothing", name)
                                   : fmt::format("expected an operator (<, <=, >, >=, ==) after '{}', got '{}'", name, rest),
                      !rest.empty() && rest.front() == '=' ? "did you mean '=='?" : "");
    }
    skip_spaces();
    const std::size_t value_start = i;
    double value = 0;
    const char* first = text.data() + i;
    const char* last = text.data() + text.size();
    const auto parsed = std::from_chars(first, last, value);
    if (parsed.ec != std::errc{} || !std::isfinite(value)) {
        const std::string rest(text.substr(value_start));
        throw located(given, index, value_start,
                      rest.empty() ? fmt::format("expected a number after '{}', got nothing", to_string(*comparison))
                                   : fmt::format("expected a number after '{}', got '{}'", to_string(*comparison), rest));
    }
    i = static_cast<std::size_t>(parsed.ptr - text.data());
    if (i < text.size() && text[i] == '%') {
        if (!field->fraction)
            throw located(given, index, i,
                          fmt::format("'%' applies to fractions ({}), not to '{}'", fraction_fields(), field->name));
        value /= 100;
        ++i;
    }
    skip_spaces();
    if (i < text.size())
        throw located(given, index, i, fmt::format("unexpected '{}' after the value", std::string(text.substr(i))));
    std::size_t end = text.size();
    while (end > field_start && is_space(text[end - 1])) --end;
    return Requirement{.text = std::string(text.substr(field_start, end - field_start)),
                       .field = std::string(field->name),
                       .comparison = *comparison,
                       .value = value,
                       .index = index,
                       .column = static_cast<int>(field_start) + 1,
                       .given = given};
}

std::optional<double> requirement_value(const std::string& name, const Evaluation& e) {
    const auto* inf = e.inference ? &e.inference->performance : nullptr;
    const auto* tr = e.training ? &e.training->performance : nullptr;
    if (name == "usd_per_hour") return e.cost.per_hour ? std::optional(e.cost.per_hour->value()) : std::nullopt;
    if (name == "gpu_count") return static_cast<double>(e.gpu_count);
    if (name == "memory_headroom") {
        if (!(e.memory.capacity.value() > 0)) return std::nullopt;
        return 1 - e.memory.total() / e.memory.capacity;
    }
    if (name == "usd_per_million_output_tokens") return e.cost.usd_per_million_output_tokens;
    if (name == "usd_per_million_input_tokens") return e.cost.usd_per_million_input_tokens;
    if (name == "ttft_ms") return inf ? std::optional(inf->ttft.value() * 1e3) : std::nullopt;
    if (name == "tpot_ms") return inf ? std::optional(inf->tpot.value() * 1e3) : std::nullopt;
    if (name == "output_tokens_per_s") return inf ? std::optional(inf->output_tokens_per_s) : std::nullopt;
    if (name == "requests_per_s") return inf ? std::optional(inf->requests_per_s) : std::nullopt;
    if (name == "usd_per_million_training_tokens") return e.cost.usd_per_million_training_tokens;
    if (name == "usd_total") return e.cost.total ? std::optional(e.cost.total->value()) : std::nullopt;
    if (name == "tokens_per_s") return tr ? std::optional(tr->tokens_per_s) : std::nullopt;
    if (name == "mfu") return tr ? std::optional(tr->mfu) : std::nullopt;
    if (name == "time_to_train_days")
        return tr && tr->time_to_train ? std::optional(tr->time_to_train->value() / 86400) : std::nullopt;
    return std::nullopt;
}

void check_requirements_apply(const std::vector<Requirement>& rs, Workload workload) {
    DiagnosticSink sink;
    for (const auto& r : rs) {
        const Field* f = find_field(r.field);
        if (!f || f->scope == Scope::any) continue;
        const Workload needs = f->scope == Scope::inference ? Workload::inference : Workload::training;
        if (needs == workload) continue;
        sink.error({"--require", r.index, r.column, {}},
                   fmt::format("'{}' applies to {} specs, and this spec is {}", f->name, to_string(needs), to_string(workload)),
                   {}, r.given);
    }
    sink.throw_if_any<UsageError>();
}

std::vector<std::string> unmet_requirements(const std::vector<Requirement>& rs, const Evaluation& e) {
    std::vector<std::string> out;
    for (const auto& r : rs) {
        const Field* f = find_field(r.field);
        const std::optional<double> v = requirement_value(r.field, e);
        if (!v) {
            out.push_back(fmt::format("requirement '{}' not met: {} is unknown ({})", r.text, r.field,
                                      f ? f->unknown_because : "not estimated"));
            continue;
        }
        bool holds = false;
        switch (r.comparison) {
            case Comparison::less: holds = *v < r.value; break;
            case Comparison::less_equal: holds = *v <= r.value; break;
            case Comparison::greater: holds = *v > r.value; break;
            case Comparison::greater_equal: holds = *v >= r.value; break;
            case Comparison::equal: holds = std::fabs(*v - r.value) <= 1e-9 * std::max(1.0, std::fabs(r.value)); break;
        }
        if (holds) continue;
        // As many digits as it takes to read differently from the condition's value.
        const bool fraction = f && f->fraction;
        const double scale = fraction ? 100 : 1;
        auto text_of = [&](double x) { return fraction ? format_text("{:.1f}", x * scale) : number_text(x); };
        std::string shown = text_of(*v);
        if (*v != r.value && shown == text_of(r.value)) {
            for (int digits = 4; digits <= 17; ++digits) {
                shown = format_text("{:.{}g}", *v * scale, digits);
                if (shown != format_text("{:.{}g}", r.value * scale, digits)) break;
            }
        }
        if (fraction) shown += "%";
        out.push_back(fmt::format("requirement '{}' not met: {} is {}", r.text, r.field, shown));
    }
    return out;
}

}  // namespace gpusize
