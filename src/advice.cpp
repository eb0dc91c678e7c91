#include "gpusize/advice.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "gpusize/diagnostics.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/vocabulary.hpp"

namespace gpusize {
namespace {

std::string gib_text(Bytes b) { return fmt::format("{:.1f} GiB", to_gib(b)); }

}  // namespace

Shortfall shortfall(const Problem& p, const Evaluation& e) {
    Shortfall s;
    s.gpus = e.gpu_count;
    s.usd_per_hour = e.cost.per_hour ? e.cost.per_hour->value() : INFINITY;
    if (!(e.memory.capacity.value() > 0)) return s;  // an invalid layout: nothing was estimated
    s.no_estimate = !e.inference && !e.training;       // the GPU lacks the rate or the link
    s.over_memory = e.memory.total() > e.memory.capacity || (e.inference && !e.fits);
    if (s.over_memory) {
        s.factor = e.memory.total() / e.memory.capacity;
        return s;
    }
    double worst = 1;
    if (e.inference) {
        const auto& t = p.spec.inference.targets;
        const auto& perf = e.inference->performance;
        if (t.ttft) worst = std::max(worst, perf.ttft / *t.ttft);
        if (t.tpot) worst = std::max(worst, perf.tpot / *t.tpot);
        if (t.output_tokens_per_s) worst = std::max(worst, *t.output_tokens_per_s / perf.output_tokens_per_s);
        if (t.requests_per_s) worst = std::max(worst, *t.requests_per_s / perf.requests_per_s);
        if (const auto& l = e.inference->loaded) {
            if (l->saturated) worst = std::max(worst, l->utilization);
            if (t.ttft_p90 && l->ttft) worst = std::max(worst, l->ttft->p90 / *t.ttft_p90);
            if (t.ttft_p99 && l->ttft) worst = std::max(worst, l->ttft->p99 / *t.ttft_p99);
            if (t.tpot_p90 && l->tpot) worst = std::max(worst, l->tpot->p90 / *t.tpot_p90);
            if (t.tpot_p99 && l->tpot) worst = std::max(worst, l->tpot->p99 / *t.tpot_p99);
        }
    }
    s.factor = std::isfinite(worst) ? worst : INFINITY;
    return s;
}

const Evaluation& closest_to_passing(const Problem& p, const std::vector<Evaluation>& rejected) {
    return *std::min_element(rejected.begin(), rejected.end(),
                             [&](const Evaluation& a, const Evaluation& b) { return shortfall(p, a) < shortfall(p, b); });
}

std::vector<std::size_t> closest_per_gpu(const Problem& p, const std::vector<Evaluation>& candidates,
                                         const std::vector<Evaluation>& rejected) {
    std::map<std::string, std::size_t> best;
    std::map<std::string, bool> placed;
    for (const auto& e : candidates) placed[e.device.gpu->id] = true;
    for (std::size_t i = 0; i < rejected.size(); ++i) {
        const std::string& id = rejected[i].device.gpu->id;
        if (placed.count(id)) continue;
        auto it = best.find(id);
        if (it == best.end() || shortfall(p, rejected[i]) < shortfall(p, rejected[it->second])) best[id] = i;
    }
    std::vector<std::size_t> out;
    for (const auto& [id, i] : best) out.push_back(i);
    return out;
}

std::vector<std::string> suggest_alternatives(const Problem& p, const Catalog& catalog) {
    struct Remedy {
        std::string what;
        Problem problem;
    };
    std::vector<Remedy> remedies;
    auto add = [&](std::string what, auto change) {
        Problem q = p;
        change(q);
        remedies.push_back({std::move(what), std::move(q)});
    };
    const auto& s = p.spec;
    if (s.workload == Workload::training) {
        const auto& t = s.training;
        if (t.micro_batch > 1 && !t.micro_batch_auto)
            add("training.micro_batch: 1", [](Problem& q) {
                q.spec.training.micro_batch = 1;
                q.spec.training.global_batch.reset();
            });
        if (t.activation_checkpointing != Recompute::full)
            add("training.activation_checkpointing: full", [](Problem& q) { q.spec.training.activation_checkpointing = Recompute::full; });
        if (t.sharding != Sharding::zero3)
            add("training.sharding: zero3", [](Problem& q) { q.spec.training.sharding = Sharding::zero3; });
        if (t.method == TrainingMethod::full)
            add("training.method: lora", [](Problem& q) { q.spec.training.method = TrainingMethod::lora; });
        if (t.method != TrainingMethod::qlora)
            add("training.method: qlora", [](Problem& q) {
                q.spec.training.method = TrainingMethod::qlora;
                q.spec.precision.weights = DType::nf4;
            });
        if (t.method == TrainingMethod::full && !t.offload.optimizer && !t.offload.parameters)
            add("training.offload: [optimizer]", [](Problem& q) { q.spec.training.offload.optimizer = true; });
        // The memory remedies together, without and with QLoRA.
        auto frugal = [](Problem& q) {
            q.spec.training.micro_batch = 1;
            q.spec.training.micro_batch_auto = false;
            q.spec.training.global_batch.reset();
            q.spec.training.activation_checkpointing = Recompute::full;
            if (q.spec.training.method == TrainingMethod::full) q.spec.training.sharding = Sharding::zero3;
        };
        add("micro_batch 1, full recomputation and zero3 together", frugal);
        if (t.method != TrainingMethod::qlora)
            add("qlora, micro_batch 1 and full recomputation together", [frugal](Problem& q) {
                frugal(q);
                q.spec.training.method = TrainingMethod::qlora;
                q.spec.precision.weights = DType::nf4;
            });
    } else {
        if (bytes_per_element(s.precision.kv_cache) > 1)
            add("precision.kv_cache: fp8", [](Problem& q) { q.spec.precision.kv_cache = DType::fp8; });
        if (bytes_per_element(s.precision.weights) > 1)
            add("precision.weights: fp8", [](Problem& q) { q.spec.precision.weights = DType::fp8; });
        if (bytes_per_element(s.precision.weights) > 0.5)
            add("precision.weights: int4", [](Problem& q) { q.spec.precision.weights = DType::int4; });
    }
    if (!s.deployment.gpu_count) {
        const std::int64_t more = s.deployment.max_gpus.value_or(default_max_gpus(s.workload)) * 4;
        add(fmt::format("deployment.max_gpus: {}", more), [more](Problem& q) { q.spec.deployment.max_gpus = more; });
    }
    std::vector<std::string> out;
    for (auto& r : remedies) {
        const Plan plan = plan_deployments(r.problem, catalog, PlanOptions{.include_partitions = false, .progress = {}});
        if (!plan.candidates.empty()) {
            const Evaluation& best = plan.candidates.front();
            out.push_back(fmt::format("with {}: fits on {} x {} (tp/pp/dp {}), {} of {} per GPU", r.what, best.gpu_count,
                                      best.device.id(), layout_label(deployment_id(best)), gib_text(best.memory.total()),
                                      gib_text(best.memory.capacity)));
            continue;
        }
        const Evaluation* closest = nullptr;
        for (const auto& e : plan.rejected)
            if (e.memory.capacity.value() > 0 &&
                (!closest || e.memory.total() / e.memory.capacity < closest->memory.total() / closest->memory.capacity))
                closest = &e;
        if (closest)
            out.push_back(fmt::format("with {}: still does not fit; closest {} x {} needs {} of {} per GPU", r.what,
                                      closest->gpu_count, closest->device.id(), gib_text(closest->memory.total()),
                                      gib_text(closest->memory.capacity)));
    }
    return out;
}

std::optional<double> solve_max_rate(const Problem& p, const Evaluation& e) {
    if (p.spec.inference.arrival && p.spec.inference.arrival->users)
        throw usage_error("--solve rate solves an open loop's requests_per_s, and the spec's arrival is a closed loop of 'users'");
    if (!e.inference || !e.fits) return std::nullopt;
    const double capacity = e.inference->performance.requests_per_s;
    Problem q = p;
    auto passes = [&](double rate) {
        q.spec.inference.arrival = Arrival{.requests_per_s = rate,
                                           .burstiness = p.spec.inference.arrival ? p.spec.inference.arrival->burstiness : 1.0,
                                           .users = std::nullopt};
        const Evaluation x = evaluate(q, e.device, e.layout);
        return x.fits && x.meets_targets;
    };
    // Latency only grows with the rate and the capacity saturates, so the passing rates are an
    // interval (0, R*): bisected until the bounds are within 0.1 %.
    double lo = capacity * 1e-9, hi = capacity;
    if (!(capacity > 0) || !passes(lo)) return std::nullopt;
    while (hi / lo > 1.001) {
        const double mid = std::sqrt(lo * hi);
        (passes(mid) ? lo : hi) = mid;
    }
    // Three significant digits, rounded down (and read back from its text, so that it prints as
    // it is): still at or below a passing rate; one unit lower if rounding pushed it over.
    const double scale = std::pow(10.0, std::floor(std::log10(lo)) - 2.0);
    for (double units = std::floor(lo / scale + 1e-9); units >= 100; --units) {
        const double rounded = std::stod(fmt::format("{:.3g}", units * scale));
        if (rounded <= lo && passes(rounded)) return rounded;
    }
    return lo;
}

ServingLimits solve_serving_limits(const Problem& p, const Evaluation& e, const std::vector<Evaluation>& candidates) {
    ServingLimits out;
    if (!e.inference) return out;
    const std::int64_t concurrency = e.inference->performance.concurrency;
    // Passing needs memory and the latency targets; throughput targets move with replicas.
    auto passes = [&](const Problem& q) {
        const Evaluation x = evaluate(q, e.device, e.layout);
        if (!x.fits || !x.inference) return false;
        const auto& t = q.spec.inference.targets;
        const auto& perf = x.inference->performance;
        return !(t.ttft && perf.ttft > *t.ttft) && !(t.tpot && perf.tpot > *t.tpot);
    };
    auto largest = [&](std::int64_t lo, std::int64_t hi, auto with) -> std::optional<std::int64_t> {
        if (!passes(with(lo))) return std::nullopt;
        while (lo < hi) {
            const std::int64_t mid = lo + (hi - lo + 1) / 2;
            if (passes(with(mid))) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    };
    out.max_input_tokens = largest(1, 10'000'000, [&](std::int64_t n) {
        Problem q = p;
        q.spec.inference.input_tokens = n;
        q.spec.inference.concurrency = concurrency;
        return q;
    });
    out.max_concurrency = largest(1, std::max<std::int64_t>(1, e.inference->memory.max_concurrency), [&](std::int64_t c) {
        Problem q = p;
        q.spec.inference.concurrency = c;
        return q;
    });
    for (const auto& c : candidates)
        if (c.device.id() == e.device.id() && (!out.min_gpus || c.gpu_count < *out.min_gpus)) out.min_gpus = c.gpu_count;
    return out;
}

void flag_over_provisioning(std::vector<Evaluation>& candidates, Evaluation* single) {
    const Evaluation* cheapest = nullptr;
    for (const auto& c : candidates)
        if (c.inference && c.cost.per_hour && (!cheapest || *c.cost.per_hour < *cheapest->cost.per_hour)) cheapest = &c;
    if (!cheapest) return;
    auto flag = [&](Evaluation& e) {
        if (!e.inference || !e.cost.per_hour || &e == cheapest || !(*cheapest->cost.per_hour < *e.cost.per_hour)) return;
        if (e.memory.total() / e.memory.capacity >= over_provisioned_memory_share) return;
        e.over_provisioned = true;
        e.smaller_option = fmt::format("{} x {} (tp/pp/dp {}) at {:.2f} USD/h", cheapest->gpu_count, cheapest->device.id(),
                                       layout_label(deployment_id(*cheapest)), cheapest->cost.per_hour->value());
    };
    for (auto& c : candidates) flag(c);
    if (single) flag(*single);
}


namespace {

std::string gpu_text(std::int64_t n) { return plural(n, "GPU"); }

/// "tp 8 x pp 1 x dp 2", with "x cp N" when context parallelism is on: the factors of the GPU count
/// (without "x dp" for the group one replica needs).
std::string layout_product(const Layout& l, bool with_data = true) {
    std::string out = fmt::format("tp {} x pp {}", l.tensor, l.pipeline);
    if (with_data) out += fmt::format(" x dp {}", l.data);
    if (l.context > 1) out += fmt::format(" x cp {}", l.context);
    return out;
}

}  // namespace

Evaluation check_deployment(Problem p, const Catalog& catalog, const std::optional<Partition>& partition) {
    auto& dep = p.spec.deployment;
    if (dep.gpus.size() != 1)
        throw usage_error("check evaluates one GPU type: give --gpu ID or a single id in the spec's deployment.gpus");
    // Each flag is bounded; their product must be too, or the GPU count overflows 64 bits.
    const double layout_gpus = static_cast<double>(dep.tensor_parallel.value_or(1)) * static_cast<double>(dep.pipeline_parallel.value_or(1)) *
                               static_cast<double>(dep.data_parallel.value_or(1)) * static_cast<double>(dep.context_parallel.value_or(1));
    if (layout_gpus > static_cast<double>(limits::max_gpu_count))
        throw usage_error(fmt::format("tensor {} x pipeline {} x data {} x context {} is {:g} GPUs, more than the {} accepted",
                                      dep.tensor_parallel.value_or(1), dep.pipeline_parallel.value_or(1), dep.data_parallel.value_or(1),
                                      dep.context_parallel.value_or(1), layout_gpus, limits::max_gpu_count));
    const Gpu& g = *catalog.find_id(dep.gpus.front());
    if (partition) return evaluate(p, Device{.gpu = &g, .partition = partition}, Layout{});
    if (dep.tensor_parallel && dep.pipeline_parallel && (dep.data_parallel || dep.gpu_count)) {
        const std::int64_t group = *dep.tensor_parallel * *dep.pipeline_parallel * dep.context_parallel.value_or(1);
        Layout l{.tensor = *dep.tensor_parallel, .pipeline = *dep.pipeline_parallel,
                 .data = dep.data_parallel.value_or(std::max<std::int64_t>(1, dep.gpu_count.value_or(1) / group)),
                 .expert = dep.expert_parallel.value_or(1), .context = dep.context_parallel.value_or(1)};
        if (dep.gpu_count && l.gpus() != *dep.gpu_count)
            throw usage_error(fmt::format("gpu count {} does not equal {} = {}", *dep.gpu_count, layout_product(l), l.gpus()));
        // A layout the model cannot be split into is a mistake in the request, not a verdict.
        if (const auto why = layout_problems(p, whole(g), l); !why.empty())
            throw usage_error(fmt::format("impossible layout {} on '{}': {}", layout_product(l), g.id, fmt::join(why, "; ")));
        return evaluate(p, whole(g), l);
    }
    if (!dep.gpu_count && !dep.tensor_parallel && !dep.pipeline_parallel && !dep.data_parallel) dep.gpu_count = 1;
    Plan plan = plan_deployments(p, catalog, PlanOptions{.include_partitions = false, .progress = {}});
    if (!plan.candidates.empty()) return plan.candidates.front();
    if (plan.rejected.empty()) {
        // Say why: the pinned degrees, each defaulting to 1, as the planner would check them.
        const Layout pinned{.tensor = dep.tensor_parallel.value_or(1), .pipeline = dep.pipeline_parallel.value_or(1),
                            .data = dep.data_parallel.value_or(1), .expert = dep.expert_parallel.value_or(1),
                            .context = dep.context_parallel.value_or(1)};
        std::vector<std::string> why = plan.invalid_reasons;
        if (why.empty()) why = layout_problems(p, whole(g), pinned);
        const std::int64_t group = pinned.tensor * pinned.pipeline * pinned.context;
        const std::int64_t most = dep.gpu_count.value_or(dep.max_gpus.value_or(default_max_gpus(p.spec.workload)));
        const std::string product = layout_product(pinned, false);
        if (why.empty() && dep.gpu_count && *dep.gpu_count % group != 0)
            why.push_back(fmt::format("{} is not a multiple of {} = {}", gpu_text(*dep.gpu_count), product, group));
        if (why.empty() && group > most)
            why.push_back(fmt::format("{} needs {}, more than the {} allowed (deployment.max_gpus)", product, gpu_text(group), most));
        if (why.empty()) why.push_back(fmt::format("the search finds no layout of {} for {}", product, g.id));
        std::vector<std::string> pins;
        if (dep.gpu_count) pins.push_back(gpu_text(*dep.gpu_count));
        for (const auto& [name, value] : {std::pair{"tp", dep.tensor_parallel}, std::pair{"pp", dep.pipeline_parallel},
                                          std::pair{"dp", dep.data_parallel}, std::pair{"cp", dep.context_parallel}})
            if (value) pins.push_back(fmt::format("{} {}", name, *value));
        throw usage_error(fmt::format("no layout {}on '{}' is possible for this model: {}",
                                      pins.empty() ? "" : fmt::format("with {} ", fmt::join(pins, ", ")), g.id, fmt::join(why, "; ")));
    }
    return closest_to_passing(p, plan.rejected);
}

Evaluation best_or_closest(const Problem& p, const Catalog& catalog) {
    if (p.spec.deployment.gpus.size() == 1) return check_deployment(p, catalog);
    const Plan plan = plan_deployments(p, catalog);
    if (plan.candidates.empty() && plan.rejected.empty())
        throw usage_error("nothing to explain: no valid layout of any GPU in the search", "name one with --gpu ID");
    Evaluation e = plan.candidates.empty() ? closest_to_passing(p, plan.rejected) : plan.candidates.front();
    e.rank = 0;
    return e;
}

std::optional<std::int64_t> fewest_training_gpus(const Problem& p, const Catalog& catalog, const Evaluation& e) {
    Problem q = p;
    const DeploymentSpec& pinned = p.spec.deployment;
    q.spec.deployment = DeploymentSpec{};
    q.spec.deployment.gpus = {e.device.gpu->id};
    q.spec.deployment.max_gpus = pinned.max_gpus;
    q.spec.deployment.gpus_per_node = pinned.gpus_per_node;
    const Plan plan = plan_deployments(q, catalog, PlanOptions{.include_partitions = e.device.partition.has_value(), .progress = {}});
    std::optional<std::int64_t> fewest;
    for (const auto& c : plan.candidates)
        if (c.device.id() == e.device.id() && (!fewest || c.gpu_count < *fewest)) fewest = c.gpu_count;
    return fewest;
}

}  // namespace gpusize
