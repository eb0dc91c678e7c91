#include "gpusize/report.hpp"

#include "gpusize/advice.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "gpusize/engines.hpp"
#include "gpusize/number_text.hpp"

namespace gpusize {
namespace {

std::string number(double v) { return format_number(v, "g"); }

std::vector<Assumption> assumptions_for(const Problem& p, const std::vector<const Gpu*>& gpus) {
    std::vector<Assumption> out;
    const auto& s = p.spec;
    out.push_back({"workload", std::string(to_string(s.workload)), "spec"});
    out.push_back({"precision", fmt::format("weights {}, activations {}, kv_cache {}", to_string(s.precision.weights),
                                            to_string(s.precision.activations), to_string(s.precision.kv_cache)),
                   "spec (default bf16)"});
    for (const auto& note : p.model.notes) out.push_back({"model", note, std::string(to_string(p.model.source_kind))});
    if (s.workload == Workload::inference) {
        const EngineProfile& engine = engine_profile(s.inference.engine);
        const double fraction = s.inference.gpu_memory_utilization.value_or(engine.memory_fraction);
        out.push_back({"inference.engine", std::string(to_string(s.inference.engine)),
                       fmt::format("the engine's memory rule: KV pool = {}{} (docs/estimation.md §3.6)", engine.pool_text,
                                   engine.fraction_setting.empty() ? "" : fmt::format(", {} {}", engine.fraction_setting, number(fraction)))});
        out.push_back({"tpot definition", "decode step time per output token, excluding the first token", "docs/estimation.md §6.3"});
        out.push_back({"decode context", "input + output/2 tokens on average (continuous batching)", "docs/estimation.md §6.3"});
        out.push_back({"ttft", "prefill time of one request, without queueing", "docs/estimation.md §6.2"});
        if (s.inference.arrival)
            out.push_back({"load model",
                           "continuous batching at the arrival's rate (Little's law per population), Kingman's G/G/1 wait on the "
                           "engine's capacity, fixed request lengths; percentiles from an exponential wait and a normal per-request TPOT",
                           "docs/estimation.md §6.7; Kingman (1961)"});
    } else {
        out.push_back({"sequence parallelism", "on whenever tensor parallel > 1", "Megatron-LM practice (Korthikanti et al., 2022)"});
        out.push_back({"attention", "flash attention: no s x s scores stored, so selective recomputation costs nothing extra",
                       "Korthikanti et al., 2022; docs/estimation.md §4.5"});
        out.push_back({"mfu", "model FLOPs 6*P_active + 12*L*s*a*d_h per token over N * dense peak",
                       "PaLM (Chowdhery et al., 2022), as llm-foundry reports"});
    }
    for (const auto& info : constant_table()) {
        const auto c = static_cast<Constant>(&info - constant_table().data());
        out.push_back({fmt::format("calibration.{}", info.name),
                       fmt::format("{} {}{}", number(p.calibration[c]), info.unit, p.calibration.overridden(c) ? " (from spec)" : ""),
                       std::string(info.source)});
    }
    for (const auto& note : p.gpu_name_notes) out.push_back({"deployment.gpus", note, "catalog alias_defaults"});
    for (const Gpu* g : gpus) {
        const auto& e = g->efficiency;
        out.push_back({fmt::format("efficiency.{}", g->id),
                       format_text("memory bandwidth {:g}, matmul {:g}, all-reduce intra-node {:g}, inter-node {:g}{}",
                                   e.memory_bandwidth, e.matmul, e.allreduce_intra_node, e.allreduce_inter_node,
                                   e.measured ? "" : " (documented default)"),
                       e.source});
    }
    if (s.pricing.mode == PricingMode::onprem)
        out.push_back({"pricing", format_text("on-premises: {:g} years, utilisation {:g}, PUE {:g}, {:g} USD/kWh",
                                              s.pricing.amortization_years.value_or(pricing_defaults::amortization_years),
                                              s.pricing.utilization.value_or(pricing_defaults::utilization),
                                              s.pricing.pue.value_or(pricing_defaults::pue),
                                              s.pricing.electricity_usd_per_kwh.value_or(pricing_defaults::electricity_usd_per_kwh)),
                       "spec, else defaults in cost.hpp"});
    else
        out.push_back({"pricing",
                       format_text("cloud: the spec's usd_per_gpu_hour, else the cheapest dated {} catalog offer whose instance "
                                   "shape supplies the layout, in whole instances",
                                   to_string(s.pricing.commitment)),
                       "catalog prices with provider, date and instance shape"});
    out.push_back({"headroom", format_text("{:g}% of usable memory kept free", s.headroom * 100), "spec"});
    return out;
}

std::vector<std::string> unmodelled_for(const Problem& p) {
    const Spec& s = p.spec;
    std::vector<std::string> out;
    const auto& t = s.inference.targets;
    if (s.workload == Workload::inference && t.growth && !t.output_tokens_per_s && !t.requests_per_s)
        out.push_back("inference.targets.growth scales throughput targets, and the spec has none: no growth sizing");
    if (s.workload == Workload::inference && s.deployment.context_parallel.value_or(1) > 1)
        out.push_back("deployment.context_parallel is not modelled for inference: every context-parallel rank is charged the "
                      "whole sequence");
    if (s.workload == Workload::training && !s.training.tokens)
        out.push_back("training.tokens not given: no time or cost to train");
    if (s.workload == Workload::inference && s.inference.arrival)
        out.push_back("prefix caching and speculative decoding are not modelled");
    else if (s.workload == Workload::inference)
        out.push_back("queueing delay, prefix caching and speculative decoding are not modelled");
    else if (p.model.architecture.moe)
        out.push_back("MoE all-to-all communication is not modelled");
    if (s.workload == Workload::training && s.training.offload.any())
        out.push_back("training.offload: host memory is not checked against the machine's, and the host's optimizer step "
                      "time is not modelled (only the PCIe copies)");
    return out;
}

std::vector<const Gpu*> gpus_in(const std::vector<Evaluation>& a, const std::vector<Evaluation>& b) {
    std::vector<const Gpu*> out;
    for (const auto* list : {&a, &b})
        for (const auto& e : *list)
            if (std::find(out.begin(), out.end(), e.device.gpu) == out.end()) out.push_back(e.device.gpu);
    std::sort(out.begin(), out.end(), [](const Gpu* x, const Gpu* y) { return x->id < y->id; });
    return out;
}

}  // namespace

Report make_plan_report(const Problem& p, const Catalog& catalog, Plan plan) {
    Report r;
    r.command = "plan";
    r.problem = p;
    r.catalogs = catalog.origins;
    r.assumptions = assumptions_for(p, gpus_in(plan.candidates, plan.rejected));
    r.unmodelled = unmodelled_for(p);
    r.candidates = std::move(plan.candidates);
    r.rejected = std::move(plan.rejected);
    if (p.spec.workload == Workload::inference && !r.candidates.empty()) {
        flag_over_provisioning(r.candidates);
        r.candidates.front().inference->limits = solve_serving_limits(p, r.candidates.front(), r.candidates);
    }
    r.evaluated = plan.evaluated;
    r.invalid = plan.invalid;
    r.invalid_reasons = std::move(plan.invalid_reasons);
    r.closest = closest_per_gpu(p, r.candidates, r.rejected);
    if (r.candidates.empty()) r.suggestions = suggest_alternatives(p, catalog);
    return r;
}

Report make_check_report(const Problem& p, const Catalog& catalog, Evaluation evaluation) {
    Report r;
    r.command = "check";
    r.problem = p;
    r.catalogs = catalog.origins;
    r.assumptions = assumptions_for(p, {evaluation.device.gpu});
    r.unmodelled = unmodelled_for(p);
    r.evaluation = std::move(evaluation);
    r.evaluated = 1;
    if (p.spec.workload == Workload::inference && r.evaluation->inference) {
        // Against the whole catalog, unpinned: is there a cheaper deployment, and how few of this GPU would do?
        Problem open = p;
        open.spec.deployment = DeploymentSpec{};
        open.spec.deployment.gpus_per_node = p.spec.deployment.gpus_per_node;
        Plan alternatives = plan_deployments(open, catalog);
        flag_over_provisioning(alternatives.candidates, &*r.evaluation);
        r.evaluation->inference->limits = solve_serving_limits(p, *r.evaluation, alternatives.candidates);
    }
    return r;
}

int report_status(const Report& r) {
    if (r.evaluation) return !r.evaluation->fits ? 1 : !r.evaluation->meets_targets ? 2 : 0;
    if (!r.candidates.empty()) return 0;
    for (const auto& e : r.rejected)
        if (e.fits) return 2;  // something fits but misses a target
    return 1;
}

}  // namespace gpusize
