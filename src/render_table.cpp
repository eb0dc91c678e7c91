#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "gpusize/memory.hpp"
#include "gpusize/render.hpp"

namespace gpusize {
namespace {

/// ANSI styling, applied only when the options ask for colour.
std::string paint(const RenderOptions& o, std::string_view code, std::string_view text) {
    return o.color ? fmt::format("\033[{}m{}\033[0m", code, text) : std::string(text);
}

/// `  - text` wrapped at `width` columns, continuation lines indented under the text.
std::string bullet(std::string_view text, const RenderOptions& o, std::string_view indent = "  - ") {
    if (!o.width || *o.width <= indent.size() + 20 || indent.size() + text.size() <= *o.width)
        return fmt::format("{}{}\n", indent, text);
    const std::size_t room = *o.width - indent.size();
    std::string out, pad(indent.size(), ' ');
    std::string_view rest = text;
    bool first = true;
    while (!rest.empty()) {
        std::size_t cut = rest.size() <= room ? rest.size() : rest.rfind(' ', room);
        if (cut == std::string_view::npos || cut == 0) cut = std::min(room, rest.size());
        out += fmt::format("{}{}\n", first ? std::string(indent) : pad, rest.substr(0, cut));
        rest.remove_prefix(cut);
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        first = false;
    }
    return out;
}

std::string opt(const std::optional<double>& v, const char* f) { return v ? fmt::format(fmt::runtime(f), *v) : "-"; }

/// A share as a percentage: whole percent, or two significant digits below one percent, so a
/// small miss reads "-0.3%" rather than "-0%".
std::string percent_text(double share) {
    const double pct = share * 100;
    return std::fabs(pct) >= 1 || pct == 0 ? fmt::format("{:.0f}", pct) : fmt::format("{:.1g}", pct);
}

std::string layout_text(const Evaluation& e) {
    return fmt::format("{}/{}/{}", e.layout.tensor, e.layout.pipeline, e.layout.data);
}

std::string device_text(const Evaluation& e) { return e.device.id(); }

std::string memory_text(const Evaluation& e) {
    return fmt::format("{:.1f}/{:.1f}", to_gib(e.memory.total()), to_gib(e.memory.capacity));
}

std::string header(const Report& r) {
    const auto& s = r.problem.spec;
    const auto& m = r.problem.model;
    std::string out = fmt::format("gpusize {}: {}\n", r.command, s.name.empty() ? m.name : s.name);
    std::string params = m.parameters.active < m.parameters.total
                             ? fmt::format("{:.2f} B parameters, {:.2f} B active", m.parameters.total / 1e9, m.parameters.active / 1e9)
                             : fmt::format("{:.2f} B parameters", m.parameters.total / 1e9);
    out += fmt::format("model     {} ({}, {})\n", m.id, params, to_string(m.source_kind));
    if (s.workload == Workload::inference) {
        const auto& i = s.inference;
        out += fmt::format("workload  inference: {} input + {} output tokens, concurrency {}, engine {}\n", i.input_tokens,
                           i.output_tokens, i.concurrency ? std::to_string(*i.concurrency) : "auto", to_string(i.engine));
    } else {
        const auto& t = s.training;
        out += fmt::format("workload  training ({}): sequence {}, micro batch {}, global batch {}, {}, {}, checkpointing {}",
                           to_string(t.method), t.sequence_length, t.micro_batch_text(),
                           t.global_batch ? std::to_string(*t.global_batch) : "= micro x data", to_string(t.optimizer),
                           to_string(t.sharding), to_string(t.activation_checkpointing));
        if (t.optimizer_in_backward) out += ", optimizer in backward";
        if (t.offload.any()) out += fmt::format(", offload {}", fmt::join(t.offload.names(), "+"));
        if (t.loss_chunks > 1) out += fmt::format(", loss in {} chunks", t.loss_chunks);
        if (!t.fused_kernels) out += ", eager kernels";
        out += "\n";
    }
    out += fmt::format("precision weights {}, activations {}, kv cache {}\n\n", to_string(s.precision.weights),
                       to_string(s.precision.activations), to_string(s.precision.kv_cache));
    return out;
}

/// Width of the GPU column: the longest id shown.
std::size_t gpu_width(const std::vector<const Evaluation*>& es) {
    std::size_t w = 3;
    for (const Evaluation* e : es) w = std::max(w, device_text(*e).size());
    return w;
}

std::string inference_rows(const std::vector<const Evaluation*>& es, bool with_rank) {
    const std::size_t w = gpu_width(es);
    std::string out = fmt::format("{:>4}  {:<{}} {:>5} {:>7}  {:>13}  {:>8} {:>8} {:>6} {:>10} {:>8} {:>9}\n", with_rank ? "rank" : "",
                                  "gpu", w, "gpus", "tp/pp/dp", "mem/gpu GiB", "ttft ms", "tpot ms", "conc", "out tok/s", "$/h",
                                  "$/1M out");
    for (const Evaluation* e : es) {
        const auto* p = e->inference ? &e->inference->performance : nullptr;
        out += fmt::format("{:>4}  {:<{}} {:>5} {:>7}  {:>13}  {:>8} {:>8} {:>6} {:>10} {:>8} {:>9}\n",
                           with_rank ? std::to_string(e->rank) : "", device_text(*e), w, e->gpu_count, layout_text(*e), memory_text(*e),
                           p ? fmt::format("{:.1f}", to_ms(p->ttft)) : "-", p ? fmt::format("{:.1f}", to_ms(p->tpot)) : "-",
                           p ? std::to_string(p->concurrency) : "-", p ? fmt::format("{:.0f}", p->output_tokens_per_s) : "-",
                           opt(e->cost.per_hour ? std::optional<double>(e->cost.per_hour->value()) : std::nullopt, "{:.2f}"),
                           opt(e->cost.usd_per_million_output_tokens, "{:.3f}"));
    }
    return out;
}

std::string training_rows(const std::vector<const Evaluation*>& es, bool with_rank) {
    const std::size_t w = gpu_width(es);
    std::string out = fmt::format("{:>4}  {:<{}} {:>5} {:>9}  {:>13}  {:>8} {:>9} {:>5} {:>9} {:>12} {:>9}\n", with_rank ? "rank" : "",
                                  "gpu", w, "gpus", "tp/pp/dp", "mem/gpu GiB", "step s", "tok/s/gpu", "mfu", "$/h", "$ total",
                                  "days");
    for (const Evaluation* e : es) {
        const auto* p = e->training ? &e->training->performance : nullptr;
        out += fmt::format(
            "{:>4}  {:<{}} {:>5} {:>9}  {:>13}  {:>8} {:>9} {:>5} {:>9} {:>12} {:>9}\n", with_rank ? std::to_string(e->rank) : "",
            device_text(*e), w, e->gpu_count, layout_text(*e), memory_text(*e), p ? fmt::format("{:.2f}", p->step_time.value()) : "-",
            p ? fmt::format("{:.0f}", p->tokens_per_s_per_gpu) : "-", p ? fmt::format("{:.0f}%", p->mfu * 100) : "-",
            opt(e->cost.per_hour ? std::optional<double>(e->cost.per_hour->value()) : std::nullopt, "{:.2f}"),
            opt(e->cost.total ? std::optional<double>(e->cost.total->value()) : std::nullopt, "{:.0f}"),
            opt(p && p->time_to_train ? std::optional<double>(p->time_to_train->value() / 86400.0) : std::nullopt, "{:.1f}"));
    }
    return out;
}

std::string rows(const Report& r, const std::vector<const Evaluation*>& es, bool with_rank) {
    return r.problem.spec.workload == Workload::inference ? inference_rows(es, with_rank) : training_rows(es, with_rank);
}

/// `micro_auto`: the spec left the micro batch to the search, so say which one this is.
std::string memory_detail(const Evaluation& e, bool micro_auto) {
    const auto& m = e.memory;
    std::string out;
    if (e.training)
        out = fmt::format("memory per GPU ({}) at {}: weights {:.2f}, activations {:.2f}, gradients {:.2f}, optimizer {:.2f}",
                          device_text(e), e.training->memory_peak == TrainingPeak::forward ? "the loss" : "the end of backward",
                          to_gib(m.weights), to_gib(m.activations), to_gib(m.gradients), to_gib(m.optimizer));
    else
        out = fmt::format("memory per GPU ({}): weights {:.2f}, kv cache {:.2f}, activations {:.2f}", device_text(e),
                          to_gib(m.weights), to_gib(m.kv_cache), to_gib(m.activations));
    out += fmt::format(", overhead {:.2f} = {:.2f} of {:.2f} GiB\n", to_gib(m.overhead), to_gib(m.total()), to_gib(m.capacity));
    if (e.training) {
        const auto& p = e.training->performance;
        const auto& f = p.failures;
        if (e.training->host_memory.value() > 0)
            out += fmt::format("offloaded to host memory: {:.2f} GiB per GPU\n", to_gib(e.training->host_memory));
        out += fmt::format("step {:.2f} s", p.step_time.value());
        if (micro_auto) out += fmt::format(" (micro batch {} x {} accumulated)", e.training->micro_batch, p.gradient_accumulation);
        out += fmt::format(": compute {:.2f}, exposed communication {:.2f}, pipeline bubble {:.2f}", p.compute.value(),
                           p.communication.value(), p.bubble.value());
        if (p.host_transfer.value() > 0) out += fmt::format(", host copies {:.2f}", p.host_transfer.value());
        out += fmt::format("; MFU {:.1f}%, HFU {:.1f}%\n", p.mfu * 100, p.hfu * 100);
        out += fmt::format("failures: one interruption every {:.1f} h on {} GPU{}; checkpoint {:.0f} GB written in {:.0f} s every "
                           "{:.0f} min (Young/Daly); {:.1f}% of wall time lost",
                           to_hours(f.mtbf), e.gpu_count, e.gpu_count == 1 ? "" : "s", to_gb(f.checkpoint), f.checkpoint_write.value(),
                           f.checkpoint_interval.value() / 60, f.goodput_loss * 100);
        out += f.expected_interruptions > 0 ? fmt::format(", {:.0f} interruptions expected over the run\n", f.expected_interruptions)
                                            : std::string("\n");
    }
    if (e.inference) {
        const auto& i = *e.inference;
        std::string line;
        if (!i.binding_target.empty()) line += fmt::format("binding target: {}", i.binding_target);
        if (i.headroom) line += fmt::format("{}throughput headroom {}%", line.empty() ? "" : "; ", percent_text(*i.headroom));
        if (i.growth)
            line += fmt::format("{}at {:g}x load: {} replica{}, {} GPU{}{}", line.empty() ? "" : "; ", i.growth->factor, i.growth->replicas,
                                i.growth->replicas == 1 ? "" : "s", i.growth->gpus, i.growth->gpus == 1 ? "" : "s",
                                i.growth->usd_per_hour ? fmt::format(", {:.2f} USD/h", i.growth->usd_per_hour->value()) : "");
        if (!line.empty()) out += line + "\n";
        if (i.limits) {
            const auto& l = *i.limits;
            out += fmt::format("limits with this GPU: {}, {}, {}\n",
                               l.max_input_tokens ? fmt::format("largest prompt {} tokens", *l.max_input_tokens) : "no prompt fits",
                               l.max_concurrency ? fmt::format("largest concurrency {}", *l.max_concurrency) : "no concurrency fits",
                               l.min_gpus ? fmt::format("fewest GPUs {}", *l.min_gpus) : "no GPU count meets the targets");
        }
    }
    if (e.over_provisioned) out += fmt::format("over-provisioned: uses {:.0f}% of its memory; {} would do\n",
                                               e.memory.total() / e.memory.capacity * 100, e.smaller_option);
    if (e.inference)
        out += fmt::format("kv cache pool {:.2f} GiB holds {:.0f} tokens: {} sequences at full length; prefill {}-bound, decode {}-bound\n",
                           std::max(0.0, to_gib(e.inference->kv_pool)), e.inference->kv_capacity_tokens, e.inference->max_concurrency,
                           to_string(e.inference->performance.prefill.bound), to_string(e.inference->performance.decode.bound));
    return out;
}

std::string baseline_section(const BaselineDiff& d) {
    auto num = [](const std::optional<double>& v, const char* f) { return v ? fmt::format(fmt::runtime(f), *v) : std::string("-"); };
    auto arrow = [&](const std::optional<double>& a, const std::optional<double>& b, const char* f) {
        return num(a, f) == num(b, f) ? num(b, f) : fmt::format("{} -> {}", num(a, f), num(b, f));
    };
    auto rank = [](const std::optional<int>& v) { return v ? std::to_string(*v) : std::string("-"); };
    std::string out = fmt::format("\nchanges since {}:\n", d.origin);
    std::size_t w = 10;
    for (const auto& c : d.changes) w = std::max(w, c.deployment.size());
    for (const auto& c : d.changes) {
        const std::string ranks = rank(c.rank_before) == rank(c.rank_after) ? rank(c.rank_after)
                                                                            : rank(c.rank_before) + " -> " + rank(c.rank_after);
        out += fmt::format("  {:<9} {:<{}}  rank {:<7} mem/GPU GiB {:<15} $/h {:<15} $/1M tokens {}\n", c.status, c.deployment, w,
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
            out += bullet(fmt::format("{}: {}", a.name, a.value), o);
            ++shown;
        }
        out += fmt::format("  ({} more: calibration constants and efficiencies, see -o json or --verbose)\n",
                           r.assumptions.size() - shown);
    } else {
        out += "\n";
        for (const auto& a : r.assumptions) out += bullet(fmt::format("{}: {} [{}]", a.name, a.value, a.source), o);
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
        out += fmt::format("\nverdict: {}\n", paint(o, !e.fits ? "1;31" : !e.meets_targets ? "1;33" : "1;32", verdict));
        for (const auto& reason : e.reasons) out += bullet(reason, o);
        return out + footer(r, o);
    }
    const std::size_t top = std::min(r.candidates.size(), o.top.value_or(10));
    if (r.candidates.empty() && r.rejected.empty()) {
        out += paint(o, "1;31", "nothing fits") + ": " + no_valid_layout_text(r) + "\n";
    } else if (r.candidates.empty()) {
        out += paint(o, "1;31", "nothing fits") + ": no candidate meets memory and targets\n";
    } else {
        out += fmt::format("{} candidate(s) of {} valid layouts, ranked by cost per {}; showing {}\n\n", r.candidates.size(),
                           r.evaluated, r.problem.spec.workload == Workload::inference ? "output token" : "trained token", top);
        std::vector<const Evaluation*> shown;
        for (std::size_t i = 0; i < top; ++i) shown.push_back(&r.candidates[i]);
        out += rows(r, shown, true);
        out += "\n" + memory_detail(r.candidates.front(), r.problem.spec.training.micro_batch_auto);
    }
    // Rejected: per GPU type without a candidate, its option closest to passing.
    if (!r.rejected.empty()) {
        if (o.verbose) {
            out += fmt::format("\nrejected: {} option(s)\n", r.rejected.size());
            for (const auto& e : r.rejected)
                out += fmt::format("  {} x{} {}: {}\n", device_text(e), e.gpu_count, layout_text(e),
                                   e.reasons.empty() ? "" : e.reasons.front());
        } else {
            // One that fits but misses a target, else the valid layout with the smallest memory overrun.
            auto closeness = [](const Evaluation& e) {
                const bool valid = e.memory.capacity.value() > 0;
                return std::make_tuple(!e.fits, !valid, valid ? e.memory.total() / e.memory.capacity : 0.0, e.gpu_count);
            };
            std::set<std::string> placed;
            for (const auto& e : r.candidates) placed.insert(e.device.gpu->id);
            std::map<std::string, const Evaluation*> per_gpu;
            for (const auto& e : r.rejected) {
                if (placed.count(e.device.gpu->id)) continue;  // that type has a candidate already
                auto& slot = per_gpu[e.device.gpu->id];
                if (!slot || closeness(e) < closeness(*slot)) slot = &e;
            }
            out += fmt::format("\nrejected: {} option(s)", r.rejected.size());
            if (per_gpu.empty()) {
                out += "; every GPU type has a candidate (--verbose lists them)\n";
            } else {
                out += "; GPU types with no candidate, each with its closest option:\n";
                for (const auto& [id, e] : per_gpu)
                    out += fmt::format("  {} (closest: {} x {}, tp/pp/dp {}): {}\n", id, e->gpu_count, device_text(*e),
                                       layout_text(*e), e->reasons.empty() ? "" : e->reasons.front());
            }
        }
    }
    if (!r.suggestions.empty()) {
        out += "\nwhat would fit:\n";
        for (const auto& s : r.suggestions) out += bullet(s, o);
    }
    if (r.invalid > 0) {
        out += fmt::format("\n{} layout(s) skipped as invalid for this model\n", r.invalid);
    }
    return out + footer(r, o);
}

static std::string render_gpus_table_text(const std::vector<const Gpu*>& gpus) {
    auto link_text = [](const Gpu* g) {
        return g->scale_up ? fmt::format("{} {:.0f} GB/s x{}", g->scale_up->kind, to_gb_per_s(g->scale_up->bandwidth),
                                         g->scale_up->domain_size)
                           : fmt::format("pcie{} x{}", g->pcie_generation, g->pcie_lanes);
    };
    std::size_t id_w = 2, link_w = 8, vendor_w = 8;
    for (const Gpu* g : gpus) {
        id_w = std::max(id_w, g->id.size());
        vendor_w = std::max(vendor_w, g->vendor.size());
        link_w = std::max(link_w, link_text(g).size());
    }
    std::string out = fmt::format("{:<{}} {:<{}} {:>8} {:>9} {:>10} {:>10} {:<{}} {:>6} {:>8}\n", "id", id_w, "vendor", vendor_w, "mem GiB",
                                  "mem TB/s", "bf16 TF/s", "fp8 TF/s", "scale-up", link_w, "TDP W", "$/h");
    for (const Gpu* g : gpus) {
        auto tf = [&](DType t) {
            auto p = g->peak(t);
            return p ? fmt::format("{:.0f}", to_tflops(*p)) : std::string("-");
        };
        const auto price = g->cheapest_price();
        out += fmt::format("{:<{}} {:<{}} {:>8.1f} {:>9.2f} {:>10} {:>10} {:<{}} {:>6.0f} {:>8}\n", g->id, id_w, g->vendor, vendor_w,
                           to_gib(g->memory), g->memory_bandwidth.value() / 1e12, tf(DType::bf16), tf(DType::fp8), link_text(g),
                           link_w, g->tdp_watts, price ? fmt::format("{:.2f}", price->per_gpu_hour.value()) : "-");
    }
    return out;
}

static std::string render_gpu_detail_text(const Gpu& g) {
    std::string out = fmt::format("{} ({})\n", g.name, g.id);
    auto row = [&](std::string_view k, const std::string& v) { out += fmt::format("  {:<28} {}\n", k, v); };
    auto src = [&](const char* k) {
        auto it = g.sources.find(k);
        return it == g.sources.end() ? std::string() : fmt::format("  [{}]", it->second);
    };
    row("vendor / architecture", fmt::format("{} / {} ({}, {})", g.vendor, g.architecture, g.form_factor, g.launch_year));
    if (!g.aliases.empty()) {
        std::string a;
        for (const auto& s : g.aliases) a += (a.empty() ? "" : ", ") + s;
        row("aliases", a);
    }
    row("memory", fmt::format("{:.0f} bytes ({:.2f} GiB) {}{}", g.memory.value(), to_gib(g.memory), g.memory_type, src("memory")));
    row("usable memory", fmt::format("{:.0f} bytes ({:.2f} GiB){}", g.usable_memory.value(), to_gib(g.usable_memory), src("usable_memory")));
    if (g.unified_memory) {
        std::string u = g.unified_memory->kind == "shared" ? "shared with the host OS and CPU" : "coherent access to host memory";
        if (g.unified_memory->host_memory) u += fmt::format(", {:.0f} GiB host", to_gib(*g.unified_memory->host_memory));
        if (g.unified_memory->link_bandwidth) u += fmt::format(" over {:.0f} GB/s", to_gb_per_s(*g.unified_memory->link_bandwidth));
        row("unified memory", u);
    }
    if (g.counted_as != "gpu" || g.chips_per_unit != 1 || g.cores_per_unit)
        row("counted as", fmt::format("one {}{}{}", g.counted_as, g.chips_per_unit != 1 ? fmt::format(", {} chips", g.chips_per_unit) : "",
                                      g.cores_per_unit ? fmt::format(", {} cores", *g.cores_per_unit) : ""));
    if (!g.basis.empty()) {
        std::string b;
        for (const auto& [k, v] : g.basis) b += fmt::format("{}{} {}", b.empty() ? "" : ", ", k, v);
        row("not from a datasheet", b);
    }
    row("memory bandwidth", fmt::format("{:.0f} GB/s{}", to_gb_per_s(g.memory_bandwidth), src("memory_bandwidth")));
    for (const auto& [t, v] : g.dense_flops) row(fmt::format("dense {}", to_string(t)), fmt::format("{:.1f} TFLOP/s", to_tflops(v)));
    out += fmt::format("  {:<28} {}\n", "", src("dense_flops"));
    if (g.scale_up)
        row("scale-up", fmt::format("{} {} {:.0f} GB/s, domain of {}{}", g.scale_up->kind, g.scale_up->generation,
                                    to_gb_per_s(g.scale_up->bandwidth), g.scale_up->domain_size, src("links")));
    row("pcie", fmt::format("gen {} x{} ({:.1f} GB/s per direction)", g.pcie_generation, g.pcie_lanes, to_gb_per_s(g.pcie_bandwidth())));
    if (g.scale_out)
        row("scale-out", fmt::format("{} {:.0f} GB/s per GPU per direction", g.scale_out->kind, to_gb_per_s(g.scale_out->bandwidth)));
    const auto& e = g.efficiency;
    row("efficiency", fmt::format("memory {:g}, matmul {:g}, all-reduce intra {:g}, inter {:g}{}  [{}]", e.memory_bandwidth, e.matmul,
                                  e.allreduce_intra_node, e.allreduce_inter_node, e.measured ? "" : " (documented default)", e.source));
    row("tdp", fmt::format("{:.0f} W{}", g.tdp_watts, src("tdp")));
    for (const auto& p : g.prices)
        row(fmt::format("price {}", p.provider), fmt::format("{:.2f} USD/GPU-hour ({}{}, {})  [{}]", p.per_gpu_hour.value(),
                                                           to_string(p.commitment), p.region.empty() ? "" : ", " + p.region,
                                                           p.date, p.source));
    if (g.purchase)
        row("purchase", fmt::format("{:.0f} USD ({})  [{}]", g.purchase->price.value(), g.purchase->date, g.purchase->source));
    for (const auto& p : g.partitions)
        row(fmt::format("partition {}", p.profile), fmt::format("{}{:.2f} GiB, compute {:.3f}, bandwidth {:.3f}",
                                                              p.kind == "mig" ? "" : p.kind + ", ", to_gib(p.memory),
                                                              p.compute_fraction, p.bandwidth_fraction));
    if (!g.notes.empty()) row("notes", g.notes);
    row("from", g.origin);
    return out;
}

static std::string render_models_table_text(const std::vector<const Preset*>& presets) {
    std::string out = fmt::format("{:<30} {:>9} {:>9} {:>6} {:<10} {:>12}\n", "id", "total B", "active B", "layers", "attention",
                                  "KV KiB/tok");
    for (const Preset* p : presets) {
        const auto& a = p->architecture;
        const auto c = count_parameters(a);
        std::string kind = a.mla ? "mla" : a.kv_heads == a.attention_heads ? "mha" : a.kv_heads == 1 ? "mqa" : "gqa";
        if (a.sliding_window) kind += "+swa";
        out += fmt::format("{:<30} {:>9.2f} {:>9.2f} {:>6} {:<10} {:>12.1f}\n", p->id, c.total / 1e9, c.active / 1e9, a.layers, kind,
                           kv_cache_bytes(a, 1, 2).value() / 1024.0);
    }
    return out;
}

static std::string render_model_detail_text(const Preset& p) {
    const auto& a = p.architecture;
    const auto c = count_parameters(a);
    std::string out = fmt::format("{} ({})\n", p.name, p.id);
    auto row = [&](std::string_view k, const std::string& v) { out += fmt::format("  {:<26} {}\n", k, v); };
    row("parameters", fmt::format("{:.0f} total, {:.0f} active (published {})", c.total, c.active, p.published_parameters_text));
    if (a.mla) {
        // MLA has no hidden_size / heads head: queries and keys are nope + rope wide, values v_head_dim.
        const auto& x = *a.mla;
        row("layers / hidden / heads", fmt::format("{} / {} / {} (latent attention: q/k head dim {} = {} + {} rope, v head dim {})",
                                                    a.layers, a.hidden_size, a.attention_heads, x.qk_nope_head_dim + x.qk_rope_head_dim,
                                                    x.qk_nope_head_dim, x.qk_rope_head_dim, x.v_head_dim));
    } else {
        row("layers / hidden / heads", fmt::format("{} / {} / {} (kv {}, head dim {})", a.layers, a.hidden_size, a.attention_heads,
                                                    a.kv_heads, a.head_dim));
    }
    row("mlp", fmt::format("{} {}, {}", to_string(a.mlp), a.intermediate_size, to_string(a.norm)));
    row("vocabulary", fmt::format("{} ({})", a.vocab_size, a.tied_embeddings ? "tied" : "untied"));
    if (a.moe)
        row("experts", fmt::format("{} routed (top {}) of {}, {} shared, first {} layers dense", a.moe->experts, a.moe->active_experts,
                                   a.moe->expert_intermediate_size, a.moe->shared_experts, a.moe->dense_layers));
    if (a.mla)
        row("mla", fmt::format("{}kv rank {}; cached per token and layer: {} = kv rank {} + rope {}",
                               a.mla->q_lora_rank ? fmt::format("q rank {}, ", *a.mla->q_lora_rank) : std::string(),
                               a.mla->kv_lora_rank, a.mla->kv_lora_rank + a.mla->qk_rope_head_dim, a.mla->kv_lora_rank,
                               a.mla->qk_rope_head_dim));
    if (a.sliding_window) row("sliding window", fmt::format("{} tokens on {} of {} layers", *a.sliding_window, sliding_layers(a), a.layers));
    row("kv cache (bf16)", fmt::format("{:.0f} bytes per token", kv_cache_bytes(a, 1, 2).value()));
    row("source", p.source);
    row("published", p.published_source);
    return out;
}

// Numbers that round to zero print unsigned, whatever their sign ("0.00", not "-0.00").
std::string render_report_table(const Report& r, const RenderOptions& o) { return without_negative_zeros(render_report_table_text(r, o)); }
std::string render_gpus_table(const std::vector<const Gpu*>& gpus) { return without_negative_zeros(render_gpus_table_text(gpus)); }
std::string render_gpu_detail(const Gpu& g) { return without_negative_zeros(render_gpu_detail_text(g)); }
std::string render_models_table(const std::vector<const Preset*>& presets) { return without_negative_zeros(render_models_table_text(presets)); }
std::string render_model_detail(const Preset& p) { return without_negative_zeros(render_model_detail_text(p)); }

}  // namespace gpusize
