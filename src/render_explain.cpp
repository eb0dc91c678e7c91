// `explain`: renders the priced terms of each deployment (terms.hpp: formula id, formula, inputs,
// value, source) and every assumption with the spec key, catalog field or nothing that overrides
// it. It computes nothing itself.
#include <fmt/format.h>

#include <cmath>

#include "gpusize/memory.hpp"
#include "gpusize/performance.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/render.hpp"
#include "gpusize/terms.hpp"
#include "json_writer.hpp"

namespace gpusize {
namespace {

using detail::JsonWriter;

/// How to change an assumption: the `--set` key, a catalog overlay, or nothing (a definition).
std::string override_of(const Assumption& a) {
    const std::string& n = a.name;
    auto starts = [&](const char* p) { return n.rfind(p, 0) == 0; };
    if (starts("calibration.")) return format_text("--set {}=VALUE", n);
    if (starts("efficiency.")) return format_text("a --catalog overlay giving 'efficiency' for '{}'", n.substr(11));
    if (n == "precision") return "--set precision=DTYPE, or --set precision.weights=DTYPE (activations, kv_cache)";
    if (n == "inference.engine") return "--set inference.engine=vllm|trtllm|sglang|generic";
    if (n == "workload") return "--set workload=inference|training";
    if (n == "headroom") return "--set headroom=15%";
    if (n == "pricing") return "--set pricing.usd_per_gpu_hour.GPU=USD, or --set pricing.mode=onprem";
    if (n == "model") return "--set model.FIELD=VALUE (an architecture field), or a different model.preset";
    if (n == "deployment.gpus") return "name the GPU by its id, or a --catalog overlay's 'alias_defaults'";
    return "";
}

std::string value_text(std::optional<double> v, const std::string& unit) {
    if (!v || !std::isfinite(*v)) return "-";
    // A byte count is never negative (JSON writes 0): a negative result of the formula means
    // nothing is left, which is said with the shortfall.
    if (unit == "bytes" && *v < 0)
        return format_text("0 bytes (0.00 GiB; the formula gives {:.2f} GiB: nothing is left)", *v / 1073741824.0);
    if (unit == "bytes") return format_text("{:.0f} bytes ({:.2f} GiB)", std::round(*v), *v / 1073741824.0);
    if (unit == "s") return *v < 1 ? format_text("{:.4g} ms", *v * 1e3) : format_text("{:.4g} s", *v);
    if (unit == "fraction") return format_text("{:.4g}", *v);
    return format_text("{:.6g} {}", *v, unit);
}

bool integral(double v) { return std::isfinite(v) && std::fabs(v) < 1e15 && v == std::floor(v); }

/// An input that is a number of bytes (not a rate or a size per element): written as a whole,
/// non-negative number everywhere, as the JSON writer writes bytes.
bool byte_count(const std::string& name) {
    return name == "bytes_per_gpu" || (name.size() > 6 && name.compare(name.size() - 6, 6, "_bytes") == 0);
}

std::string input_text(const TermInput& i) {
    if (!i.number) return format_text("{}={}", i.name, i.text);
    if (byte_count(i.name) && std::isfinite(*i.number)) return format_text("{}={:.0f}", i.name, std::round(std::max(0.0, *i.number)));
    return integral(*i.number) ? format_text("{}={:.0f}", i.name, *i.number) : format_text("{}={:.6g}", i.name, *i.number);
}

std::string deployment_text(const Evaluation& e) {
    return format_text("{}: {}", deployment_label(deployment_id(e)),
                       !e.fits ? "does not fit" : !e.meets_targets ? "fits, misses a target" : "fits and meets every target");
}

}  // namespace

std::string render_explain_json(const Report& r) {
    JsonWriter w;
    w.begin_object();
    w.key("schema_version").value(report_schema_version);
    w.key("command").value("explain");
    w.key("catalogs").strings(r.catalogs);
    const auto& m = r.problem.model;
    w.key("model").begin_object();
    w.key("id").value(m.id);
    w.key("name").value(m.name);
    w.key("source_kind").value(to_string(m.source_kind));
    w.key("parameters_total").whole(m.parameters.total);
    w.key("parameters_active").whole(m.parameters.active);
    w.end_object();
    w.key("deployments").begin_array();
    for (const auto& e : r.candidates) {
        w.begin_object();
        write_deployment(w, e);
        w.key("reasons").strings(e.reasons);
        w.key("terms").begin_array();
        for (const auto& t : explain_terms(r.problem, e)) {
            w.begin_object();
            w.key("name").value(t.name);
            w.key("formula_id").value(t.formula_id);
            w.key("formula").value(t.formula);
            w.key("inputs").begin_object();
            for (const auto& i : t.inputs) {
                w.key(i.name);
                if (!i.number) w.value(i.text);
                else if (byte_count(i.name)) w.whole(*i.number);
                else if (integral(*i.number)) w.value(static_cast<std::int64_t>(*i.number));
                else w.value(*i.number);
            }
            w.end_object();
            w.key("value");
            if (t.unit == "bytes" && t.value) w.whole(*t.value);
            else w.value(t.value);
            w.key("unit").value(t.unit);
            w.key("source").value(t.source);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
    w.key("assumptions").begin_array();
    for (const auto& a : r.assumptions) {
        w.begin_object();
        w.key("name").value(a.name);
        w.key("value").value(a.value);
        w.key("source").value(a.source);
        w.key("override");
        const std::string how = override_of(a);
        how.empty() ? w.null() : w.value(how);
        w.end_object();
    }
    w.end_array();
    w.key("unmodelled").strings(r.unmodelled);
    w.end_object();
    return w.take();
}

static std::string render_explain_table_text(const Report& r) {
    const auto& s = r.problem.spec;
    const auto& m = r.problem.model;
    std::string out = format_text("gpusize explain: {}\n", s.name.empty() ? m.name : s.name);
    out += format_text("model     {} ({:.2f} B parameters, {})\n", m.id, m.parameters.total / 1e9, to_string(m.source_kind));
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        out += format_text("\ndeployment {}: {}\n", k + 1, deployment_text(e));
        for (const auto& reason : e.reasons) out += format_text("  ! {}\n", reason);
        for (const auto& t : explain_terms(r.problem, e)) {
            out += format_text("\n  {} = {}\n", t.name, value_text(t.value, t.unit));
            out += format_text("      formula  {}\n", t.formula);
            std::string inputs;
            for (const auto& i : t.inputs) inputs += (inputs.empty() ? "" : ", ") + input_text(i);
            out += format_text("      inputs   {}\n", inputs);
            out += format_text("      source   {}\n", t.source);
        }
    }
    out += "\nassumptions (name: value [source]; how to override):\n";
    for (const auto& a : r.assumptions) {
        out += format_text("  - {}: {} [{}]\n", a.name, a.value, a.source);
        const std::string how = override_of(a);
        out += format_text("      override: {}\n", how.empty() ? "none: a definition of the estimate" : how);
    }
    if (!r.unmodelled.empty()) {
        out += "\nnot modelled:\n";
        for (const auto& u : r.unmodelled) out += format_text("  - {}\n", u);
    }
    return out;
}

static std::string render_explain_csv_text(const Report& r) {
    std::vector<std::vector<std::pair<std::string, std::string>>> rows;
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        for (const auto& t : explain_terms(r.problem, e)) {
            std::string inputs;
            for (const auto& i : t.inputs) inputs += (inputs.empty() ? "" : "; ") + input_text(i);
            rows.push_back({{"deployment", std::to_string(k + 1)},
                            {"gpu.id", e.device.id()},
                            {"gpu_count", std::to_string(e.gpu_count)},
                            {"parallelism.tensor", std::to_string(e.layout.tensor)},
                            {"parallelism.pipeline", std::to_string(e.layout.pipeline)},
                            {"parallelism.data", std::to_string(e.layout.data)},
                            {"term", t.name},
                            {"value", t.value && std::isfinite(*t.value) ? (t.unit == "bytes" ? format_text("{:.0f}", std::round(std::max(0.0, *t.value))) : format_text("{:.6g}", *t.value)) : ""},
                            {"unit", t.unit},
                            {"formula", t.formula},
                            {"inputs", inputs},
                            {"source", t.source}});
        }
    }
    if (rows.empty()) return "deployment,gpu.id,gpu_count,parallelism.tensor,parallelism.pipeline,parallelism.data,term,value,unit,formula,inputs,source\n";
    return detail::csv_table(rows);
}

static std::string render_explain_markdown_text(const Report& r) {
    const auto& s = r.problem.spec;
    std::string out = format_text("## gpusize explain: {}\n", s.name.empty() ? r.problem.model.name : s.name);
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        out += format_text("\n### deployment {}: {}\n\n", k + 1, deployment_text(e));
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : explain_terms(r.problem, e)) {
            std::string inputs;
            for (const auto& i : t.inputs) inputs += (inputs.empty() ? "" : ", ") + input_text(i);
            rows.push_back({"`" + t.name + "`", value_text(t.value, t.unit), t.formula, inputs, t.source});
        }
        out += detail::markdown_table({"term", "value", "formula", "inputs", "source"}, rows, "lrlll");
    }
    out += "\n### assumptions\n\n";
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : r.assumptions) {
        const std::string how = override_of(a);
        rows.push_back({a.name, a.value, a.source, how.empty() ? "-" : "`" + how + "`"});
    }
    out += detail::markdown_table({"name", "value", "source", "override"}, rows, "llll");
    return out;
}

// Numbers go through format_text: those that round to zero print unsigned ("0.00", not "-0.00").
std::string render_explain_table(const Report& r) { return render_explain_table_text(r); }
std::string render_explain_csv(const Report& r) { return render_explain_csv_text(r); }
std::string render_explain_markdown(const Report& r) { return render_explain_markdown_text(r); }

}  // namespace gpusize
