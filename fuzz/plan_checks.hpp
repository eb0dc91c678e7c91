// The checks fuzz_spec and fuzz_set run on a spec that parsed: GPU name resolution, the whole
// search on a three-GPU slice of the bundled catalog and both renderers. A number in the result
// that is NaN, infinite or a negative byte count, or a JSON report that does not parse, is a
// finding (abort, or nlohmann's parse_error escaping); DiagnosticErrors pass through to the caller.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "gpusize/catalog.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"
#include "gpusize/report.hpp"

namespace gpusize::fuzz {

inline const Catalog& small_catalog() {
    static const Catalog c = [] {
        Catalog all = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
        Catalog some;
        some.schema_version = all.schema_version;
        some.origins = all.origins;
        // One Hopper with MIG partitions and NVLink, one PCIe part, one AMD part.
        for (const char* id : {"h100-sxm-80gb", "l4", "mi300x"})
            if (const Gpu* g = all.find_id(id)) some.gpus.push_back(*g);
        if (some.gpus.empty()) std::abort();
        return some;
    }();
    return c;
}

[[noreturn]] inline void finding(const char* what, double v) {
    std::fprintf(stderr, "finding: %s = %g\n", what, v);
    std::abort();
}

inline void check_bytes(const char* what, Bytes b) {
    if (!std::isfinite(b.value()) || b.value() < 0) finding(what, b.value());
}

inline void check_number(const char* what, double v) {
    if (std::isnan(v) || v < 0) finding(what, v);
}

inline void check(const Evaluation& e) {
    check_bytes("memory.weights", e.memory.weights);
    check_bytes("memory.kv_cache", e.memory.kv_cache);
    check_bytes("memory.activations", e.memory.activations);
    check_bytes("memory.gradients", e.memory.gradients);
    check_bytes("memory.optimizer", e.memory.optimizer);
    check_bytes("memory.overhead", e.memory.overhead);
    check_bytes("memory.capacity", e.memory.capacity);
    if (e.gpu_count < 1) finding("gpu_count", static_cast<double>(e.gpu_count));
    check_number("throughput", e.throughput);
    if (e.cost_per_throughput) check_number("cost_per_throughput", *e.cost_per_throughput);
    if (e.inference) {
        check_number("max_concurrency", static_cast<double>(e.inference->max_concurrency));
        check_number("kv_capacity_tokens", e.inference->kv_capacity_tokens);
        check_number("output_tokens_per_s", e.inference->performance.output_tokens_per_s);
        check_number("requests_per_s", e.inference->performance.requests_per_s);
    }
    if (e.training) {
        check_number("tokens_per_s", e.training->performance.tokens_per_s);
        check_number("mfu", e.training->performance.mfu);
    }
}

/// Every number the JSON report carries is finite, and not negative but for an evaluation's
/// `inference.headroom` (achieved / target - 1 of its tightest target: below 0 when it is missed).
inline void walk(const nlohmann::json& j, bool inference = false) {
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            if (inference && k == "headroom" && v.is_number()) {
                if (!std::isfinite(v.get<double>())) finding("json number", v.get<double>());
                continue;
            }
            walk(v, k == "inference");
        }
    } else if (j.is_array()) {
        for (const auto& x : j) walk(x);
    } else if (j.is_number()) {
        const double v = j.get<double>();
        if (!std::isfinite(v) || v < 0) finding("json number", v);
    }
}

/// Plans `problem` on small_catalog() and checks every evaluation and both renderings.
inline void plan_and_check(Problem problem) {
    const Catalog& catalog = small_catalog();
    resolve_gpu_names(problem, catalog);
    Plan plan = plan_deployments(problem, catalog);
    for (const auto& e : plan.candidates) check(e);
    for (const auto& e : plan.rejected) check(e);
    const Report report = make_plan_report(problem, catalog, std::move(plan));
    (void)render_report_table(report, {.top = 3, .verbose = true});
    const std::string json = render_report_json(report, {.top = 5});
    walk(nlohmann::json::parse(json));
}

}  // namespace gpusize::fuzz
