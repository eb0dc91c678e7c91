// The checks fuzz_spec and fuzz_set run on a spec that parsed: GPU name resolution, the whole
// search on a three-GPU slice of the bundled catalog, the report's renderers and `explain` of the
// best deployment. A finding (abort, or nlohmann's parse_error escaping): a number in the result
// that is NaN, infinite or negative (a byte count, a time, a rate, a price); a candidate, one that
// fits and meets its targets, whose throughput is not positive or whose latency or step time is
// not finite; an MFU or HFU above 1; a JSON report or explanation that does not parse.
// DiagnosticErrors pass through to the caller.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
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
    if (!std::isfinite(v) || v < 0) finding(what, v);
}

/// A fraction of a peak: in [0, 1].
inline void check_fraction(const char* what, double v) {
    if (!std::isfinite(v) || v < 0 || v > 1) finding(what, v);
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
        check_fraction("mfu", e.training->performance.mfu);
        check_fraction("hfu", e.training->performance.hfu);
    }
}

/// A candidate is a claim that the deployment runs: it must do some work in finite time.
inline void check_candidate(const Evaluation& e) {
    check(e);
    if (!(e.throughput > 0)) finding("candidate throughput", e.throughput);
    if (e.inference) {
        if (!std::isfinite(e.inference->performance.ttft.value())) finding("candidate ttft", e.inference->performance.ttft.value());
        if (!std::isfinite(e.inference->performance.tpot.value())) finding("candidate tpot", e.inference->performance.tpot.value());
    }
    if (e.training && !std::isfinite(e.training->performance.step_time.value()))
        finding("candidate step_time", e.training->performance.step_time.value());
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

/// `explain`'s terms: every value and numeric input finite (negative values are allowed there:
/// a term such as a KV pool can be a deficit); the document parses.
inline void walk_explain(const nlohmann::json& j) {
    if (j.is_object() || j.is_array()) {
        for (const auto& v : j) walk_explain(v);
    } else if (j.is_number_float() && !std::isfinite(j.get<double>())) {
        finding("explain number", j.get<double>());
    }
}

/// Plans `problem` on small_catalog() and checks every evaluation and both renderings.
inline void plan_and_check(Problem problem) {
    const Catalog& catalog = small_catalog();
    // The search's shapes, not its breadth, are what the fuzzer explores: up to 16 GPUs (the
    // default is 64 for inference, 1024 for training) reaches every kind of layout (tensor,
    // pipeline, data, expert and context degrees, MIG slices) at a fraction of the work.
    if (!problem.spec.deployment.max_gpus) problem.spec.deployment.max_gpus = 16;
    resolve_gpu_names(problem, catalog);
    Plan plan = plan_deployments(problem, catalog);
    for (const auto& e : plan.candidates) check_candidate(e);
    for (const auto& e : plan.rejected) check(e);
    std::optional<Evaluation> best;
    if (!plan.candidates.empty()) best = plan.candidates.front();
    else if (!plan.rejected.empty()) best = plan.rejected.front();
    const Report report = make_plan_report(problem, catalog, std::move(plan));
    (void)render_report_table(report, {.top = 3, .verbose = true});
    (void)render_report_csv(report, {.top = 3});
    const std::string json = render_report_json(report, {.top = 5});
    walk(nlohmann::json::parse(json));
    if (best) {
        // As `explain` builds it (src/cli/app.cpp): the evaluation as the plan's one candidate.
        Plan one;
        one.candidates.push_back(std::move(*best));
        Report explained = make_plan_report(problem, catalog, std::move(one));
        explained.command = "explain";
        (void)render_explain_table(explained);
        walk_explain(nlohmann::json::parse(render_explain_json(explained)));
    }
}

}  // namespace gpusize::fuzz
