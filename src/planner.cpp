#include "gpusize/planner.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <tuple>
#include <fmt/format.h>

#include "gpusize/diagnostics.hpp"

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

std::string gib_text(Bytes b) {
    // As fmt's "{:.1f} GiB", which costs several times more: a plan says this of every layout
    // that does not fit.
    char buffer[400];  // the largest double has 309 integer digits
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, to_gib(b), std::chars_format::fixed, 1);
    return r.ec == std::errc() ? std::string(buffer, r.ptr) + " GiB" : fmt::format("{:.1f} GiB", to_gib(b));
}

/// `v` with `decimals` decimals, or with two significant digits where the decimals keep fewer (a
/// 0.001 ms target is "0.001", not "0.0"; 0.05 ms is "0.05", not "0.1").
std::string number_text(double v, int decimals) {
    // std::to_chars writes what fmt's "{:.Nf}" and "{:.2g}" write, at a fraction of the cost: a
    // plan formats these for every layout that misses a target.
    char buffer[400];  // the largest double has 309 integer digits
    const auto fixed = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
    std::string s = fixed.ec == std::errc() ? std::string(buffer, fixed.ptr) : fmt::format("{:.{}f}", v, decimals);
    const auto first = s.find_first_of("123456789");
    std::size_t significant = 0;
    for (std::size_t i = first; first != std::string::npos && i < s.size(); ++i) significant += s[i] != '.';
    if (v != 0 && significant < 2) s = std::string(buffer, std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::general, 2).ptr);
    return s;
}

/// An achieved value and its target, each with the fewest decimals (from `decimals`) at which the
/// two read differently, so that "misses requests_per_s: 0.50 < 0.50" cannot be printed.
std::pair<std::string, std::string> compared_text(double achieved, double target, int decimals) {
    for (int d = decimals; d <= decimals + 8; ++d) {
        auto a = number_text(achieved, d), t = number_text(target, d);
        if (a != t || achieved == target) return {a, t};
    }
    return {fmt::format("{:.17g}", achieved), fmt::format("{:.17g}", target)};
}

std::vector<std::int64_t> powers_of_two(std::int64_t limit) {
    std::vector<std::int64_t> out;
    for (std::int64_t v = 1; v <= limit; v *= 2) out.push_back(v);
    return out;
}

void price(Evaluation& e, const Problem& p) {
    const auto cost = price_deployment(e.device, e.layout, e.training.has_value(), p.spec.pricing);
    e.cost.basis = cost.basis;
    if (!cost.per_hour) return;
    e.cost.per_hour = cost.per_hour;
    if (e.inference) {
        const auto& perf = e.inference->performance;
        if (auto& growth = e.inference->growth) {
            // The grown load runs more replicas of the same layout, bought the same way.
            Layout grown = e.layout;
            grown.data = growth->replicas;
            if (grown.data % grown.expert != 0) grown.expert = 1;
            growth->usd_per_hour = price_deployment(e.device, grown, false, p.spec.pricing).per_hour;
        }
        e.cost.usd_per_million_output_tokens = usd_per_million_tokens(*e.cost.per_hour, perf.output_tokens_per_s);
        e.cost.usd_per_million_input_tokens =
            usd_per_million_tokens(*e.cost.per_hour, perf.requests_per_s * d(p.spec.inference.input_tokens));
        e.cost_per_throughput = e.cost.usd_per_million_output_tokens;
    }
    if (e.training) {
        const auto& perf = e.training->performance;
        e.cost.usd_per_million_training_tokens = usd_per_million_tokens(*e.cost.per_hour, perf.tokens_per_s);
        if (perf.time_to_train) e.cost.total = *e.cost.per_hour * *perf.time_to_train;
        e.cost_per_throughput = e.cost.usd_per_million_training_tokens;
    }
}

std::string missing_hardware_reason(const Problem& p, const Device& dev, const Layout& l) {
    if (!dev.peak(p.spec.precision.activations)) {
        const bool fp16 = dev.peak(DType::fp16).has_value() && p.spec.precision.activations == DType::bf16;
        return fmt::format("'{}' has no dense {} rate in the catalog{}", dev.gpu->id, to_string(p.spec.precision.activations),
                           fp16 ? ": it computes in fp16 (set precision.activations: fp16)" : "");
    }
    return fmt::format("layout spans {} GPUs but '{}' has no scale-out link in the catalog", l.gpus(), dev.gpu->id);
}

/// The concurrency `concurrency: auto` serves on this deployment, with the memory at that value:
/// the most sequences the KV pool holds (at most the sampler's batch), lowered until the pool
/// evaluated *at that concurrency* still holds it (engines that size activations and logits by
/// the batch in flight have less pool for a larger batch), then the largest batch whose decode
/// step meets the TPOT target. Every figure reported for `auto` is therefore what the same
/// deployment gives with the value pinned.
struct ChosenConcurrency {
    std::int64_t value = 1;
    InferenceMemory memory;
    bool tpot_limited = false;
};

ChosenConcurrency choose_concurrency(const Problem& p, const Evaluation& e, const InferenceMemory& at_one) {
    const auto cap = std::max<std::int64_t>(1, floor_count(p.calibration[Constant::sampler_sequences]));
    ChosenConcurrency c{.value = std::clamp<std::int64_t>(at_one.max_concurrency, 1, cap), .memory = at_one, .tpot_limited = false};
    // The pool shrinks as the batch grows, so the value only goes down: at most a few turns.
    for (;;) {
        c.memory = c.value == 1 ? at_one : estimate_inference_memory(p, e.device, e.layout, c.value);
        if (c.value == 1 || c.memory.max_concurrency >= c.value) break;
        c.value = std::max<std::int64_t>(1, std::min(c.value - 1, c.memory.max_concurrency));
    }
    const auto& tpot = p.spec.inference.targets.tpot;
    if (!tpot || c.value == 1) return c;
    auto step = [&](std::int64_t n) { return estimate_inference_performance(p, e.device, e.layout, n, c.memory.stage); };
    const auto at_value = step(c.value);
    if (!at_value || at_value->tpot <= *tpot) return c;
    // The step time grows with the batch: bisect for the largest that meets the target. A smaller
    // batch needs no more memory, so it still fits.
    std::int64_t lo = 1, hi = c.value;
    while (lo < hi) {
        const std::int64_t mid = (lo + hi + 1) / 2;
        if (step(mid)->tpot <= *tpot) lo = mid;
        else hi = mid - 1;
    }
    c.value = lo;
    c.memory = estimate_inference_memory(p, e.device, e.layout, c.value);
    c.tpot_limited = true;
    return c;
}

void evaluate_inference(const Problem& p, Evaluation& e) {
    const auto& inf = p.spec.inference;
    auto mem = estimate_inference_memory(p, e.device, e.layout, inf.concurrency.value_or(1));
    std::int64_t concurrency = inf.concurrency.value_or(1);
    bool tpot_limited = false;
    if (!inf.concurrency && mem.max_concurrency >= 1) {
        auto chosen = choose_concurrency(p, e, mem);
        concurrency = chosen.value;
        mem = std::move(chosen.memory);
        tpot_limited = chosen.tpot_limited;
    }
    InferenceResult r;
    e.memory_stage = mem.stage;
    const Bytes fixed = mem.breakdown.weights + mem.breakdown.activations + mem.breakdown.overhead;
    e.fits = mem.max_concurrency >= 1 && mem.max_concurrency >= concurrency;
    if (fixed > mem.budget) {
        e.reasons.push_back(fmt::format("does not fit: weights, activations and overhead need {} per GPU, the {} budget is {}",
                                        gib_text(fixed), to_string(inf.engine), gib_text(mem.budget)));
    } else if (!e.fits) {
        e.reasons.push_back(fmt::format("does not fit: the KV cache holds {} sequence(s) of {} tokens, {} requested",
                                        mem.max_concurrency, inf.input_tokens + inf.output_tokens, concurrency));
    }
    const auto perf = estimate_inference_performance(p, e.device, e.layout, concurrency, mem.stage);
    if (!perf) {
        e.fits = false;
        // The missing rate or link is what no change of layout or spec value can fix: said first.
        e.reasons.insert(e.reasons.begin(), missing_hardware_reason(p, e.device, e.layout));
        e.memory = mem.breakdown;
        return;
    }
    if (tpot_limited) r.binding_target = "tpot_ms";
    mem.breakdown.kv_cache = mem.per_sequence() * d(concurrency);
    e.memory = mem.breakdown;
    r.memory = mem;
    r.performance = *perf;
    e.throughput = perf->output_tokens_per_s;
    const auto& t = inf.targets;
    auto miss = [&](std::string what) {
        e.meets_targets = false;
        e.reasons.push_back(std::move(what));
    };
    // The binding target is the one with the least slack.
    std::vector<std::pair<double, std::string>> slack;
    if (t.ttft) slack.emplace_back(*t.ttft / perf->ttft, "ttft_ms");
    if (t.tpot) slack.emplace_back(*t.tpot / perf->tpot, "tpot_ms");
    std::optional<double> headroom;
    auto throughput_target = [&](double achieved, double target, const char* name) {
        slack.emplace_back(achieved / target, name);
        headroom = std::min(headroom.value_or(INFINITY), achieved / target - 1.0);
    };
    r.loaded = estimate_loaded_performance(p, e.device, e.layout, *perf, mem.stage);
    const LoadedPerformance* loaded = r.loaded ? &*r.loaded : nullptr;
    // Percentile targets under the stated load; a saturated engine has no percentiles and misses
    // each of them (and the load itself, below).
    struct Percentile {
        std::optional<Seconds> target;
        const char* name;
        std::optional<Seconds> achieved;
    };
    std::vector<Percentile> percentiles;
    if (loaded) {
        auto get = [&](const std::optional<LatencyDistribution>& d, Seconds LatencyDistribution::*q) {
            return d ? std::optional<Seconds>((*d).*q) : std::nullopt;
        };
        percentiles = {{t.ttft_p90, "ttft_p90_ms", get(loaded->ttft, &LatencyDistribution::p90)},
                       {t.ttft_p99, "ttft_p99_ms", get(loaded->ttft, &LatencyDistribution::p99)},
                       {t.tpot_p90, "tpot_p90_ms", get(loaded->tpot, &LatencyDistribution::p90)},
                       {t.tpot_p99, "tpot_p99_ms", get(loaded->tpot, &LatencyDistribution::p99)}};
        for (const auto& q : percentiles)
            if (q.target) slack.emplace_back(q.achieved ? *q.target / *q.achieved : 0.0, q.name);
        if (loaded->saturated) slack.emplace_back(1.0 / loaded->utilization, "arrival");
    }
    if (t.output_tokens_per_s) throughput_target(perf->output_tokens_per_s, *t.output_tokens_per_s, "output_tokens_per_s");
    if (t.requests_per_s) throughput_target(perf->requests_per_s, *t.requests_per_s, "requests_per_s");
    if (r.binding_target.empty() && !slack.empty())
        r.binding_target = std::min_element(slack.begin(), slack.end())->second;
    r.headroom = headroom;
    if (t.growth && (t.output_tokens_per_s || t.requests_per_s)) {
        const double per_replica_out = perf->output_tokens_per_s / d(e.layout.data);
        const double per_replica_req = perf->requests_per_s / d(e.layout.data);
        double need = 1;
        if (t.output_tokens_per_s) need = std::max(need, *t.growth * *t.output_tokens_per_s / per_replica_out);
        if (t.requests_per_s) need = std::max(need, *t.growth * *t.requests_per_s / per_replica_req);
        GrowthResult g;
        g.factor = *t.growth;
        // Bounded before the conversion: an absurd target must not overflow the count.
        g.replicas = ceil_count(std::min(need, 1e12) - 1e-9);
        g.gpus = g.replicas * e.layout.tensor * e.layout.pipeline * e.layout.context;
        r.growth = g;
    }
    auto missed = [&](const char* name, double achieved, double target, int decimals, const char* op, const char* unit) {
        const auto [a, b] = compared_text(achieved, target, decimals);
        miss(std::string("misses ") + name + ": " + a + unit + " " + op + " " + b + unit);
    };
    if (t.ttft && perf->ttft > *t.ttft) missed("ttft_ms", to_ms(perf->ttft), to_ms(*t.ttft), 1, ">", " ms");
    if (t.tpot && perf->tpot > *t.tpot) missed("tpot_ms", to_ms(perf->tpot), to_ms(*t.tpot), 1, ">", " ms");
    if (t.output_tokens_per_s && perf->output_tokens_per_s < *t.output_tokens_per_s)
        missed("output_tokens_per_s", perf->output_tokens_per_s, *t.output_tokens_per_s, 0, "<", "");
    if (t.requests_per_s && perf->requests_per_s < *t.requests_per_s)
        missed("requests_per_s", perf->requests_per_s, *t.requests_per_s, 2, "<", "");
    if (loaded && loaded->saturated) {
        const auto [a, b] = compared_text(loaded->offered_requests_per_s, loaded->capacity_requests_per_s, 2);
        miss("saturated: the arrival of " + a + " requests/s reaches the capacity of " + b + " requests/s");
    }
    for (const auto& q : percentiles) {
        if (!q.target) continue;
        if (!q.achieved) miss(std::string("misses ") + q.name + ": no percentile, the engine is saturated");
        else if (*q.achieved > *q.target) missed(q.name, to_ms(*q.achieved), to_ms(*q.target), 1, ">", " ms");
    }
    e.inference = r;
}

void evaluate_training_at(const Problem& p, Evaluation& e) {
    const TrainingRecipe recipe = training_recipe(p, e.layout);
    const auto mem = estimate_training_memory(p, e.device, e.layout, recipe);
    e.memory = mem.breakdown;
    e.memory_stage = mem.stage;
    e.fits = mem.breakdown.total() <= mem.breakdown.capacity;
    if (!e.fits)
        e.reasons.push_back(fmt::format("does not fit: needs {} per GPU (stage {}), has {}", gib_text(mem.breakdown.total()),
                                        mem.stage, gib_text(mem.breakdown.capacity)));
    const auto perf = estimate_training_performance(p, e.device, e.layout, recipe);
    if (!perf) {
        e.fits = false;
        // The missing rate or link is what no change of layout or spec value can fix: said first.
        e.reasons.insert(e.reasons.begin(), missing_hardware_reason(p, e.device, e.layout));
        return;
    }
    e.training = TrainingResult{.performance = *perf,
                                .recipe = recipe,
                                .micro_batch = p.spec.training.micro_batch,
                                .micro_batches_in_flight = mem.micro_batches_in_flight,
                                .memory_peak = mem.peak,
                                .memory_parts = mem.parts,
                                .host_memory = mem.host};
    e.throughput = perf->tokens_per_s;
}

/// The micro-batch sizes `micro_batch: auto` tries on a layout: powers of two up to 64 that
/// divide each data-parallel replica's share of the global batch (all of it with the optimizer
/// in backward, which cannot accumulate).
std::vector<std::int64_t> micro_batch_choices(const TrainingSpec& tr, const Layout& l) {
    std::vector<std::int64_t> out;
    const std::int64_t share = tr.global_batch ? *tr.global_batch / l.data : 0;
    if (tr.optimizer_in_backward && share > 0) return {share};
    for (std::int64_t m = 1; m <= 64; m *= 2)
        if (share == 0 || share % m == 0) out.push_back(m);
    return out;
}

/// A training layout at the spec's micro batch, or with `auto` at the fastest that fits (the
/// smallest, with its reasons, when none does).
void evaluate_training(const Problem& p, Evaluation& e) {
    if (!p.spec.training.micro_batch_auto) return evaluate_training_at(p, e);
    Problem q = p;
    std::optional<Evaluation> best;
    for (const std::int64_t m : micro_batch_choices(p.spec.training, e.layout)) {
        q.spec.training.micro_batch = m;
        Evaluation x = e;
        evaluate_training_at(q, x);
        // Memory never decreases with the micro batch: once one overflows, every larger one does
        // too and could not replace `best`, so they are not evaluated.
        const bool overflows = x.memory.total() > x.memory.capacity;
        if (!best || (x.fits && (!best->fits || x.throughput > best->throughput))) best = std::move(x);
        if (overflows) break;
    }
    e = std::move(*best);
}

}  // namespace

double round_significant(double v, int digits) {
    if (v == 0 || !std::isfinite(v)) return v;
    // Values this small (subnormals among them) are first scaled by an exact power of two, so the
    // power of ten below stays finite; the way back is monotonic, which is all a sort key needs.
    const bool tiny = std::fabs(v) < 0x1p-900;
    const double x = tiny ? std::ldexp(v, 1000) : v;
    const int exponent = static_cast<int>(std::floor(std::log10(std::fabs(x))));
    const int shift = digits - 1 - exponent;
    // Multiplying or dividing by a power of ten (never by its inexact reciprocal) keeps results
    // such as 1.23456789 exact to the double; both powers stay finite for every finite x.
    const double p = std::pow(10.0, std::abs(shift));
    const double r = shift >= 0 ? std::round(x * p) / p : std::round(x / p) * p;
    return tiny ? std::ldexp(r, -1000) : r;
}

std::vector<std::string> layout_problems(const Problem& p, const Device& dev, const Layout& l) {
    const auto& m = p.model.stack;
    std::vector<std::string> out;
    // Every kind of layer must split over the tensor-parallel group: its heads, and its KV heads
    // where its cache is split by them, unless they are replicated (tensor a multiple of them).
    for (std::size_t k = 0; k < m.kinds.size(); ++k) {
        const auto& a = m.kinds[k].attention;
        if (a.heads % l.tensor != 0) {
            out.push_back(fmt::format("tensor parallel {} does not divide {} attention heads", l.tensor, a.heads));
            break;
        }
        if (m.work[k].kv_split_by_heads && a.kv_heads % l.tensor != 0 && l.tensor % a.kv_heads != 0) {
            out.push_back(fmt::format("tensor parallel {} neither divides nor is a multiple of {} KV heads", l.tensor, a.kv_heads));
            break;
        }
    }
    if (l.pipeline > m.layers)
        out.push_back(fmt::format("pipeline parallel {} exceeds {} layers", l.pipeline, m.layers));
    const std::int64_t node = node_size(*dev.gpu, p.spec.deployment.gpus_per_node);
    if (l.tensor > node)
        out.push_back(fmt::format("tensor parallel {} spans nodes of {} GPU{}: keep it inside one node", l.tensor, node, node == 1 ? "" : "s"));
    if (l.expert > 1) {
        const auto experts = routed_experts(m);
        if (experts == 0) out.push_back(fmt::format("expert parallel {} needs a mixture-of-experts model", l.expert));
        else if (experts % l.expert != 0)
            out.push_back(fmt::format("expert parallel {} does not divide {} experts", l.expert, experts));
        if (l.data % l.expert != 0)
            out.push_back(fmt::format("expert parallel {} must divide data parallel {}", l.expert, l.data));
    }
    if (dev.partition && l.gpus() != 1)
        out.push_back(fmt::format("a '{}' slice runs on its own, not in a {}-GPU layout", dev.partition->profile, l.gpus()));
    if (p.spec.workload == Workload::training) {
        const auto& tr = p.spec.training;
        if (tr.micro_batch_auto && tr.global_batch && *tr.global_batch % l.data != 0)
            out.push_back(fmt::format("global batch {} is not a multiple of data parallel {}", *tr.global_batch, l.data));
        if (!tr.micro_batch_auto && tr.global_batch && *tr.global_batch % (tr.micro_batch * l.data) != 0)
            out.push_back(fmt::format("global batch {} is not a multiple of micro batch {} x data parallel {}",
                                      *tr.global_batch, tr.micro_batch, l.data));
        if (!tr.micro_batch_auto && tr.optimizer_in_backward && tr.global_batch && *tr.global_batch > tr.micro_batch * l.data)
            out.push_back(fmt::format("optimizer_in_backward cannot accumulate gradients: global batch {} is {} micro-batches of "
                                      "micro batch {} x data parallel {}, and it needs one",
                                      *tr.global_batch, *tr.global_batch / (tr.micro_batch * l.data), tr.micro_batch, l.data));
        if (tr.sequence_length % l.context != 0)
            out.push_back(fmt::format("context parallel {} does not divide sequence length {}", l.context, tr.sequence_length));
    }
    return out;
}

namespace {

/// Extreme catalog or calibration numbers can drive an estimate to zero, infinity or NaN; such an
/// evaluation is no answer, so it is rejected with what went wrong rather than ranked.
std::string out_of_range_reason(const Evaluation& e) {
    auto bad_time = [](Seconds t) { return !std::isfinite(t.value()) || t.value() < 0; };
    const char* what = nullptr;
    if (e.inference) {
        const auto& perf = e.inference->performance;
        if (bad_time(perf.ttft) || bad_time(perf.tpot)) what = "a time that is not finite";
        else if (!(perf.output_tokens_per_s > 0) || !std::isfinite(perf.output_tokens_per_s) || !(perf.requests_per_s > 0) ||
                 !std::isfinite(perf.requests_per_s))
            what = "a throughput that is not a finite positive rate";
    } else if (e.training) {
        const auto& perf = e.training->performance;
        if (bad_time(perf.step_time) || (perf.time_to_train && bad_time(*perf.time_to_train))) what = "a time that is not finite";
        else if (!(perf.tokens_per_s > 0) || !std::isfinite(perf.tokens_per_s))
            what = "a throughput that is not a finite positive rate";
    }
    if (!what) return {};
    return fmt::format("cannot estimate: the catalog and calibration numbers for '{}' give {}", e.device.gpu->id, what);
}

/// Evaluates a layout already known to be valid (or returns it with `problems` as its reasons).
Evaluation evaluate_valid(const Problem& p, const Device& dev, const Layout& l, std::vector<std::string> problems) {
    Evaluation e;
    e.device = dev;
    e.layout = l;
    e.gpu_count = l.gpus();
    e.reasons = std::move(problems);
    if (!e.reasons.empty()) return e;
    if (p.spec.workload == Workload::inference) evaluate_inference(p, e);
    else evaluate_training(p, e);
    if (const auto why = out_of_range_reason(e); !why.empty()) {
        e.fits = false;
        e.reasons.push_back(why);
    }
    price(e, p);
    if (p.spec.pricing.mode == PricingMode::onprem && !e.cost.per_hour && e.fits)
        e.reasons.push_back(fmt::format("no purchase price for '{}' in the catalog: cost unknown", dev.gpu->id));
    return e;
}

}  // namespace

Evaluation evaluate(const Problem& p, const Device& dev, const Layout& l) {
    return evaluate_valid(p, dev, l, layout_problems(p, dev, l));
}

namespace {

/// Under a stated arrival, the fewest replicas of `l` (at most what `max_gpus` allows) that serve
/// it unsaturated and meet every target: each replica takes an equal share of the load, so a
/// replica's latency only falls as replicas are added, and the first count that passes is found
/// by doubling, then bisecting.
std::int64_t replicas_for_load(const Problem& p, const Device& dev, Layout l, std::int64_t max_gpus) {
    const std::int64_t group = l.tensor * l.pipeline * l.context;
    const std::int64_t most = std::max<std::int64_t>(1, max_gpus / group);
    l.data = 1;
    const Evaluation one = evaluate(p, dev, l);
    if (!one.fits || !one.inference || !one.inference->loaded) return 1;
    const auto& t = p.spec.inference.targets;
    const auto& perf = one.inference->performance;
    double need = 1;
    if (const auto rate = p.spec.inference.arrival->requests_per_s)
        need = std::floor(*rate / one.inference->loaded->capacity_requests_per_s) + 1;  // below capacity, not at it
    if (t.output_tokens_per_s) need = std::max(need, std::ceil(*t.output_tokens_per_s / perf.output_tokens_per_s - 1e-9));
    if (t.requests_per_s) need = std::max(need, std::ceil(*t.requests_per_s / perf.requests_per_s - 1e-9));
    std::int64_t lo = std::clamp<std::int64_t>(floor_count(std::min(need, 1e12)), 1, most);
    auto passes = [&](std::int64_t d) {
        l.data = d;
        if (l.data % l.expert != 0) return false;
        const Evaluation e = evaluate(p, dev, l);
        return e.fits && e.meets_targets;
    };
    if (passes(lo)) return lo;
    std::int64_t hi = lo;
    for (;;) {
        if (hi >= most) return most;  // none passes: the largest shows how close it comes
        hi = std::min(most, hi * 2);
        if (passes(hi)) break;
        lo = hi;
    }
    while (hi - lo > 1) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        (passes(mid) ? hi : lo) = mid;
    }
    return hi;
}

}  // namespace

DeploymentId deployment_id(const Evaluation& e) {
    return DeploymentId{.gpu = e.device.gpu->id,
                        .partition = e.device.partition ? e.device.partition->profile : std::string(),
                        .gpus = e.gpu_count,
                        .layout = e.layout,
                        .micro_batch = e.training ? e.training->micro_batch : 1};
}

std::string layout_label(const Layout& l, std::int64_t micro_batch) {
    std::string out = fmt::format("{}/{}/{}", l.tensor, l.pipeline, l.data);
    if (l.expert != 1) out += fmt::format(" ep{}", l.expert);
    if (l.context != 1) out += fmt::format(" cp{}", l.context);
    if (micro_batch != 1) out += fmt::format(" mb{}", micro_batch);
    return out;
}

std::string layout_label(const DeploymentId& id) { return layout_label(id.layout, id.micro_batch); }

std::string deployment_label(const DeploymentId& id) {
    return fmt::format("{} x {}{} ({})", id.gpus, id.gpu, id.partition.empty() ? "" : ":" + id.partition, layout_label(id));
}

namespace {

/// `v` reordered by `keys` (one per element, compared once each rather than rebuilt per comparison):
/// an Evaluation is large, so the sort moves indices.
template <class Key>
void sort_by(std::vector<Evaluation>& v, const std::vector<Key>& keys) {
    std::vector<std::size_t> index(v.size());
    for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
    std::stable_sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
    // Position k takes v[index[k]]: the permutation is applied in place, one cycle at a time,
    // rather than into a second megabyte-sized vector.
    for (std::size_t start = 0; start < v.size(); ++start) {
        if (index[start] == start) continue;
        Evaluation held = std::move(v[start]);
        std::size_t k = start;
        while (index[k] != start) {
            const std::size_t from = index[k];
            v[k] = std::move(v[from]);
            index[k] = k;
            k = from;
        }
        v[k] = std::move(held);
        index[k] = k;
    }
}

}  // namespace

std::optional<double> ranking_cost(const Evaluation& e) {
    const auto* i = e.inference ? &*e.inference : nullptr;
    if (!i || !i->loaded || !e.cost.per_hour || i->loaded->saturated || !(i->performance.requests_per_s > 0))
        return e.cost_per_throughput;
    // The tokens the stated load asks for, not what the deployment could serve at full batch.
    const double served = i->loaded->requests_per_s * i->performance.output_tokens_per_s / i->performance.requests_per_s;
    return usd_per_million_tokens(*e.cost.per_hour, served);
}

void rank_candidates(std::vector<Evaluation>& cs) {
    // Costs are compared at 9 significant digits so that replicas of one layout (same cost per
    // token up to rounding) tie and fall through to the GPU-count tie-break.
    auto rounded = [](double v) { return round_significant(v, 9); };
    std::vector<std::tuple<bool, double, std::int64_t, DeploymentId>> keys;
    keys.reserve(cs.size());
    for (const auto& e : cs) {
        const std::optional<double> cost = ranking_cost(e);
        keys.emplace_back(!cost.has_value(), cost ? rounded(*cost) : -rounded(e.throughput), e.gpu_count, deployment_id(e));
    }
    sort_by(cs, keys);
    for (std::size_t i = 0; i < cs.size(); ++i) cs[i].rank = static_cast<int>(i + 1);
}

Plan plan_deployments(const Problem& p, const Catalog& catalog, const PlanOptions& options) {
    const auto& dep = p.spec.deployment;
    const bool training = p.spec.workload == Workload::training;
    std::vector<const Gpu*> gpus;
    if (dep.gpus.empty()) {
        for (const auto& g : catalog.gpus) gpus.push_back(&g);
    } else {
        for (const auto& name : dep.gpus) {
            const Gpu* g = &catalog.resolve(name);
            if (std::find(gpus.begin(), gpus.end(), g) == gpus.end()) gpus.push_back(g);
        }
        std::sort(gpus.begin(), gpus.end(), [](const Gpu* a, const Gpu* b) { return a->id < b->id; });
    }
    const std::int64_t max_gpus = dep.gpu_count.value_or(dep.max_gpus.value_or(default_max_gpus(p.spec.workload)));
    Plan plan;
    // The valid layouts are listed first and evaluated after, into vectors sized for all of them:
    // an Evaluation is over a kilobyte, and vectors that grow as they go copy a plan's worth of
    // them into fresh memory several times over.
    std::vector<std::pair<Device, Layout>> layouts;
    auto consider = [&](const Device& dev, const Layout& l) {
        if (l.gpus() > max_gpus || (dep.gpu_count && l.gpus() != *dep.gpu_count)) return;
        // The search covers valid layouts only; ones the model cannot be split into are counted.
        if (const auto problems = layout_problems(p, dev, l); !problems.empty()) {
            ++plan.invalid;
            for (const auto& why : problems)
                if (plan.invalid_reasons.size() < 5 &&
                    std::find(plan.invalid_reasons.begin(), plan.invalid_reasons.end(), why) == plan.invalid_reasons.end())
                    plan.invalid_reasons.push_back(why);
            return;
        }
        layouts.emplace_back(dev, l);
    };
    auto evaluate_layout = [&](const Device& dev, const Layout& l) {
        Evaluation e = evaluate_valid(p, dev, l, {});
        ++plan.evaluated;
        if (options.progress) options.progress(plan.evaluated);
        if (e.fits && e.meets_targets && e.reasons.empty()) plan.candidates.push_back(std::move(e));
        else plan.rejected.push_back(std::move(e));
    };
    auto degrees = [&](const std::optional<std::int64_t>& pinned, std::int64_t limit) {
        return pinned ? std::vector<std::int64_t>{*pinned} : powers_of_two(limit);
    };
    for (const Gpu* g : gpus) {
        const std::int64_t node = node_size(*g, dep.gpus_per_node);
        const auto tensors = degrees(dep.tensor_parallel, std::min(node, max_gpus));
        // Inference rarely pipelines past a few nodes; training runs go to 32 stages (Llama 3 405B used 16).
        const std::int64_t deepest = training ? 32 : 16;
        const auto pipelines = degrees(dep.pipeline_parallel, std::min({deepest, max_gpus, p.model.stack.layers}));
        // Training searches expert parallelism for MoE models and context parallelism for long
        // sequences (32k tokens and up), where they change what fits; otherwise they stay 1.
        const std::int64_t experts_per_layer = routed_experts(p.model.stack);
        const bool search_experts = training && experts_per_layer > 0 && !dep.expert_parallel;
        const bool search_context = training && p.spec.training.sequence_length >= 32768 && !dep.context_parallel;
        const auto contexts = search_context ? powers_of_two(8) : std::vector<std::int64_t>{dep.context_parallel.value_or(1)};
        const std::int64_t expert = dep.expert_parallel.value_or(1);
        for (const auto t : tensors) {
            for (const auto pp : pipelines) {
                if (training) {
                    for (const auto context : contexts) {
                        const std::int64_t group = t * pp * context;
                        if (group > max_gpus) continue;
                        for (const auto dp : degrees(dep.data_parallel, max_gpus / group)) {
                            const auto experts = search_experts ? powers_of_two(std::min(dp, experts_per_layer))
                                                                : std::vector<std::int64_t>{expert};
                            for (const auto e : experts)
                                consider(whole(*g), Layout{.tensor = t, .pipeline = pp, .data = dp, .expert = e, .context = context});
                        }
                    }
                    continue;
                }
                const std::int64_t context = dep.context_parallel.value_or(1);
                const std::int64_t group = t * pp * context;
                if (group > max_gpus) continue;
                Layout l{.tensor = t, .pipeline = pp, .data = dep.data_parallel.value_or(1), .expert = expert, .context = context};
                if (!dep.data_parallel && dep.gpu_count) l.data = std::max<std::int64_t>(1, *dep.gpu_count / group);
                // Replicas to meet a throughput target: one replica's rate times the replica count.
                const auto& targets = p.spec.inference.targets;
                if (!dep.data_parallel && !dep.gpu_count && p.spec.inference.arrival) {
                    l.data = replicas_for_load(p, whole(*g), l, max_gpus);
                } else if (!dep.data_parallel && !dep.gpu_count && (targets.output_tokens_per_s || targets.requests_per_s)) {
                    const Evaluation one = evaluate(p, whole(*g), l);
                    if (one.inference && one.fits) {
                        const auto& perf = one.inference->performance;
                        double need = 1;
                        if (targets.output_tokens_per_s) need = std::max(need, *targets.output_tokens_per_s / perf.output_tokens_per_s);
                        if (targets.requests_per_s) need = std::max(need, *targets.requests_per_s / perf.requests_per_s);
                        l.data = std::max<std::int64_t>(1, ceil_count(std::min(need, static_cast<double>(max_gpus)) - 1e-9));
                        if (l.gpus() > max_gpus) l.data = std::max<std::int64_t>(1, max_gpus / group);
                    }
                }
                consider(whole(*g), l);
            }
        }
        const bool single = (!dep.gpu_count || *dep.gpu_count == 1) && !dep.tensor_parallel && !dep.pipeline_parallel;
        if (options.include_partitions && single && !training) {
            for (const auto& part : g->partitions) {
                if (part.compute_fraction >= 1.0) continue;  // the whole GPU is already a candidate
                consider(Device{.gpu = g, .partition = part}, Layout{});
            }
        }
    }
    plan.candidates.reserve(layouts.size());
    plan.rejected.reserve(layouts.size());
    for (const auto& [dev, l] : layouts) evaluate_layout(dev, l);
    rank_candidates(plan.candidates);
    // Rejected options in a total order that no catalog order (of GPUs or of a GPU's partitions) changes.
    std::vector<DeploymentId> ids;
    ids.reserve(plan.rejected.size());
    for (const auto& e : plan.rejected) ids.push_back(deployment_id(e));
    sort_by(plan.rejected, ids);
    return plan;
}

}  // namespace gpusize

namespace gpusize {

std::int64_t default_max_gpus(Workload w) { return w == Workload::training ? 1024 : 64; }

void note_gpu_name(Problem& p, const Catalog& catalog, std::string_view name) {
    auto note = catalog.alias_note(name);
    if (note && std::find(p.gpu_name_notes.begin(), p.gpu_name_notes.end(), *note) == p.gpu_name_notes.end())
        p.gpu_name_notes.push_back(std::move(*note));
}

void resolve_gpu_names(Problem& p, const Catalog& catalog) {
    DiagnosticSink sink;
    auto resolve = [&](const std::string& name, const SourceLocation& where) -> std::string {
        try {
            const std::string id = catalog.resolve(name).id;
            note_gpu_name(p, catalog, name);
            return id;
        } catch (const UsageError& e) {
            const auto& d = e.diagnostics().front();
            sink.error(where, d.message, d.hint);
            return name;
        }
    };
    auto& dep = p.spec.deployment;
    for (std::size_t i = 0; i < dep.gpus.size(); ++i)
        dep.gpus[i] = resolve(dep.gpus[i], i < dep.gpu_locations.size() ? dep.gpu_locations[i] : SourceLocation{p.spec.origin, 0, 0, {}});
    std::map<std::string, UsdPerHour> prices;
    for (const auto& [name, price] : p.spec.pricing.usd_per_gpu_hour) {
        auto it = p.spec.pricing.price_locations.find(name);
        prices[resolve(name, it != p.spec.pricing.price_locations.end() ? it->second : SourceLocation{p.spec.origin, 0, 0, {}})] = price;
    }
    p.spec.pricing.usd_per_gpu_hour = std::move(prices);
    sink.throw_if_any<SpecError>();
}

}  // namespace gpusize
