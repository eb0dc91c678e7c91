// `explain`: a renderer over values the estimators already produced (the evaluation's memory
// breakdown, the prefill/decode or training phase times, the cost) that shows each term with the
// formula documented in memory.hpp and performance.hpp, the inputs it used and where it comes
// from; and every assumption with the spec key, catalog field or nothing that overrides it. It
// computes no estimate of its own: inputs are read from the problem, device and calibration.
#include <fmt/format.h>

#include <cmath>

#include "gpusize/memory.hpp"
#include "gpusize/performance.hpp"
#include "gpusize/render.hpp"
#include "json_writer.hpp"

namespace gpusize {
namespace {

using detail::JsonWriter;

struct Input {
    std::string name;
    std::optional<double> number;  ///< else `text`
    std::string text;
};

struct Term {
    std::string name;  ///< the JSON evaluation field it explains, or a part of one
    std::string formula;
    std::vector<Input> inputs;
    std::optional<double> value;
    std::string unit;  ///< bytes, s, tokens, sequences, tokens/s, requests/s, USD/h, USD, fraction
    std::string source;
};

Input num(std::string name, double v) { return {std::move(name), v, {}}; }
Input num(std::string name, std::optional<double> v) { return v ? num(std::move(name), *v) : Input{std::move(name), std::nullopt, "none"}; }
Input txt(std::string name, std::string_view v) { return {std::move(name), std::nullopt, std::string(v)}; }
Input cal(const Problem& p, Constant c) {
    return num(fmt::format("calibration.{}", constant_table()[static_cast<std::size_t>(c)].name), p.calibration[c]);
}

void phase_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e, const PhaseTime& t, const std::string& phase,
                 const std::string& total_name, Constant overhead) {
    const Device& d = e.device;
    const auto peak = d.peak(p.spec.precision.activations);
    const auto& eff = d.gpu->efficiency;
    const std::string base = "inference." + phase;
    out.push_back({base + ".compute_s", "FLOPs per GPU / (peak FLOP/s x eta_matmul)",
                   {num("flops_per_gpu", t.flops.value()), num("peak_flops_per_s", peak ? std::optional<double>(peak->value()) : std::nullopt),
                    txt("precision", to_string(p.spec.precision.activations)), num("eta_matmul (catalog)", eff.matmul),
                    cal(p, Constant::fp8_matmul_factor)},
                   t.compute.value(), "s", "performance.hpp PhaseTime.compute; efficiency from the catalog entry"});
    out.push_back({base + ".memory_s", "bytes moved per GPU / (memory bandwidth x eta_memory)",
                   {num("bytes_per_gpu", t.bytes.value()), num("memory_bandwidth_bytes_per_s", d.memory_bandwidth().value()),
                    num("eta_memory (catalog)", eff.memory_bandwidth)},
                   t.memory.value(), "s", "performance.hpp PhaseTime.memory; bandwidth from the catalog entry"});
    out.push_back({base + ".communication_s", "exposed tensor-parallel all-reduces (ring over the scale-up link at the measured bus efficiency, plus latency) and pipeline point-to-point sends",
                   {num("tensor", static_cast<double>(e.layout.tensor)), num("pipeline", static_cast<double>(e.layout.pipeline)),
                    num("scale_up_bandwidth_bytes_per_s", d.gpu->scale_up ? std::optional<double>(d.gpu->scale_up->bandwidth.value()) : std::nullopt),
                    num("eta_allreduce_intra_node (catalog)", eff.allreduce_intra_node), cal(p, Constant::collective_step_latency_us),
                    cal(p, Constant::p2p_latency_us)},
                   t.communication.value(), "s", "interconnect.hpp; docs/estimation.md §7.3"});
    out.push_back({base + ".overhead_s", "fixed per-step overhead", {cal(p, overhead)}, t.overhead.value(), "s", "calibration.cpp"});
    out.push_back({total_name, "max(compute, memory) + communication + overhead (pipeline stages in sequence)",
                   {num("compute_s", t.compute.value()), num("memory_s", t.memory.value()), num("communication_s", t.communication.value()),
                    num("overhead_s", t.overhead.value()), txt("bound", to_string(t.bound))},
                   t.total.value(), "s", "performance.hpp PhaseTime.total (roofline)"});
}

std::vector<Term> terms_of(const Problem& p, const Evaluation& e) {
    std::vector<Term> out;
    const auto& s = p.spec;
    const auto& a = p.model.architecture;
    const auto& m = e.memory;
    const Layout& l = e.layout;
    const bool inference = s.workload == Workload::inference;
    const bool quantised = bytes_per_element(s.precision.weights) < 2;
    out.push_back({"memory_per_gpu.weights_bytes",
                   "parameters of the most loaded stage: dense / tensor + routed experts / (tensor x expert), x bytes per parameter"
                   " (embeddings, head and norms stay 16-bit when the weights are quantised)",
                   {num("parameters_total", p.model.parameters.total), txt("weights", to_string(s.precision.weights)),
                    num("bytes_per_parameter", bytes_per_parameter(s.precision.weights, p.calibration)),
                    txt("16-bit embeddings/head/norms", quantised ? "yes" : "no"), num("tensor", static_cast<double>(l.tensor)),
                    num("pipeline", static_cast<double>(l.pipeline)), num("expert", static_cast<double>(l.expert))},
                   m.weights.value(), "bytes", "memory.hpp weight_bytes_per_gpu, bytes_per_parameter; docs/estimation.md §3.2, §2.2"});
    const double kv_token = kv_cache_bytes(a, 1, bytes_per_element(s.precision.kv_cache)).value();
    if (inference) {
        const auto& i = *e.inference;
        out.push_back({"memory_per_gpu.kv_cache_bytes",
                       "concurrency x KV bytes per sequence per GPU; per token 2 x L x max(1, n_kv / tensor) x d_h x bytes"
                       " (MLA: L x (kv_lora_rank + rope_dim)), layers of the most loaded stage",
                       {num("concurrency", static_cast<double>(i.performance.concurrency)),
                        num("tokens_per_sequence", static_cast<double>(s.inference.input_tokens + s.inference.output_tokens)),
                        txt("kv_cache", to_string(s.precision.kv_cache)), num("layers", static_cast<double>(a.layers)),
                        num("kv_heads", static_cast<double>(a.kv_heads)), num("head_dim", static_cast<double>(a.head_dim)),
                        num("tensor", static_cast<double>(l.tensor)), num("pipeline", static_cast<double>(l.pipeline)),
                        num("kv_bytes_per_token_all_layers", kv_token)},
                       m.kv_cache.value(), "bytes", "memory.hpp kv_bytes_per_sequence_per_gpu, kv_head_share; docs/estimation.md §3.3"});
        out.push_back({"memory_per_gpu.activations_bytes",
                       "the engine's profiling peak: the larger of one prefill chunk's forward pass (hidden- and MLP-sized tensors"
                       " per token) and the sampler (sequences x vocabulary x bytes per logit)",
                       {txt("engine", to_string(s.inference.engine)), cal(p, Constant::prefill_chunk_tokens),
                        cal(p, Constant::activation_hidden_tensors), cal(p, Constant::activation_mlp_tensors),
                        cal(p, Constant::sampler_sequences), cal(p, Constant::sampler_bytes_per_logit),
                        num("hidden_size", static_cast<double>(a.hidden_size)), num("vocab_size", static_cast<double>(a.vocab_size)),
                        txt("activations", to_string(s.precision.activations))},
                       m.activations.value(), "bytes", "memory.hpp inference_activation_bytes, sampler_bytes"});
    } else {
        const auto& t = s.training;
        out.push_back({"memory_per_gpu.activations_bytes",
                       "at the peak: forward (the loss) holds stored activations per token per layer x sequence x micro batch x"
                       " layers of the stage x micro-batches in flight (1F1B), with recomputation, plus the logits (16-bit, and"
                       " one loss chunk in fp32) and the head's gradient on the last stage; backward (its end) holds one layer's"
                       " activations; offloaded activations keep two layers on the GPU",
                       {txt("peak_at", e.training ? to_string(e.training->memory_peak) : "forward"),
                        num("sequence_length", static_cast<double>(t.sequence_length)), num("micro_batch", static_cast<double>(e.training ? e.training->micro_batch : t.micro_batch)),
                        num("micro_batches_in_flight", static_cast<double>(e.training ? e.training->micro_batches_in_flight : 1)),
                        txt("activation_checkpointing", to_string(t.activation_checkpointing)),
                        num("loss_chunks", static_cast<double>(t.loss_chunks)), txt("fused_kernels", t.fused_kernels ? "yes" : "no"),
                        txt("offload_activations", t.offload.activations ? "yes" : "no"), cal(p, Constant::activation_offload_layers),
                        txt("sequence_parallel", l.tensor > 1 ? "yes" : "no"), num("tensor", static_cast<double>(l.tensor)),
                        num("pipeline", static_cast<double>(l.pipeline)), txt("activations", to_string(s.precision.activations))},
                       m.activations.value(), "bytes", "memory.hpp training_activation_bytes_per_token_per_layer; docs/estimation.md §4.5-§4.7"});
        out.push_back({"memory_per_gpu.gradients_bytes",
                       "trainable parameters on this GPU x gradient bytes, sharded over data parallel by zero2/zero3, held at the"
                       " peak when they outlive the step (accumulation, pipelines, DDP/ZeRO-1/2 buckets) or at the end of"
                       " backward; one matrix's with optimizer_in_backward, one layer's with parameters offloaded",
                       {txt("optimizer_in_backward", t.optimizer_in_backward ? "yes" : "no"),
                        txt("offload_parameters", t.offload.parameters ? "yes" : "no"),
                        txt("method", to_string(t.method)), txt("sharding", to_string(t.sharding)), num("data", static_cast<double>(l.data)),
                        num("tensor", static_cast<double>(l.tensor)), num("pipeline", static_cast<double>(l.pipeline))},
                       m.gradients.value(), "bytes", "memory.hpp estimate_training_memory; docs/estimation.md §4.3"});
        out.push_back({"memory_per_gpu.optimizer_bytes",
                       "trainable parameters on this GPU x optimizer bytes (adamw: fp32 master + 2 moments, 12 B; adamw_8bit; sgd),"
                       " sharded over data parallel by zero1 and above; none on the GPU when offloaded",
                       {txt("optimizer", to_string(t.optimizer)),
                        txt("offload_optimizer", t.offload.optimizer || t.offload.parameters ? "yes" : "no"), txt("sharding", to_string(t.sharding)), num("data", static_cast<double>(l.data))},
                       m.optimizer.value(), "bytes", "memory.hpp estimate_training_memory; docs/estimation.md §4.4"});
    }
    out.push_back({"memory_per_gpu.overhead_bytes",
                   inference ? "CUDA context and runtime + NCCL buffers (+ the engine's non-torch memory and all-reduce buffers under tensor parallel)"
                             : "CUDA context and runtime + NCCL buffers + allocator fragmentation (+ ZeRO-3 gather buffers)",
                   inference ? std::vector<Input>{cal(p, Constant::runtime_overhead_gib), cal(p, Constant::nccl_buffers_gib),
                                                  cal(p, Constant::vllm_non_torch_gib), cal(p, Constant::vllm_tp_buffers_gib)}
                             : std::vector<Input>{cal(p, Constant::training_runtime_overhead_gib), cal(p, Constant::nccl_buffers_gib),
                                                  cal(p, Constant::training_fragmentation), cal(p, Constant::zero3_prefetch_layers)},
                   m.overhead.value(), "bytes", "calibration.cpp (each constant's source is in the assumptions)"});
    out.push_back({"memory_per_gpu.total_bytes", "weights + kv cache + activations + gradients + optimizer + overhead",
                   {num("weights_bytes", m.weights.value()), num("kv_cache_bytes", m.kv_cache.value()),
                    num("activations_bytes", m.activations.value()), num("gradients_bytes", m.gradients.value()),
                    num("optimizer_bytes", m.optimizer.value()), num("overhead_bytes", m.overhead.value())},
                   m.total().value(), "bytes", "memory.hpp MemoryBreakdown.total"});
    out.push_back({"memory_per_gpu.capacity_bytes", "usable memory of the GPU (or slice) less the headroom",
                   {num("usable_memory_bytes", e.device.usable_memory().value()), num("headroom", s.headroom)},
                   m.capacity.value(), "bytes", "catalog usable_memory; spec headroom"});
    if (inference && e.inference) {
        const auto& i = *e.inference;
        const auto& perf = i.performance;
        out.push_back({"inference.memory_budget_bytes",
                       "the engine's memory rule: vllm/sglang a fraction of total memory, trtllm 0.9 of the memory free after loading,"
                       " generic all usable memory less headroom",
                       {txt("engine", to_string(s.inference.engine)), num("gpu_memory_utilization (spec)", s.inference.gpu_memory_utilization),
                        num("usable_memory_bytes", e.device.usable_memory().value())},
                       i.budget.value(), "bytes", "memory.hpp estimate_inference_memory"});
        out.push_back({"inference.kv_cache_pool_bytes", "memory budget - weights - activation peak - runtime overhead",
                       {num("memory_budget_bytes", i.budget.value()), num("weights_bytes", m.weights.value()),
                        num("activations_bytes", m.activations.value()), num("overhead_bytes", m.overhead.value())},
                       i.kv_pool.value(), "bytes", "memory.hpp InferenceMemory.kv_pool"});
        out.push_back({"inference.kv_cache_capacity_tokens", "KV pool / KV bytes per token on one GPU, engine-wide",
                       {num("kv_cache_pool_bytes", i.kv_pool.value()), num("kv_bytes_per_token_all_layers", kv_token),
                        num("tensor", static_cast<double>(l.tensor)), num("pipeline", static_cast<double>(l.pipeline))},
                       i.kv_capacity_tokens, "tokens", "memory.hpp InferenceMemory.kv_capacity_tokens"});
        out.push_back({"inference.max_concurrency", "KV capacity tokens / (input + output tokens), rounded down",
                       {num("kv_cache_capacity_tokens", i.kv_capacity_tokens), num("input_tokens", static_cast<double>(s.inference.input_tokens)),
                        num("output_tokens", static_cast<double>(s.inference.output_tokens))},
                       static_cast<double>(i.max_concurrency), "sequences", "memory.hpp InferenceMemory.max_concurrency"});
        out.push_back({"inference.concurrency", s.inference.concurrency ? "the spec's inference.concurrency" : "auto: the largest the KV pool holds that meets every target",
                       {num("max_concurrency", static_cast<double>(i.max_concurrency)), txt("binding_target", i.binding_target.empty() ? "none" : i.binding_target)},
                       static_cast<double>(perf.concurrency), "sequences", "planner.hpp evaluate"});
        phase_terms(out, p, e, perf.prefill, "prefill", "inference.ttft_s", Constant::prefill_overhead_ms);
        phase_terms(out, p, e, perf.decode, "decode", "inference.tpot_s", Constant::decode_step_overhead_ms);
        out.push_back({"inference.output_tokens_per_s",
                       "replicas x concurrency x output / (concurrency x prefill share + output x tpot): each request is charged its share"
                       " of a packed prefill step (prefill_chunk_tokens / input prompts) and output x tpot / concurrency of decode",
                       {num("data", static_cast<double>(l.data)), num("concurrency", static_cast<double>(perf.concurrency)),
                        num("input_tokens", static_cast<double>(s.inference.input_tokens)),
                        num("output_tokens", static_cast<double>(s.inference.output_tokens)), num("tpot_s", perf.tpot.value()),
                        cal(p, Constant::prefill_chunk_tokens)},
                       perf.output_tokens_per_s, "tokens/s", "performance.hpp estimate_inference_performance; docs/estimation.md §6.4"});
        out.push_back({"inference.requests_per_s", "output tokens/s / output tokens per request",
                       {num("output_tokens_per_s", perf.output_tokens_per_s), num("output_tokens", static_cast<double>(s.inference.output_tokens))},
                       perf.requests_per_s, "requests/s", "performance.hpp InferencePerformance"});
    }
    if (!inference && e.training) {
        const auto& t = e.training->performance;
        const auto peak = e.device.peak(s.precision.activations);
        out.push_back({"training.compute_s",
                       "hardware FLOPs of the step's micro-batches (model FLOPs 6 x P_active + 12 x L x s x a x d_h per token, LoRA 4 x P,"
                       " plus recomputation) / (GPUs x peak x eta_matmul)",
                       {num("model_flops_per_token", training_flops_per_token(a, static_cast<double>(s.training.sequence_length), s.training.method).value()),
                        num("tokens_per_step", t.tokens_per_step), num("gpus", static_cast<double>(e.gpu_count)),
                        num("peak_flops_per_s", peak ? std::optional<double>(peak->value()) : std::nullopt),
                        num("eta_matmul (catalog)", e.device.gpu->efficiency.matmul),
                        txt("activation_checkpointing", to_string(s.training.activation_checkpointing))},
                       t.compute.value(), "s", "performance.hpp training_flops_per_token, estimate_training_performance"});
        out.push_back({"training.communication_s",
                       "exposed data-parallel gradient reduction (ZeRO gathers), tensor-parallel all-reduces and pipeline sends, after overlap",
                       {txt("sharding", to_string(s.training.sharding)), num("data", static_cast<double>(l.data)),
                        num("tensor", static_cast<double>(l.tensor)), num("pipeline", static_cast<double>(l.pipeline)),
                        cal(p, Constant::dp_comm_overlap), cal(p, Constant::tp_comm_overlap),
                        num("eta_allreduce_inter_node (catalog)", e.device.gpu->efficiency.allreduce_inter_node)},
                       t.communication.value(), "s", "interconnect.hpp; docs/estimation.md §7.4"});
        out.push_back({"training.bubble_s", "(pipeline - 1) / micro-batches x the pipeline's busy time (1F1B)",
                       {num("pipeline", static_cast<double>(l.pipeline)), num("gradient_accumulation", static_cast<double>(t.gradient_accumulation))},
                       t.bubble.value(), "s", "performance.hpp TrainingPerformance.bubble"});
        out.push_back({"training.step_time_s", "compute + bubble + exposed communication + step overhead",
                       {num("compute_s", t.compute.value()), num("bubble_s", t.bubble.value()),
                        num("communication_s", t.communication.value()), cal(p, Constant::training_step_overhead_ms)},
                       t.step_time.value(), "s", "performance.hpp estimate_training_performance"});
        out.push_back({"training.tokens_per_s", "tokens per step / step time",
                       {num("tokens_per_step", t.tokens_per_step), num("step_time_s", t.step_time.value())},
                       t.tokens_per_s, "tokens/s", "performance.hpp TrainingPerformance"});
        out.push_back({"training.mfu", "model FLOPs per second / (GPUs x dense peak)",
                       {num("tokens_per_s", t.tokens_per_s), num("gpus", static_cast<double>(e.gpu_count)),
                        num("peak_flops_per_s", peak ? std::optional<double>(peak->value()) : std::nullopt)},
                       t.mfu, "fraction", "PaLM (Chowdhery et al., 2022), as llm-foundry reports"});
        out.push_back({"training.time_to_train_s", "training.tokens / tokens per second",
                       {num("tokens", s.training.tokens), num("tokens_per_s", t.tokens_per_s)},
                       t.time_to_train ? std::optional<double>(t.time_to_train->value()) : std::nullopt, "s", "spec training.tokens"});
    }
    const auto& c = e.cost;
    const std::optional<double> per_hour = c.per_hour ? std::optional<double>(c.per_hour->value()) : std::nullopt;
    out.push_back({"cost.usd_per_hour",
                   s.pricing.mode == PricingMode::onprem
                       ? "GPUs x (purchase price / (amortization years x 8760 h x utilization) + TDP x PUE x electricity price)"
                       : "GPUs x price per GPU-hour (the spec's pricing.usd_per_gpu_hour, else the cheapest dated catalog price)",
                   {num("gpu_count", static_cast<double>(e.gpu_count)), num("slice_share", e.device.share()), txt("price_basis", c.basis.empty() ? "none" : c.basis)},
                   per_hour, "USD/h", "cost.hpp"});
    if (inference && e.inference) {
        out.push_back({"cost.usd_per_million_output_tokens", "USD/h / (output tokens/s x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("output_tokens_per_s", e.inference->performance.output_tokens_per_s)},
                       c.usd_per_million_output_tokens, "USD", "cost.hpp"});
        out.push_back({"cost.usd_per_million_input_tokens", "USD/h / (input tokens/s x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("requests_per_s", e.inference->performance.requests_per_s),
                        num("input_tokens", static_cast<double>(s.inference.input_tokens))},
                       c.usd_per_million_input_tokens, "USD", "cost.hpp"});
    } else if (!inference && e.training) {
        out.push_back({"cost.usd_per_million_training_tokens", "USD/h / (tokens/s x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("tokens_per_s", e.training->performance.tokens_per_s)},
                       c.usd_per_million_training_tokens, "USD", "cost.hpp"});
        out.push_back({"cost.usd_total", "USD/h x time to train / 3600",
                       {num("usd_per_hour", per_hour),
                        num("time_to_train_s", e.training->performance.time_to_train
                                                   ? std::optional<double>(e.training->performance.time_to_train->value())
                                                   : std::nullopt)},
                       c.total ? std::optional<double>(c.total->value()) : std::nullopt, "USD", "cost.hpp"});
    }
    return out;
}

/// How to change an assumption: the `--set` key, a catalog overlay, or nothing (a definition).
std::string override_of(const Assumption& a) {
    const std::string& n = a.name;
    auto starts = [&](const char* p) { return n.rfind(p, 0) == 0; };
    if (starts("calibration.")) return fmt::format("--set {}=VALUE", n);
    if (starts("efficiency.")) return fmt::format("a --catalog overlay giving 'efficiency' for '{}'", n.substr(11));
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
        return fmt::format("0 bytes (0.00 GiB; the formula gives {:.2f} GiB: nothing is left)", *v / 1073741824.0);
    if (unit == "bytes") return fmt::format("{:.0f} bytes ({:.2f} GiB)", std::round(*v), *v / 1073741824.0);
    if (unit == "s") return *v < 1 ? fmt::format("{:.4g} ms", *v * 1e3) : fmt::format("{:.4g} s", *v);
    if (unit == "fraction") return fmt::format("{:.4g}", *v);
    return fmt::format("{:.6g} {}", *v, unit);
}

bool integral(double v) { return std::isfinite(v) && std::fabs(v) < 1e15 && v == std::floor(v); }

/// An input that is a number of bytes (not a rate or a size per element): written as a whole,
/// non-negative number everywhere, as the JSON writer writes bytes.
bool byte_count(const std::string& name) {
    return name == "bytes_per_gpu" || (name.size() > 6 && name.compare(name.size() - 6, 6, "_bytes") == 0);
}

std::string input_text(const Input& i) {
    if (!i.number) return fmt::format("{}={}", i.name, i.text);
    if (byte_count(i.name) && std::isfinite(*i.number)) return fmt::format("{}={:.0f}", i.name, std::round(std::max(0.0, *i.number)));
    return integral(*i.number) ? fmt::format("{}={:.0f}", i.name, *i.number) : fmt::format("{}={:.6g}", i.name, *i.number);
}

std::string deployment_text(const Evaluation& e) {
    return fmt::format("{}: {}", deployment_label(deployment_id(e)),
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
        for (const auto& t : terms_of(r.problem, e)) {
            w.begin_object();
            w.key("name").value(t.name);
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
    std::string out = fmt::format("gpusize explain: {}\n", s.name.empty() ? m.name : s.name);
    out += fmt::format("model     {} ({:.2f} B parameters, {})\n", m.id, m.parameters.total / 1e9, to_string(m.source_kind));
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        out += fmt::format("\ndeployment {}: {}\n", k + 1, deployment_text(e));
        for (const auto& reason : e.reasons) out += fmt::format("  ! {}\n", reason);
        for (const auto& t : terms_of(r.problem, e)) {
            out += fmt::format("\n  {} = {}\n", t.name, value_text(t.value, t.unit));
            out += fmt::format("      formula  {}\n", t.formula);
            std::string inputs;
            for (const auto& i : t.inputs) inputs += (inputs.empty() ? "" : ", ") + input_text(i);
            out += fmt::format("      inputs   {}\n", inputs);
            out += fmt::format("      source   {}\n", t.source);
        }
    }
    out += "\nassumptions (name: value [source]; how to override):\n";
    for (const auto& a : r.assumptions) {
        out += fmt::format("  - {}: {} [{}]\n", a.name, a.value, a.source);
        const std::string how = override_of(a);
        out += fmt::format("      override: {}\n", how.empty() ? "none: a definition of the estimate" : how);
    }
    if (!r.unmodelled.empty()) {
        out += "\nnot modelled:\n";
        for (const auto& u : r.unmodelled) out += fmt::format("  - {}\n", u);
    }
    return out;
}

static std::string render_explain_csv_text(const Report& r) {
    std::vector<std::vector<std::pair<std::string, std::string>>> rows;
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        for (const auto& t : terms_of(r.problem, e)) {
            std::string inputs;
            for (const auto& i : t.inputs) inputs += (inputs.empty() ? "" : "; ") + input_text(i);
            rows.push_back({{"deployment", std::to_string(k + 1)},
                            {"gpu.id", e.device.id()},
                            {"gpu_count", std::to_string(e.gpu_count)},
                            {"parallelism.tensor", std::to_string(e.layout.tensor)},
                            {"parallelism.pipeline", std::to_string(e.layout.pipeline)},
                            {"parallelism.data", std::to_string(e.layout.data)},
                            {"term", t.name},
                            {"value", t.value && std::isfinite(*t.value) ? (t.unit == "bytes" ? fmt::format("{:.0f}", std::round(std::max(0.0, *t.value))) : fmt::format("{:.6g}", *t.value)) : ""},
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
    std::string out = fmt::format("## gpusize explain: {}\n", s.name.empty() ? r.problem.model.name : s.name);
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const auto& e = r.candidates[k];
        out += fmt::format("\n### deployment {}: {}\n\n", k + 1, deployment_text(e));
        std::vector<std::vector<std::string>> rows;
        for (const auto& t : terms_of(r.problem, e)) {
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

// Numbers that round to zero print unsigned, whatever their sign ("0.00", not "-0.00").
std::string render_explain_table(const Report& r) { return without_negative_zeros(render_explain_table_text(r)); }
std::string render_explain_csv(const Report& r) { return without_negative_zeros(render_explain_csv_text(r)); }
std::string render_explain_markdown(const Report& r) { return without_negative_zeros(render_explain_markdown_text(r)); }

}  // namespace gpusize
