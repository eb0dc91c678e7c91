#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "gpusize/memory.hpp"
#include "gpusize/number_text.hpp"
#include "gpusize/render.hpp"

namespace gpusize {
namespace {

/// ANSI styling, applied only when the options ask for colour.
std::string paint(const RenderOptions& o, std::string_view code, std::string_view text) {
    return o.color ? format_text("\033[{}m{}\033[0m", code, text) : std::string(text);
}

/// `  - text` wrapped at `width` columns, continuation lines indented under the text.
std::string bullet(std::string_view text, const RenderOptions& o, std::string_view indent = "  - ") {
    if (!o.width || *o.width <= indent.size() + 20 || indent.size() + text.size() <= *o.width)
        return format_text("{}{}\n", indent, text);
    const std::size_t room = *o.width - indent.size();
    std::string out, pad(indent.size(), ' ');
    std::string_view rest = text;
    bool first = true;
    while (!rest.empty()) {
        std::size_t cut = rest.size() <= room ? rest.size() : rest.rfind(' ', room);
        if (cut == std::string_view::npos || cut == 0) cut = std::min(room, rest.size());
        out += format_text("{}{}\n", first ? std::string(indent) : pad, rest.substr(0, cut));
        rest.remove_prefix(cut);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        first = false;
    }
    return out;
}

std::string opt(const std::optional<double>& v, const char* f) { return v ? format_text(fmt::runtime(f), *v) : "-"; }

/// A share as a percentage: whole percent, or two significant digits below one percent, so a
/// small miss reads "-0.3%" rather than "-0%".
std::string percent_text(double share) {
    const double pct = share * 100;
    return std::fabs(pct) >= 1 || pct == 0 ? format_text("{:.0f}", pct) : format_text("{:.1g}", pct);
}

std::string layout_text(const Evaluation& e) { return layout_label(deployment_id(e)); }

std::string device_text(const Evaluation& e) { return e.device.id(); }

std::string memory_text(const Evaluation& e) {
    return format_text("{:.1f}/{:.1f}", to_gib(e.memory.total()), to_gib(e.memory.capacity));
}

std::string header(const Report& r) {
    const auto& s = r.problem.spec;
    const auto& m = r.problem.model;
    std::string out = format_text("gpusize {}: {}\n", r.command, s.name.empty() ? m.name : s.name);
    std::string params = m.parameters.active < m.parameters.total
                             ? format_text("{:.2f} B parameters, {:.2f} B active", m.parameters.total / 1e9, m.parameters.active / 1e9)
                             : format_text("{:.2f} B parameters", m.parameters.total / 1e9);
    out += format_text("model     {} ({}, {})\n", m.id, params, to_string(m.source_kind));
    if (s.workload == Workload::inference) {
        const auto& i = s.inference;
        out += format_text("workload  inference: {} input + {} output tokens, concurrency {}, engine {}", i.input_tokens,
                           i.output_tokens, i.concurrency ? std::to_string(*i.concurrency) : "auto", to_string(i.engine));
        if (i.arrival && i.arrival->users) out += format_text(", {} users (closed loop)", *i.arrival->users);
        else if (i.arrival)
            out += format_text(", {:g} requests/s arriving ({})", *i.arrival->requests_per_s,
                               i.arrival->burstiness == 1 ? std::string("Poisson") : format_text("burstiness {:g}", i.arrival->burstiness));
        out += "\n";
    } else {
        const auto& t = s.training;
        out += format_text("workload  training ({}): sequence {}, micro batch {}, global batch {}, {}, {}, checkpointing {}",
                           to_string(t.method), t.sequence_length, t.micro_batch_text(),
                           t.global_batch ? std::to_string(*t.global_batch) : "= micro x data", to_string(t.optimizer),
                           to_string(t.sharding), to_string(t.activation_checkpointing));
        if (t.optimizer_in_backward) out += ", optimizer in backward";
        if (t.offload.any()) out += format_text(", offload {}", fmt::join(t.offload.names(), "+"));
        if (t.loss_chunks > 1) out += format_text(", loss in {} chunks", t.loss_chunks);
        if (!t.fused_kernels) out += ", eager kernels";
        out += "\n";
    }
    out += format_text("precision weights {}, activations {}, kv cache {}\n\n", to_string(s.precision.weights),
                       to_string(s.precision.activations), to_string(s.precision.kv_cache));
    return out;
}

/// Width of the GPU column: the longest id shown.
std::size_t gpu_width(const std::vector<const Evaluation*>& es) {
    std::size_t w = 3;
    for (const Evaluation* e : es) w = std::max(w, device_text(*e).size());
    return w;
}

/// Width of the layout column: at least `least`, else the longest layout shown (`2/4/2 ep4 mb2`).
std::size_t layout_width(const std::vector<const Evaluation*>& es, std::size_t least) {
    std::size_t w = least;
    for (const Evaluation* e : es) w = std::max(w, layout_text(*e).size());
    return w;
}

std::string inference_rows(const std::vector<const Evaluation*>& es, bool with_rank) {
    const std::size_t w = gpu_width(es), lw = layout_width(es, 7);
    std::string out = format_text("{:>4}  {:<{}} {:>5} {:>{}}  {:>13}  {:>8} {:>8} {:>6} {:>10} {:>8} {:>9}\n", with_rank ? "rank" : "",
                                  "gpu", w, "gpus", "tp/pp/dp", lw, "mem/gpu GiB", "ttft ms", "tpot ms", "conc", "out tok/s", "$/h",
                                  "$/1M out");
    for (const Evaluation* e : es) {
        const auto* p = e->inference ? &e->inference->performance : nullptr;
        out += format_text("{:>4}  {:<{}} {:>5} {:>{}}  {:>13}  {:>8} {:>8} {:>6} {:>10} {:>8} {:>9}\n",
                           with_rank ? std::to_string(e->rank) : "", device_text(*e), w, e->gpu_count, layout_text(*e), lw, memory_text(*e),
                           p ? format_text("{:.1f}", to_ms(p->ttft)) : "-", p ? format_text("{:.1f}", to_ms(p->tpot)) : "-",
                           p ? std::to_string(p->concurrency) : "-", p ? format_text("{:.0f}", p->output_tokens_per_s) : "-",
                           opt(e->cost.per_hour ? std::optional<double>(e->cost.per_hour->value()) : std::nullopt, "{:.2f}"),
                           opt(e->cost.usd_per_million_output_tokens, "{:.3f}"));
    }
    return out;
}

std::string training_rows(const std::vector<const Evaluation*>& es, bool with_rank) {
    const std::size_t w = gpu_width(es), lw = layout_width(es, 9);
    std::string out = format_text("{:>4}  {:<{}} {:>5} {:>{}}  {:>13}  {:>8} {:>9} {:>5} {:>9} {:>12} {:>9}\n", with_rank ? "rank" : "",
                                  "gpu", w, "gpus", "tp/pp/dp", lw, "mem/gpu GiB", "step s", "tok/s/gpu", "mfu", "$/h", "$ total",
                                  "days");
    for (const Evaluation* e : es) {
        const auto* p = e->training ? &e->training->performance : nullptr;
        out += format_text(
            "{:>4}  {:<{}} {:>5} {:>{}}  {:>13}  {:>8} {:>9} {:>5} {:>9} {:>12} {:>9}\n", with_rank ? std::to_string(e->rank) : "",
            device_text(*e), w, e->gpu_count, layout_text(*e), lw, memory_text(*e), p ? format_text("{:.2f}", p->step_time.value()) : "-",
            p ? format_text("{:.0f}", p->tokens_per_s_per_gpu) : "-", p ? format_text("{:.0f}%", p->mfu * 100) : "-",
            opt(e->cost.per_hour ? std::optional<double>(e->cost.per_hour->value()) : std::nullopt, "{:.2f}"),
            opt(e->cost.total ? std::optional<double>(e->cost.total->value()) : std::nullopt, "{:.0f}"),
            opt(p && p->time_to_train ? std::optional<double>(p->time_to_train->value() / 86400.0) : std::nullopt, "{:.1f}"));
    }
    return out;
}

std::string rows(const Report& r, const std::vector<const Evaluation*>& es, bool with_rank) {
    return r.problem.spec.workload == Workload::inference ? inference_rows(es, with_rank) : training_rows(es, with_rank);
}

/// The figures under the spec's arrival (the columns are the unloaded ones).
std::string loaded_text(const LoadedPerformance& l) {
    if (l.saturated)
        return format_text("under load: saturated, {:.2f} requests/s offered reach the capacity of {:.2f}; no latency percentiles\n",
                           l.offered_requests_per_s, l.capacity_requests_per_s);
    auto ms = [](const std::optional<LatencyDistribution>& d) {
        return format_text("{:.1f}/{:.1f}/{:.1f}", to_ms(d->p50), to_ms(d->p90), to_ms(d->p99));
    };
    return format_text("under load: {:.2f} requests/s served of {:.2f} ({:.0f}% busy), {:.1f} in flight, {:.1f} decoding; "
                       "p50/p90/p99 ttft {} ms, tpot {} ms, e2e {:.2f}/{:.2f}/{:.2f} s; queue {:.1f} ms\n",
                       l.requests_per_s, l.capacity_requests_per_s, l.utilization * 100, l.in_flight.value_or(0), l.decoding, ms(l.ttft),
                       ms(l.tpot), l.e2e->p50.value(), l.e2e->p90.value(), l.e2e->p99.value(), to_ms(l.queue.value_or(Seconds(0))));
}

/// `micro_auto`: the spec left the micro batch to the search, so say which one this is.
std::string memory_detail(const Evaluation& e, bool micro_auto) {
    const auto& m = e.memory;
    std::string out;
    if (e.training)
        out = format_text("memory per GPU ({}) at {}: weights {:.2f}, activations {:.2f}, gradients {:.2f}, optimizer {:.2f}",
                          device_text(e), e.training->memory_peak == TrainingPeak::forward ? "the loss" : "the end of backward",
                          to_gib(m.weights), to_gib(m.activations), to_gib(m.gradients), to_gib(m.optimizer));
    else
        out = format_text("memory per GPU ({}): weights {:.2f}, kv cache {:.2f}, activations {:.2f}", device_text(e),
                          to_gib(m.weights), to_gib(m.kv_cache), to_gib(m.activations));
    out += format_text(", overhead {:.2f} = {:.2f} of {:.2f} GiB\n", to_gib(m.overhead), to_gib(m.total()), to_gib(m.capacity));
    if (e.training) {
        const auto& p = e.training->performance;
        const auto& f = p.failures;
        if (e.training->host_memory.value() > 0)
            out += format_text("offloaded to host memory: {:.2f} GiB per GPU\n", to_gib(e.training->host_memory));
        out += format_text("step {:.2f} s", p.step_time.value());
        if (micro_auto) out += format_text(" (micro batch {} x {} accumulated)", e.training->micro_batch, p.gradient_accumulation);
        out += format_text(": compute {:.2f}, exposed communication {:.2f}, pipeline bubble {:.2f}", p.compute.value(),
                           p.communication.value(), p.bubble.value());
        if (p.host_transfer.value() > 0) out += format_text(", host copies {:.2f}", p.host_transfer.value());
        out += format_text("; MFU {:.1f}%, HFU {:.1f}%\n", p.mfu * 100, p.hfu * 100);
        out += format_text("failures: one interruption every {:.1f} h on {}; checkpoint {:.0f} GB written in {:.0f} s every "
                           "{:.0f} min (Young/Daly); {:.1f}% of wall time lost",
                           to_hours(f.mtbf), plural(e.gpu_count, "GPU"), to_gb(f.checkpoint), f.checkpoint_write.value(),
                           f.checkpoint_interval.value() / 60, f.goodput_loss * 100);
        out += f.expected_interruptions > 0 ? format_text(", {:.0f} interruptions expected over the run\n", f.expected_interruptions)
                                            : std::string("\n");
    }
    if (e.inference) {
        const auto& i = *e.inference;
        std::string line;
        if (!i.binding_target.empty()) line += format_text("binding target: {}", i.binding_target);
        if (i.headroom) line += format_text("{}throughput headroom {}%", line.empty() ? "" : "; ", percent_text(*i.headroom));
        if (i.growth)
            line += format_text("{}at {:g}x load: {}, {}{}", line.empty() ? "" : "; ", i.growth->factor, plural(i.growth->replicas, "replica"),
                                plural(i.growth->gpus, "GPU"),
                                i.growth->usd_per_hour ? format_text(", {:.2f} USD/h", i.growth->usd_per_hour->value()) : "");
        if (!line.empty()) out += line + "\n";
        if (i.loaded) out += loaded_text(*i.loaded);
        if (i.limits) {
            const auto& l = *i.limits;
            out += format_text("limits with this GPU: {}, {}, {}\n",
                               l.max_input_tokens ? format_text("largest prompt {} tokens", *l.max_input_tokens) : "no prompt fits",
                               l.max_concurrency ? format_text("largest concurrency {}", *l.max_concurrency) : "no concurrency fits",
                               l.min_gpus ? format_text("fewest GPUs {}", *l.min_gpus) : "no GPU count meets the targets");
        }
    }
    if (e.over_provisioned) out += format_text("over-provisioned: uses {:.0f}% of its memory; {} would do\n",
                                               e.memory.total() / e.memory.capacity * 100, e.smaller_option);
    // A price that is not one row's rate for exactly these GPUs says so: bought as whole instances,
    // a slice rented as its GPU, or no offer that supplies the layout (docs/estimation.md §8.1).
    if ((!e.cost.per_hour && !e.cost.basis.empty()) || e.cost.basis.find(", priced as ") != std::string::npos)
        out += format_text("price basis: {}\n", e.cost.basis);
    if (e.inference)
        out += format_text("kv cache pool {:.2f} GiB holds {:.0f} tokens: {} sequences at full length; prefill {}-bound, decode {}-bound\n",
                           std::max(0.0, to_gib(e.inference->memory.kv_pool)), e.inference->memory.kv_capacity_tokens, e.inference->memory.max_concurrency,
                           to_string(e.inference->performance.prefill.bound), to_string(e.inference->performance.decode.bound));
    return out;
}

std::string baseline_section(const BaselineDiff& d) {
    auto num = [](const std::optional<double>& v, const char* f) { return v ? format_text(fmt::runtime(f), *v) : std::string("-"); };
    auto arrow = [&](const std::optional<double>& a, const std::optional<double>& b, const char* f) {
        return num(a, f) == num(b, f) ? num(b, f) : format_text("{} -> {}", num(a, f), num(b, f));
    };
    auto rank = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("-"); };
    std::string out = format_text("\nchanges since {}:\n", d.origin);
    std::size_t w = 10;
    for (const auto& c : d.changes) w = std::max(w, c.deployment.size());
    for (const auto& c : d.changes) {
        const std::string ranks = rank(c.rank_before) == rank(c.rank_after) ? rank(c.rank_after)
                                                                            : rank(c.rank_before) + " -> " + rank(c.rank_after);
        out += format_text("  {:<9} {:<{}}  rank {:<7} mem/GPU GiB {:<15} $/h {:<15} $/1M tokens {}\n", c.status, c.deployment, w,
                           ranks, arrow(c.memory_gib_before, c.memory_gib_after, "{:.1f}"),
                           arrow(c.usd_per_hour_before, c.usd_per_hour_after, "{:.2f}"),
                           arrow(c.usd_per_unit_before, c.usd_per_unit_after, "{:.3f}"));
    }
    return out;
}

std::string footer(const Report& r, const RenderOptions& o) {
    std::string out;
    if (r.baseline) out += baseline_section(*r.baseline);
    if (!r.unmodelled.empty()) {
        out += "\nnot modelled:\n";
        for (const auto& u : r.unmodelled) out += bullet(u, o);
    }
    out += "\nassumptions:";
    if (!o.verbose) {
        std::size_t shown = 0;
        out += "\n";
        for (const auto& a : r.assumptions) {
            if (a.name.rfind("calibration.", 0) == 0 || a.name.rfind("efficiency.", 0) == 0) continue;
            out += bullet(format_text("{}: {}", a.name, a.value), o);
            ++shown;
        }
        out += format_text("  ({} more: calibration constants and efficiencies, see -o json or --verbose)\n",
                           r.assumptions.size() - shown);
    } else {
        out += "\n";
        for (const auto& a : r.assumptions) out += bullet(format_text("{}: {} [{}]", a.name, a.value, a.source), o);
    }
    return out;
}

}  // namespace

static std::string render_report_table_text(const Report& r, const RenderOptions& o) {
    std::string out = header(r);
    if (r.evaluation) {
        const Evaluation& e = *r.evaluation;
        out += rows(r, {&e}, false);
        out += "\n" + memory_detail(e, r.problem.spec.training.micro_batch_auto);
        const char* verdict = !e.fits ? "DOES NOT FIT" : !e.meets_targets ? "FITS, MISSES A TARGET" : "OK";
        out += format_text("\nverdict: {}\n", paint(o, !e.fits ? "1;31" : !e.meets_targets ? "1;33" : "1;32", verdict));
        for (const auto& reason : e.reasons) out += bullet(reason, o);
        return out + footer(r, o);
    }
    const std::size_t top = std::min(r.candidates.size(), o.top.value_or(10));
    if (r.candidates.empty() && r.rejected.empty()) {
        out += paint(o, "1;31", "nothing fits") + ": " + no_valid_layout_text(r) + "\n";
    } else if (r.candidates.empty()) {
        out += paint(o, "1;31", "nothing fits") + ": no candidate meets memory and targets\n";
    } else {
        const char* unit = r.problem.spec.workload == Workload::training ? "trained token"
                           : r.problem.spec.inference.arrival                 ? "output token served at the stated load"
                                                                              : "output token";
        out += format_text("{} candidate(s) of {} valid layouts, ranked by cost per {}; showing {}\n\n", r.candidates.size(),
                           r.evaluated, unit, top);
        std::vector<const Evaluation*> shown;
        for (std::size_t i = 0; i < top; ++i) shown.push_back(&r.candidates[i]);
        out += rows(r, shown, true);
        out += "\n" + memory_detail(r.candidates.front(), r.problem.spec.training.micro_batch_auto);
    }
    // Rejected: per GPU type without a candidate, its option closest to passing.
    if (!r.rejected.empty()) {
        if (o.verbose) {
            out += format_text("\nrejected: {} option(s)\n", r.rejected.size());
            for (const auto& e : r.rejected)
                out += format_text("  {} x{} {}: {}\n", device_text(e), e.gpu_count, layout_text(e),
                                   e.reasons.empty() ? "" : e.reasons.front());
        } else {
            out += format_text("\nrejected: {} option(s)", r.rejected.size());
            if (r.closest.empty()) {
                out += "; every GPU type has a candidate (--verbose lists them)\n";
            } else {
                out += "; GPU types with no candidate, each with its closest option:\n";
                for (const std::size_t i : r.closest) {
                    const Evaluation& e = r.rejected[i];
                    out += format_text("  {} (closest: {} x {}, tp/pp/dp {}): {}\n", e.device.gpu->id, e.gpu_count, device_text(e),
                                       layout_text(e), e.reasons.empty() ? "" : e.reasons.front());
                }
            }
        }
    }
    if (!r.suggestions.empty()) {
        out += "\nwhat would fit:\n";
        for (const auto& s : r.suggestions) out += bullet(s, o);
    }
    if (r.invalid > 0) {
        out += format_text("\n{} layout(s) skipped as invalid for this model\n", r.invalid);
    }
    return out + footer(r, o);
}

static std::string render_gpus_table_text(const std::vector<const Gpu*>& gpus) {
    auto link_text = [](const Gpu* g) {
        return g->scale_up ? format_text("{} {:.0f} GB/s x{}", g->scale_up->kind, to_gb_per_s(g->scale_up->bandwidth),
                                         g->scale_up->domain_size)
                           : format_text("pcie{} x{}", g->pcie_generation, g->pcie_lanes);
    };
    std::size_t id_w = 2, link_w = 8, vendor_w = 8;
    for (const Gpu* g : gpus) {
        id_w = std::max(id_w, g->id.size());
        vendor_w = std::max(vendor_w, g->vendor.size());
        link_w = std::max(link_w, link_text(g).size());
    }
    std::string out = format_text("{:<{}} {:<{}} {:>8} {:>9} {:>10} {:>10} {:<{}} {:>6} {:>8}\n", "id", id_w, "vendor", vendor_w, "mem GiB",
                                  "mem TB/s", "bf16 TF/s", "fp8 TF/s", "scale-up", link_w, "TDP W", "$/h");
    for (const Gpu* g : gpus) {
        auto tf = [&](DType t) {
            auto p = g->peak(t);
            return p ? format_text("{:.0f}", to_tflops(*p)) : std::string("-");
        };
        const auto price = g->cheapest_price();
        out += format_text("{:<{}} {:<{}} {:>8.1f} {:>9.2f} {:>10} {:>10} {:<{}} {:>6.0f} {:>8}\n", g->id, id_w, g->vendor, vendor_w,
                           to_gib(g->memory), g->memory_bandwidth.value() / 1e12, tf(DType::bf16), tf(DType::fp8), link_text(g),
                           link_w, g->tdp_watts, price ? format_text("{:.2f}", price->per_gpu_hour.value()) : "-");
    }
    return out;
}

static std::string render_gpu_detail_text(const Gpu& g) {
    std::string out = format_text("{} ({})\n", g.name, g.id);
    auto row = [&](std::string_view k, const std::string& v) { out += format_text("  {:<28} {}\n", k, v); };
    auto src = [&](const char* k) {
        auto it = g.sources.find(k);
        return it == g.sources.end() ? std::string() : format_text("  [{}]", it->second);
    };
    row("vendor / architecture", format_text("{} / {} ({}, {})", g.vendor, g.architecture, g.form_factor, g.launch_year));
    if (!g.aliases.empty()) {
        std::string a;
        for (const auto& s : g.aliases) a += (a.empty() ? "" : ", ") + s;
        row("aliases", a);
    }
    row("memory", format_text("{:.0f} bytes ({:.2f} GiB) {}{}", g.memory.value(), to_gib(g.memory), g.memory_type, src("memory")));
    row("usable memory", format_text("{:.0f} bytes ({:.2f} GiB){}", g.usable_memory.value(), to_gib(g.usable_memory), src("usable_memory")));
    if (g.unified_memory) {
        std::string u = g.unified_memory->kind == "shared" ? "shared with the host OS and CPU" : "coherent access to host memory";
        if (g.unified_memory->host_memory) u += format_text(", {:.0f} GiB host", to_gib(*g.unified_memory->host_memory));
        if (g.unified_memory->link_bandwidth) u += format_text(" over {:.0f} GB/s", to_gb_per_s(*g.unified_memory->link_bandwidth));
        row("unified memory", u);
    }
    if (g.counted_as != "gpu" || g.chips_per_unit != 1 || g.cores_per_unit)
        row("counted as", format_text("one {}{}{}", g.counted_as, g.chips_per_unit != 1 ? format_text(", {} chips", g.chips_per_unit) : "",
                                      g.cores_per_unit ? format_text(", {} cores", *g.cores_per_unit) : ""));
    if (!g.basis.empty()) {
        std::string b;
        for (const auto& [k, v] : g.basis) b += format_text("{}{} {}", b.empty() ? "" : ", ", k, v);
        row("not from a datasheet", b);
    }
    row("memory bandwidth", format_text("{:.0f} GB/s{}", to_gb_per_s(g.memory_bandwidth), src("memory_bandwidth")));
    for (const auto& [t, v] : g.dense_flops) row(format_text("dense {}", to_string(t)), format_text("{:.1f} TFLOP/s", to_tflops(v)));
    out += format_text("  {:<28} {}\n", "", src("dense_flops"));
    if (g.scale_up)
        row("scale-up", format_text("{} {} {:.0f} GB/s, domain of {}{}", g.scale_up->kind, g.scale_up->generation,
                                    to_gb_per_s(g.scale_up->bandwidth), g.scale_up->domain_size, src("links")));
    row("pcie", format_text("gen {} x{} ({:.1f} GB/s per direction)", g.pcie_generation, g.pcie_lanes, to_gb_per_s(g.pcie_bandwidth())));
    if (g.scale_out)
        row("scale-out", format_text("{} {:.0f} GB/s per GPU per direction", g.scale_out->kind, to_gb_per_s(g.scale_out->bandwidth)));
    const auto& e = g.efficiency;
    row("efficiency", format_text("memory {:g}, matmul {:g}, all-reduce intra {:g}, inter {:g}{}  [{}]", e.memory_bandwidth, e.matmul,
                                  e.allreduce_intra_node, e.allreduce_inter_node, e.measured ? "" : " (documented default)", e.source));
    row("tdp", format_text("{:.0f} W{}", g.tdp_watts, src("tdp")));
    for (const auto& p : g.prices) {
        // What the row buys (docs/estimation.md §8.1), so a reader sees why a layout is or is not priced from it.
        std::string shape = p.kind == OfferKind::marketplace ? "; marketplace" : "";
        if (!p.instance) {
            shape += "; instance shape not stated";
        } else {
            const auto& s = *p.instance;
            shape += s.partition.empty() ? format_text("; {}-GPU instances", s.gpus)
                                         : format_text("; sells '{}' slices, {} per instance", s.partition, s.gpus);
            if (s.scale_up != "none")
                shape += format_text(", {}{}", s.scale_up, s.scale_up_gpus ? format_text(" domain of {}", *s.scale_up_gpus) : "");
            shape += s.interconnect == "none" ? ", no interconnect"
                                              : format_text(", {}{} between instances", s.interconnect,
                                                            s.interconnect_gbps ? format_text(" {:g} Gb/s", *s.interconnect_gbps) : "");
        }
        row(format_text("price {}", p.provider), format_text("{:.2f} USD/GPU-hour ({}{}, {}{})  [{}]", p.per_gpu_hour.value(),
                                                           to_string(p.commitment), p.region.empty() ? "" : ", " + p.region,
                                                           p.date, shape, p.source));
    }
    if (g.purchase)
        row("purchase", format_text("{:.0f} USD ({})  [{}]", g.purchase->price.value(), g.purchase->date, g.purchase->source));
    for (const auto& p : g.partitions)
        row(format_text("partition {}", p.profile), format_text("{}{:.2f} GiB, compute {:.3f}, bandwidth {:.3f}",
                                                              p.kind == "mig" ? "" : p.kind + ", ", to_gib(p.memory),
                                                              p.compute_fraction, p.bandwidth_fraction));
    if (!g.notes.empty()) row("notes", g.notes);
    row("from", g.origin);
    return out;
}

static std::string render_models_table_text(const std::vector<const Preset*>& presets) {
    std::string out = format_text("{:<30} {:>9} {:>9} {:>6} {:<10} {:>12}\n", "id", "total B", "active B", "layers", "attention",
                                  "KV KiB/tok");
    for (const Preset* p : presets) {
        const auto& a = p->architecture;
        const auto c = count_parameters(a);
        std::string kind(attention_family(a));
        if (a.sliding_window) kind += "+swa";
        out += format_text("{:<30} {:>9.2f} {:>9.2f} {:>6} {:<10} {:>12.1f}\n", p->id, c.total / 1e9, c.active / 1e9, a.layers, kind,
                           kv_cache_bytes(a, 1, 2).value() / 1024.0);
    }
    return out;
}

static std::string render_model_detail_text(const Preset& p) {
    const auto& a = p.architecture;
    const auto c = count_parameters(a);
    std::string out = format_text("{} ({})\n", p.name, p.id);
    auto row = [&](std::string_view k, const std::string& v) { out += format_text("  {:<26} {}\n", k, v); };
    row("parameters", format_text("{:.0f} total, {:.0f} active (published {})", c.total, c.active, p.published_parameters_text));
    // Publishers differ on what "active" includes; ours is stated, and theirs beside it.
    if (p.published_active_parameters_text)
        row("active (published)", p.published_active_excludes_embedding
                                      ? format_text("{} (the publisher leaves the input embedding out: {:.0f} by that rule)",
                                                    *p.published_active_parameters_text, c.active - c.embedding)
                                      : format_text("{} (with the input embedding, as counted here)", *p.published_active_parameters_text));
    row("active counts", "the input embedding, each layer with its top-k routed experts, and the output head (not towers or MTP)");
    if (c.encoder > 0) row("encoder towers", format_text("{:.0f} (vision/audio, in the total, not active)", c.encoder));
    if (c.mtp > 0)
        row("mtp modules", format_text("{} x {:.0f} = {:.0f} (in the total, not active; published totals leave them out)", a.mtp_layers,
                                       c.mtp / static_cast<double>(a.mtp_layers), c.mtp));
    if (a.mla) {
        // MLA has no hidden_size / heads head: queries and keys are nope + rope wide, values v_head_dim.
        const auto& x = *a.mla;
        row("layers / hidden / heads", format_text("{} / {} / {} (latent attention: q/k head dim {} = {} + {} rope, v head dim {})",
                                                    a.layers, a.hidden_size, a.attention_heads, x.qk_nope_head_dim + x.qk_rope_head_dim,
                                                    x.qk_nope_head_dim, x.qk_rope_head_dim, x.v_head_dim));
    } else {
        row("layers / hidden / heads", format_text("{} / {} / {} (kv {}, head dim {})", a.layers, a.hidden_size, a.attention_heads,
                                                    a.kv_heads, a.head_dim));
    }
    row("mlp", format_text("{} {}, {}", to_string(a.mlp), a.intermediate_size, to_string(a.norm)));
    row("vocabulary", format_text("{} ({})", a.vocab_size, a.tied_embeddings ? "tied" : "untied"));
    if (a.moe)
        row("experts", format_text("{} routed (top {}) of {}, {} shared, first {} layers dense", a.moe->experts, a.moe->active_experts,
                                   a.moe->expert_intermediate_size, a.moe->shared_experts, a.moe->dense_layers));
    if (a.mla)
        row("mla", format_text("{}kv rank {}; cached per token and layer: {} = kv rank {} + rope {}",
                               a.mla->q_lora_rank ? format_text("q rank {}, ", *a.mla->q_lora_rank) : std::string(),
                               a.mla->kv_lora_rank, a.mla->kv_lora_rank + a.mla->qk_rope_head_dim, a.mla->kv_lora_rank,
                               a.mla->qk_rope_head_dim));
    if (a.sliding_window) row("sliding window", format_text("{} tokens on {} of {} layers", *a.sliding_window, sliding_layers(a), a.layers));
    const LayerStack stack = layer_stack(a);
    std::vector<std::string> kinds;
    for (std::size_t k = 0; k < stack.kinds.size(); ++k) {
        const auto& attention = stack.kinds[k].attention;
        const auto ff = stack.kinds[k].feed_forward.kind;
        kinds.push_back(format_text("{} x {}{} + {}", stack.count(k),
                                    attention.kind == AttentionKind::none ? "no attention" : format_text("{} attention", to_string(attention.kind)),
                                    attention.window > 0 ? format_text(" ({})", attention.window) : "",
                                    ff == FeedForwardKind::none ? "no mlp" : to_string(ff)));
    }
    row("layer kinds", format_text("{}", fmt::join(kinds, "; ")));
    row("kv cache (bf16)", format_text("{:.0f} bytes per token", kv_cache_bytes(a, 1, 2).value()));
    if (const double state = state_bytes(stack, whole_model(stack), 1, 2); state > 0)
        row("state (bf16)", format_text("{:.0f} bytes per sequence, whatever its length (recurrent layers)", state));
    row("source", p.source);
    row("published", p.published_source);
    return out;
}

// Numbers that round to zero print unsigned (format_text, number_text.hpp).
std::string render_report_table(const Report& r, const RenderOptions& o) { return render_report_table_text(r, o); }
std::string render_gpus_table(const std::vector<const Gpu*>& gpus) { return render_gpus_table_text(gpus); }
std::string render_gpu_detail(const Gpu& g) { return render_gpu_detail_text(g); }
std::string render_models_table(const std::vector<const Preset*>& presets) { return render_models_table_text(presets); }
std::string render_model_detail(const Preset& p) { return render_model_detail_text(p); }

}  // namespace gpusize
