#include "gpusize/terms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

#include "gpusize/engines.hpp"
#include "gpusize/interconnect.hpp"
#include "gpusize/performance.hpp"

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

TermInput num(std::string name, double v) { return {std::move(name), v, {}}; }
TermInput num(std::string name, std::optional<double> v) {
    return v ? num(std::move(name), *v) : TermInput{std::move(name), std::nullopt, "none"};
}
TermInput txt(std::string name, std::string_view v) { return {std::move(name), std::nullopt, std::string(v)}; }
TermInput cal(const Problem& p, Constant c) {
    return num(fmt::format("calibration.{}", constant_table()[static_cast<std::size_t>(c)].name), p.calibration[c]);
}

constexpr double gib_bytes = 1073741824.0;

constexpr const char* state_text =
    ", plus each sequence's recurrent state (linear-attention and Mamba layers: convolution and recurrent state, constant in length)";

/// `inputs`, with the recurrent state of one sequence (and, for the token capacity, the sequences
/// whose state is set aside) when the model has recurrent layers.
std::vector<TermInput> with_state(const InferenceMemory& m, std::vector<TermInput> inputs, bool sequences = false) {
    if (m.state_per_sequence.value() > 0) {
        inputs.push_back(num("state_bytes_per_sequence", m.state_per_sequence.value()));
        if (sequences) inputs.push_back(num("max_concurrency", d(m.max_concurrency)));
    }
    return inputs;
}

/// The kernel terms and the total of one inference phase.
void phase_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e, const PhaseTime& t, const std::string& phase,
                 const std::string& total_name, Constant overhead, double tokens_per_step, double allreduces, double sends) {
    const Device& dev = e.device;
    const auto peak = dev.peak(p.spec.precision.activations);
    const auto& eff = dev.gpu->efficiency;
    const std::string base = "inference." + phase;
    const std::string src = "performance.hpp KernelTime; docs/estimation.md §5";
    auto kernel = [&](const KernelTime& k, const std::string& name, bool weights) {
        out.push_back({base + "." + name + "_compute_s", "roofline.compute",
                       "FLOPs per GPU / (peak FLOP/s x eta_matmul x workload matmul fraction x precision factor)",
                       {num("flops_per_gpu", k.flops.value()),
                        num("peak_flops_per_s", peak ? std::optional<double>(peak->value()) : std::nullopt),
                        txt("precision", to_string(p.spec.precision.activations)), num("eta_matmul (catalog)", eff.matmul),
                        cal(p, Constant::workload_matmul_fraction), num("precision_factor", precision_matmul_factor(p.spec.precision.activations, p.calibration))},
                       k.compute.value(), "s", src});
        out.push_back({base + "." + name + "_memory_s", "roofline.memory",
                       weights ? "weight bytes per GPU / (memory bandwidth x eta_memory x the weight format's stream factor)"
                               : "KV-cache bytes per GPU / (memory bandwidth x eta_memory)",
                       {num("bytes_per_gpu", k.bytes.value()), num("memory_bandwidth_bytes_per_s", dev.memory_bandwidth().value()),
                        num("eta_memory (catalog)", eff.memory_bandwidth), num("stream_factor", weights ? weight_stream_factor(p.spec.precision.weights, p.calibration) : 1.0),
                        txt("weights", to_string(p.spec.precision.weights))},
                       k.memory.value(), "s", src});
    };
    kernel(t.weights, "weights", true);
    kernel(t.attention, "attention", false);
    const auto& gpn = p.spec.deployment.gpus_per_node;
    const auto tp = collective_link(*dev.gpu, e.layout.tensor, 1, gpn);
    const auto pp = collective_link(*dev.gpu, e.layout.pipeline, e.layout.tensor, gpn);
    const double act = std::max(2.0, bytes_per_element(p.spec.precision.activations));
    const double message = tokens_per_step * d(p.model.architecture.hidden_size) * act;
    out.push_back({base + ".communication_s", "collectives",
                   "all-reduces x ring all-reduce time (2(t-1)/t x bytes / bus bandwidth + 2(t-1) x step latency) + pipeline sends x"
                   " (bytes / link bandwidth + hop latency)",
                   {num("allreduces", allreduces), num("allreduce_bytes", message), num("tensor", d(e.layout.tensor)),
                    num("tensor_bus_bytes_per_s", tp ? std::optional<double>(tp->bus.value()) : std::nullopt),
                    num("step_latency_s", p.calibration[Constant::collective_step_latency_us] * 1e-6), num("sends", sends),
                    num("send_bytes", message), num("pipeline_bus_bytes_per_s", pp ? std::optional<double>(pp->bus.value()) : std::nullopt),
                    num("hop_latency_s", p.calibration[Constant::p2p_latency_us] * 1e-6)},
                   t.communication.value(), "s", "interconnect.hpp allreduce_time; docs/estimation.md §7.3"});
    out.push_back({base + ".overhead_s", "from_ms", "fixed per-step overhead", {cal(p, overhead)}, t.overhead.value(), "s",
                   "calibration.cpp"});
    out.push_back({total_name, "phase.total",
                   "max(weights compute, weights memory) + max(attention compute, attention memory) + communication + overhead"
                   " (pipeline stages in sequence)",
                   {num("weights_compute_s", t.weights.compute.value()), num("weights_memory_s", t.weights.memory.value()),
                    num("attention_compute_s", t.attention.compute.value()), num("attention_memory_s", t.attention.memory.value()),
                    num("communication_s", t.communication.value()), num("overhead_s", t.overhead.value()), txt("bound", to_string(t.bound))},
                   t.total.value(), "s", "performance.hpp PhaseTime.total (roofline per kernel)"});
}

void memory_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e) {
    const auto& s = p.spec;
    const auto& m = e.memory;
    const Layout& l = e.layout;
    const bool inference = s.workload == Workload::inference;
    const auto& model = p.model.stack;
    const auto stages = split_stages(model, l.pipeline);
    const Stage& stage = stages[std::min(e.memory_stage, stages.size() - 1)];
    const auto sp = stage_parameters(model, stage);
    const double bpp = bytes_per_parameter(s.precision.weights, p.calibration);
    if (inference)
        out.push_back({"memory_per_gpu.weights_bytes", "weights",
                       "((dense - unquantised) x bytes per parameter + unquantised x max(2, bytes per parameter)) / tensor +"
                       " routed experts x bytes per parameter / (tensor x expert), over the parameters of the most loaded stage"
                       " (embeddings, head and norms are the unquantised part)",
                       {num("stage", d(static_cast<std::int64_t>(e.memory_stage))), num("dense_parameters", sp.dense),
                        num("unquantised_parameters", sp.unquantised), num("expert_parameters", sp.experts),
                        txt("weights", to_string(s.precision.weights)), num("bytes_per_parameter", bpp), num("tensor", d(l.tensor)),
                        num("expert", d(l.expert))},
                       m.weights.value(), "bytes", "memory.hpp weight_bytes_per_gpu, stage_parameters; docs/estimation.md §3.2, §2.2"});
    if (inference && e.inference) {
        const auto& i = *e.inference;
        const auto& inf = s.inference;
        out.push_back({"memory_per_gpu.kv_cache_bytes", "kv_cache",
                       "concurrency x KV bytes of one sequence on this GPU (per token, over the stage's layers of each kind: K and V of"
                       " max(1, n_kv / tensor) heads x d_h, or MLA's kv_lora_rank + rope_dim, x bytes; windowed layers hold the window)" +
                           std::string(i.memory.state_per_sequence.value() > 0 ? state_text : ""),
                       with_state(i.memory, {num("concurrency", d(i.performance.concurrency)), num("kv_bytes_per_sequence", i.memory.kv_per_sequence.value()),
                        num("tokens_per_sequence", d(inf.input_tokens + inf.output_tokens)), txt("kv_cache", to_string(s.precision.kv_cache)),
                        num("layers_of_stage", d(stage.layers)), num("tensor", d(l.tensor))}),
                       m.kv_cache.value(), "bytes", "memory.hpp kv_bytes_per_sequence_per_gpu, model.hpp kv_elements; docs/estimation.md §3.3"});
        const EngineProfile& engine = engine_profile(inf.engine);
        const bool profiles = engine.profiles_peak;
        const auto& im = i.memory;
        out.push_back({"memory_per_gpu.activations_bytes", profiles ? "activations.profiled" : "activations.in_flight",
                       profiles ? "the engine's profiling peak: the larger of one prefill chunk's forward pass (hidden- and MLP-sized"
                                  " tensors per token) and, on the last stage, the sampler (sequences x vocabulary x bytes per logit)"
                                : "the forward pass of the prompts in flight (at most one chunk) plus, on the last stage, their fp32"
                                  " logits over tensor parallel",
                       {txt("engine", to_string(inf.engine)), num("forward_bytes", im.forward.value()),
                        num("sampler_bytes", im.sampler.value()), num("step_tokens", im.step_tokens),
                        cal(p, Constant::activation_hidden_tensors), cal(p, Constant::activation_mlp_tensors),
                        cal(p, Constant::sampler_sequences), cal(p, Constant::sampler_bytes_per_logit),
                        num("hidden_size", d(model.hidden_size)), num("vocab_size", d(model.vocab_size))},
                       m.activations.value(), "bytes", "memory.hpp inference_activation_bytes, sampler_bytes"});
        std::vector<TermInput> parts{cal(p, engine.overhead)};
        if (engine.tensor_parallel_overhead && l.tensor > 1) parts.push_back(cal(p, *engine.tensor_parallel_overhead));
        if (engine.nccl_buffers && l.tensor * l.pipeline > 1) parts.push_back(cal(p, Constant::nccl_buffers_gib));
        out.push_back({"memory_per_gpu.overhead_bytes", "gib_sum", std::string(engine.overhead_text),
                       parts, m.overhead.value(), "bytes", "calibration.cpp (each constant's source is in the assumptions)"});
    } else {
        const auto& t = s.training;
        const auto* tr = e.training ? &*e.training : nullptr;
        const TrainingRecipe recipe = tr ? tr->recipe : training_recipe(p, l);
        // The peak's parts as the estimate found them (its stage, micro batch and peak).
        const TrainingMemory fallback = tr ? TrainingMemory{} : estimate_training_memory(p, e.device, l, recipe);
        const TrainingMemoryParts& parts = tr ? tr->memory_parts : fallback.parts;
        const bool forward = (tr ? tr->memory_peak : fallback.peak) == TrainingPeak::forward;
        out.push_back({"memory_per_gpu.weights_bytes", "training_weights",
                       "the stage's weights on this GPU, sharded over data parallel by zero3 (none on the GPU with parameters"
                       " offloaded) + the layers FSDP gathers in flight + QLoRA's de-quantised matrix",
                       {num("stage", d(static_cast<std::int64_t>(e.memory_stage))), num("dense_parameters", sp.dense),
                        num("expert_parameters", sp.experts), txt("weights", to_string(recipe.stored_weights)),
                        num("bytes_per_parameter", bytes_per_parameter(recipe.stored_weights, p.calibration)),
                        num("tensor", d(l.tensor)), num("expert", d(l.expert)), txt("method", to_string(t.method)),
                        txt("sharding", to_string(t.sharding)), num("weight_shards", recipe.weight_shards),
                        txt("offload_parameters", t.offload.parameters ? "yes" : "no"), cal(p, Constant::zero3_prefetch_layers),
                        num("weight_shard_bytes", parts.weight_shard.value()), num("gathered_bytes", parts.gathered.value()),
                        num("dequantised_bytes", parts.dequantised.value())},
                       m.weights.value(), "bytes", "memory.hpp estimate_training_memory; docs/estimation.md §4.2"});
        out.push_back({"memory_per_gpu.activations_bytes", "training_activations",
                       "at a forward peak (the loss): the stored activations of the micro-batches in flight (1F1B; with offload"
                       " the layers kept) + the logits and one fp32 loss chunk when the loss is the peak, else one recomputed"
                       " layer's; at a backward peak (its end): one layer's activations",
                       {num("peak_at_forward", forward ? 1.0 : 0.0), num("stored_bytes", parts.stored.value()),
                        num("logits_bytes", parts.logits.value()), num("layer_bytes", parts.layer.value()),
                        num("at_head", parts.at_head ? 1.0 : 0.0), num("sequence_length", d(t.sequence_length)),
                        num("micro_batch", d(tr ? tr->micro_batch : t.micro_batch)),
                        num("micro_batches_in_flight", d(tr ? tr->micro_batches_in_flight : fallback.micro_batches_in_flight)),
                        txt("activation_checkpointing", to_string(t.activation_checkpointing)), num("loss_chunks", d(t.loss_chunks)),
                        txt("fused_kernels", t.fused_kernels ? "yes" : "no"), txt("offload_activations", t.offload.activations ? "yes" : "no"),
                        cal(p, Constant::activation_offload_layers), txt("sequence_parallel", l.tensor > 1 ? "yes" : "no"),
                        num("tensor", d(l.tensor)), num("pipeline", d(l.pipeline))},
                       m.activations.value(), "bytes", "memory.hpp estimate_training_memory, training_activation_bytes_per_token_per_layer; docs/estimation.md §4.5-§4.7"});
        out.push_back({"memory_per_gpu.gradients_bytes", "training_gradients",
                       "at a forward peak: every gradient when they outlive the step (accumulation, pipelines, DDP/ZeRO-1/2"
                       " buckets), else the head's when the loss is the peak; at a backward peak: every gradient (one matrix's with"
                       " optimizer_in_backward, one layer's with parameters offloaded); trainable parameters on this GPU x gradient"
                       " bytes / gradient shards",
                       {num("peak_at_forward", forward ? 1.0 : 0.0), num("forward_gradients_bytes", parts.forward_gradients.value()),
                        num("backward_gradients_bytes", parts.backward_gradients.value()),
                        num("trainable_parameters_on_gpu", parts.trainable), num("gradient_bytes_per_parameter", recipe.gradient_bytes),
                        num("gradient_shards", recipe.gradient_shards), txt("gradients_persist", recipe.gradients_persist ? "yes" : "no"),
                        txt("optimizer_in_backward", t.optimizer_in_backward ? "yes" : "no"),
                        txt("offload_parameters", t.offload.parameters ? "yes" : "no"), txt("sharding", to_string(t.sharding))},
                       m.gradients.value(), "bytes", "memory.hpp estimate_training_memory; docs/estimation.md §4.3"});
        out.push_back({"memory_per_gpu.optimizer_bytes", "training_optimizer",
                       "trainable parameters on this GPU x optimizer bytes per parameter (adamw: fp32 master + 2 moments, 12 B;"
                       " adamw_8bit; sgd) / optimizer shards (zero1 and above); none on the GPU when offloaded",
                       {num("trainable_parameters_on_gpu", parts.trainable), num("optimizer_bytes_per_parameter", recipe.optimizer_bytes),
                        num("optimizer_shards", recipe.optimizer_shards), num("optimizer_on_gpu", parts.optimizer_on_gpu ? 1.0 : 0.0),
                        txt("optimizer", to_string(t.optimizer)), txt("sharding", to_string(t.sharding))},
                       m.optimizer.value(), "bytes", "memory.hpp estimate_training_memory; docs/estimation.md §4.4"});
        out.push_back({"memory_per_gpu.overhead_bytes", "training_overhead",
                       "CUDA context and runtime (GiB) + allocator fragmentation x (weights + gradients + optimizer + activations)",
                       {cal(p, Constant::training_runtime_overhead_gib), cal(p, Constant::training_fragmentation),
                        num("weights_bytes", m.weights.value()), num("gradients_bytes", m.gradients.value()),
                        num("optimizer_bytes", m.optimizer.value()), num("activations_bytes", m.activations.value())},
                       m.overhead.value(), "bytes", "memory.hpp estimate_training_memory; calibration.cpp"});
    }
    out.push_back({"memory_per_gpu.total_bytes", "sum", "weights + kv cache + activations + gradients + optimizer + overhead",
                   {num("weights_bytes", m.weights.value()), num("kv_cache_bytes", m.kv_cache.value()),
                    num("activations_bytes", m.activations.value()), num("gradients_bytes", m.gradients.value()),
                    num("optimizer_bytes", m.optimizer.value()), num("overhead_bytes", m.overhead.value())},
                   m.total().value(), "bytes", "memory.hpp MemoryBreakdown.total"});
    out.push_back({"memory_per_gpu.capacity_bytes", "capacity", "usable memory of the GPU (or slice) x (1 - headroom)",
                   {num("usable_memory_bytes", e.device.usable_memory().value()), num("headroom", s.headroom)}, m.capacity.value(),
                   "bytes", "catalog usable_memory; spec headroom"});
}

/// The load model's terms (docs/estimation.md §6.7); rates and counts of all replicas, the rest per
/// replica.
void loaded_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e) {
    const auto& inf = p.spec.inference;
    const auto& perf = e.inference->performance;
    const LoadedPerformance& l = *e.inference->loaded;
    const double data = d(e.layout.data), out_tokens = d(inf.output_tokens);
    const std::string src = "load.hpp estimate_loaded; docs/estimation.md §6.7";
    out.push_back({"inference.loaded.capacity_requests_per_s", "serving_requests",
                   "replicas / (prefill share + output x T(B) / B): the unloaded requests_per_s",
                   {num("data", data), num("output_tokens", out_tokens), num("prefill_share_s", perf.prefill_share.value()),
                    num("tpot_s", perf.tpot.value()), num("concurrency", d(perf.concurrency))},
                   l.capacity_requests_per_s, "requests/s", src});
    out.push_back({"inference.loaded.utilization", "ratio", "offered requests/s / capacity",
                   {num("numerator", l.offered_requests_per_s), num("denominator", l.capacity_requests_per_s)}, l.utilization, "fraction",
                   src});
    if (l.saturated) return;
    // The decode step at n sequences per replica, interpolated between the roofline's at the powers
    // of two (and B) around n.
    const double n = l.decoding / data;
    double n0 = 1, n1 = 1;
    while (n1 < n && n1 < d(perf.concurrency)) {
        n0 = n1;
        n1 = std::min(2.0 * n1, d(perf.concurrency));
    }
    auto step = [&](double k) {
        const auto at = estimate_inference_performance(p, e.device, e.layout, static_cast<std::int64_t>(k), e.memory_stage);
        return at ? at->tpot.value() : NAN;
    };
    out.push_back({"inference.loaded.decode_step_s", "interpolate",
                   "T(n): the decode step at n sequences per replica, linear between the roofline's at n0 and n1",
                   {num("n", std::max(1.0, n)), num("n0", n0), num("t0", step(n0)), num("n1", n1), num("t1", step(n1))},
                   l.decode_step.value(), "s", "performance.hpp estimate_loaded_performance"});
    out.push_back({"inference.loaded.prefill_busy", "load.prefill_busy", "f_p = requests/s per replica x prefill share",
                   {num("requests_per_s", l.requests_per_s), num("data", data), num("prefill_share_s", perf.prefill_share.value())},
                   l.prefill_busy, "fraction", src});
    out.push_back({"inference.loaded.decoding", "load.decoding",
                   "n (all replicas) = requests/s x output x T(n) / (1 - f_p): Little's law for the decode batch, solved for n",
                   {num("requests_per_s", l.requests_per_s), num("output_tokens", out_tokens), num("decode_step_s", l.decode_step.value()),
                    num("prefill_busy", l.prefill_busy)},
                   l.decoding, "sequences", src});
    out.push_back({"inference.loaded.between_tokens_s", "load.between_tokens", "tau = T(n) / (1 - f_p): decode shares steps with prefill",
                   {num("decode_step_s", l.decode_step.value()), num("prefill_busy", l.prefill_busy)}, l.between_tokens.value(), "s", src});
    const double chunks = std::ceil(d(inf.input_tokens) / p.calibration[Constant::prefill_chunk_tokens]);
    out.push_back({"inference.loaded.prefill_s", "load.prefill",
                   "S_pre = prefill alone + chunks x T(n) x min(1, n): each chunk rides in a step with the decoding batch",
                   {num("ttft_s", perf.ttft.value()), num("chunks", chunks), num("decode_step_s", l.decode_step.value()), num("n", n)},
                   l.prefill.value(), "s", src});
    const double rho = l.utilization;
    if (inf.arrival->users) {
        out.push_back({"inference.loaded.queue_s", "load.closed_wait",
                       "users beyond what the engine holds wait in line: max(0, users / capacity - (S_pre + output x tau)) when the rate "
                       "is the capacity, else 0",
                       {num("users", *inf.arrival->users), num("capacity_requests_per_s", l.capacity_requests_per_s),
                        num("requests_per_s", l.requests_per_s), num("prefill_s", l.prefill.value()), num("output_tokens", out_tokens),
                        num("between_tokens_s", l.between_tokens.value())},
                       l.queue->value(), "s", src});
    } else {
        out.push_back({"inference.loaded.queue_s", "load.kingman",
                       "W = rho / (1 - rho) x (c_a^2 + c_s^2) / 2 x replicas / capacity (Kingman's G/G/1; c_s = 0: fixed lengths)",
                       {num("utilization", rho), num("burstiness", l.arrival_cv), num("data", data),
                        num("capacity_requests_per_s", l.capacity_requests_per_s)},
                       l.queue->value(), "s", src});
    }
    const bool open = !inf.arrival->users;
    const std::vector<std::pair<const char*, double>> qs{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}};
    const std::vector<const Seconds*> ttft{&l.ttft->p50, &l.ttft->p90, &l.ttft->p99};
    out.push_back({"inference.loaded.ttft_s.mean", "sum", "W + S_pre + tau: the wait, the prefill, the first token's step",
                   {num("queue_s", l.queue->value()), num("prefill_s", l.prefill.value()), num("between_tokens_s", l.between_tokens.value())},
                   l.ttft->mean.value(), "s", src});
    for (std::size_t k = 0; k < qs.size(); ++k)
        out.push_back({fmt::format("inference.loaded.ttft_s.{}", qs[k].first), open ? "load.ttft_quantile" : "sum",
                       open ? "the wait's quantile (none with probability 1 - rho, else exponential of mean W / rho) + S_pre + tau"
                            : "every user waits the same W in a closed loop: W + S_pre + tau",
                       open ? std::vector<TermInput>{num("q", qs[k].second), num("utilization", rho), num("queue_s", l.queue->value()),
                                                     num("prefill_s", l.prefill.value()), num("between_tokens_s", l.between_tokens.value())}
                            : std::vector<TermInput>{num("queue_s", l.queue->value()), num("prefill_s", l.prefill.value()),
                                                     num("between_tokens_s", l.between_tokens.value())},
                       ttft[k]->value(), "s", src});
    out.push_back({"inference.loaded.chunk_step_share", "load.chunk_share", "pi = min(1, requests/s per replica x chunks x tau)",
                   {num("requests_per_s", l.requests_per_s), num("data", data), num("chunks", chunks),
                    num("between_tokens_s", l.between_tokens.value())},
                   l.chunk_step_share, "fraction", src});
    const std::vector<const Seconds*> tpot{&l.tpot->p50, &l.tpot->p90, &l.tpot->p99};
    const double z[] = {0.0, z90, z99};
    for (std::size_t k = 0; k < qs.size(); ++k)
        out.push_back({fmt::format("inference.loaded.tpot_s.{}", qs[k].first), "load.tpot_quantile",
                       "tau + z x X x sqrt(pi (1 - pi) / (output - 1)), X = (tau - T(n)) / pi: a request's mean gap, normal",
                       {num("z", z[k]), num("between_tokens_s", l.between_tokens.value()), num("decode_step_s", l.decode_step.value()),
                        num("chunk_step_share", l.chunk_step_share), num("output_tokens", out_tokens)},
                       tpot[k]->value(), "s", src});
    out.push_back({"inference.loaded.e2e_s.mean", "load.e2e", "W + S_pre + output x tau",
                   {num("queue_s", l.queue->value()), num("prefill_s", l.prefill.value()), num("output_tokens", out_tokens),
                    num("between_tokens_s", l.between_tokens.value())},
                   l.e2e->mean.value(), "s", src});
    out.push_back({"inference.loaded.in_flight", "load.in_flight",
                   "requests/s x W + requests/s x S_pre + n: waiting, prefilling and decoding (Little's law per population)",
                   {num("requests_per_s", l.requests_per_s), num("queue_s", l.queue->value()), num("prefill_s", l.prefill.value()),
                    num("decoding", l.decoding)},
                   *l.in_flight, "requests", src});
}

void serving_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e) {
    const auto& s = p.spec;
    const auto& inf = s.inference;
    const auto& m = e.memory;
    const auto& i = *e.inference;
    const auto& perf = i.performance;
    const Layout& l = e.layout;
    const double usable = e.device.usable_memory().value();
    const EngineProfile& engine = engine_profile(inf.engine);
    const double util = inf.gpu_memory_utilization.value_or(engine.memory_fraction);
    const std::vector<TermInput> sizes{num("usable_memory_bytes", usable), num("headroom", s.headroom), num("utilization", util)};
    out.push_back({"inference.memory_budget_bytes", std::string(engine.budget_formula), std::string(engine.budget_text), sizes,
                   i.memory.budget.value(), "bytes", "memory.hpp estimate_inference_memory, engines.hpp"});
    out.push_back({"inference.kv_cache_pool_bytes", std::string(engine.pool_formula), std::string(engine.pool_text),
                   {num("memory_budget_bytes", i.memory.budget.value()), num("weights_bytes", m.weights.value()),
                    num("activations_bytes", m.activations.value()), num("overhead_bytes", m.overhead.value()),
                    num("usable_memory_bytes", usable), num("utilization", util)},
                   i.memory.kv_pool.value(), "bytes", "memory.hpp InferenceMemory.kv_pool"});
    const double tokens = d(inf.input_tokens + inf.output_tokens);
    out.push_back({"inference.kv_cache_capacity_tokens", "kv_capacity",
                   i.memory.state_per_sequence.value() > 0
                       ? "floor((KV pool - state bytes x max_concurrency) / (KV bytes of one sequence / its tokens)), engine-wide"
                       : "floor(KV pool / (KV bytes of one sequence / its tokens)), engine-wide",
                   with_state(i.memory, {num("kv_cache_pool_bytes", i.memory.kv_pool.value()), num("kv_bytes_per_sequence", i.memory.kv_per_sequence.value()),
                    num("tokens_per_sequence", tokens)}, true),
                   i.memory.kv_capacity_tokens, "tokens", "memory.hpp InferenceMemory.kv_capacity_tokens"});
    out.push_back({"inference.max_concurrency", "max_concurrency", i.memory.state_per_sequence.value() > 0 ? "floor(KV pool / (KV bytes of one full-length sequence + its recurrent state))"
                                                           : "floor(KV pool / KV bytes of one full-length sequence)",
                   with_state(i.memory, {num("kv_cache_pool_bytes", i.memory.kv_pool.value()), num("kv_bytes_per_sequence", i.memory.kv_per_sequence.value())}),
                   d(i.memory.max_concurrency), "sequences", "memory.hpp InferenceMemory.max_concurrency"});
    out.push_back({"inference.concurrency", "choice",
                   inf.concurrency ? "the spec's inference.concurrency"
                                   : "auto: the largest the KV pool holds at that concurrency (at most the sampler's batch) that meets"
                                     " the TPOT target",
                   {num("max_concurrency", d(i.memory.max_concurrency)), cal(p, Constant::sampler_sequences),
                    txt("binding_target", i.binding_target.empty() ? "none" : i.binding_target)},
                   d(perf.concurrency), "sequences", "planner.hpp evaluate"});
    const auto& model = p.model.stack;
    const auto stages = split_stages(model, l.pipeline);
    const Stage& heaviest = stages[std::min(e.memory_stage, stages.size() - 1)];
    const double pp = d(l.pipeline);
    phase_terms(out, p, e, perf.prefill, "prefill", "inference.ttft_s", Constant::prefill_overhead_ms, d(inf.input_tokens),
                forward_work(model, whole_model(model), 1, 1, 1).exchanges, pp - 1);
    const double micro = std::max(1.0, d(perf.concurrency) / pp);
    phase_terms(out, p, e, perf.decode, "decode", "inference.tpot_s", Constant::decode_step_overhead_ms, micro,
                forward_work(model, heaviest, 1, 1, 1).exchanges * pp, pp - 1);
    out.push_back({"inference.prefill_share_s", "prefill_share",
                   "a request's share of prefill: the step packing prefill_chunk_tokens / input prompts, over those prompts",
                   {num("packed_prefill_step_s", perf.packed_prefill_step.value()), num("prompts_per_step", perf.prompts_per_prefill_step),
                    cal(p, Constant::prefill_chunk_tokens), num("input_tokens", d(inf.input_tokens))},
                   perf.prefill_share.value(), "s", "performance.hpp InferencePerformance.prefill_share; docs/estimation.md §6.4"});
    out.push_back({"inference.output_tokens_per_s", "serving_throughput",
                   "replicas x output / (prefill share + output x tpot / concurrency): each request is charged its share of a packed"
                   " prefill step and output x tpot / concurrency of decode",
                   {num("data", d(l.data)), num("output_tokens", d(inf.output_tokens)), num("prefill_share_s", perf.prefill_share.value()),
                    num("tpot_s", perf.tpot.value()), num("concurrency", d(perf.concurrency))},
                   perf.output_tokens_per_s, "tokens/s", "performance.hpp estimate_inference_performance; docs/estimation.md §6.4"});
    out.push_back({"inference.requests_per_s", "requests", "output tokens/s / output tokens per request",
                   {num("output_tokens_per_s", perf.output_tokens_per_s), num("output_tokens", d(inf.output_tokens))},
                   perf.requests_per_s, "requests/s", "performance.hpp InferencePerformance"});
    if (i.loaded) loaded_terms(out, p, e);
}

void training_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e) {
    const auto& s = p.spec;
    const auto& t = e.training->performance;
    // A training result exists only where the device has the rate (estimate_training_performance).
    const double peak_value = e.device.peak(s.precision.activations).value_or(FlopsPerSecond(0)).value();
    const Layout& l = e.layout;
    const AttentionTime& at = t.attention;
    out.push_back({"training.attention_s", "training.attention",
                   "causal attention FLOPs the kernels execute ((s + 1) / 2 positions per query; forward, again under full"
                   " recomputation; backward 2.5 x forward) / (GPUs x 16-bit peak x the kernel's efficiency, forward and backward)",
                   {num("attention_forward_flops_per_step", at.forward.value()),
                    num("attention_backward_flops_per_step", at.backward.value()), num("gpus", d(e.gpu_count)),
                    num("attention_peak_flops_per_s", at.peak.value()), num("eta_attention_forward", at.eta_forward),
                    num("eta_attention_backward", at.eta_backward), txt("attention_kernel", to_string(at.kernel)),
                    txt("efficiency_source",
                        at.measured ? std::string(attention_kernel_efficiency(at.kernel, e.device.gpu->architecture)->source)
                                    : fmt::format("no published row for {} on {}: the GEMM efficiency", to_string(at.kernel),
                                                  e.device.gpu->architecture))},
                   at.time.value(), "s", "performance.hpp AttentionTime, attention_kernel_efficiency"});
    out.push_back({"training.compute_s", "training.compute",
                   "weight-GEMM FLOPs of the step (hardware FLOPs: model FLOPs 6 x P_active + 12 x L x s x a x d_h per token,"
                   " LoRA 4 x P, plus recomputation; less the convention's attention 12 x L x s x a x d_h x (1 + recomputed)) /"
                   " (GPUs x peak x eta_matmul x workload matmul fraction x precision factor) + attention time",
                   {num("gemm_flops_per_step", (t.hardware_flops - t.convention_attention).value()),
                    num("hardware_flops_per_step", t.hardware_flops.value()), num("model_flops_per_step", t.model_flops.value()),
                    num("gpus", d(e.gpu_count)), num("peak_flops_per_s", peak_value), num("eta_matmul (catalog)", e.device.gpu->efficiency.matmul),
                    cal(p, Constant::workload_matmul_fraction), num("precision_factor", precision_matmul_factor(p.spec.precision.activations, p.calibration)),
                    num("attention_s", at.time.value()),
                    txt("activation_checkpointing", to_string(s.training.activation_checkpointing))},
                   t.compute.value(), "s", "performance.hpp training_flops_per_token, estimate_training_performance"});
    out.push_back({"training.communication_s", "sum",
                   "exposed tensor-parallel all-reduces + data-parallel gradient reduction (and ZeRO gathers) + pipeline sends +"
                   " context-parallel exchange, each after its calibrated overlap",
                   {num("tensor_s", t.tensor_communication.value()), num("data_s", t.data_communication.value()),
                    num("pipeline_s", t.pipeline_communication.value()), num("context_s", t.context_communication.value()),
                    txt("sharding", to_string(s.training.sharding)), txt("overlaps", fmt::format("dp {:g}, tp {:g}, cp {:g}",
                                                                                               p.calibration[Constant::dp_comm_overlap],
                                                                                               p.calibration[Constant::tp_comm_overlap],
                                                                                               p.calibration[Constant::cp_comm_overlap]))},
                   t.communication.value(), "s", "interconnect.hpp; docs/estimation.md §7.4"});
    const Seconds busy = t.compute + t.tensor_communication + t.pipeline_communication + t.context_communication;
    out.push_back({"training.bubble_s", "training.bubble",
                   "(pipeline - 1) / (micro-batches x interleave) x the pipeline's busy time (compute + tensor, pipeline and context"
                   " communication)",
                   {num("busy_s", busy.value()), num("pipeline", d(l.pipeline)), num("micro_batches", t.micro_batches),
                    num("pipeline_interleave", d(s.training.pipeline_interleave))},
                   t.bubble.value(), "s", "performance.hpp TrainingPerformance.bubble"});
    out.push_back({"training.step_time_s", "sum", "compute + exposed communication + bubble + host transfers + step overhead",
                   {num("compute_s", t.compute.value()), num("communication_s", t.communication.value()), num("bubble_s", t.bubble.value()),
                    num("host_transfer_s", t.host_transfer.value()),
                    num("step_overhead_s", p.calibration[Constant::training_step_overhead_ms] / 1000.0)},
                   t.step_time.value(), "s", "performance.hpp estimate_training_performance"});
    out.push_back({"training.tokens_per_s", "training.tokens_per_s", "tokens per step / step time",
                   {num("tokens_per_step", t.tokens_per_step), num("step_time_s", t.step_time.value())}, t.tokens_per_s, "tokens/s",
                   "performance.hpp TrainingPerformance"});
    out.push_back({"training.mfu", "mfu", "model FLOPs per step / step time / (GPUs x dense peak)",
                   {num("model_flops_per_step", t.model_flops.value()), num("step_time_s", t.step_time.value()),
                    num("gpus", d(e.gpu_count)), num("peak_flops_per_s", peak_value)},
                   t.mfu, "fraction", "PaLM (Chowdhery et al., 2022), as llm-foundry reports"});
    out.push_back({"training.time_to_train_s", "time_to_train",
                   "training.tokens / tokens per second / (1 - share of wall time lost to interruptions and checkpoints)",
                   {num("tokens", s.training.tokens), num("tokens_per_s", t.tokens_per_s), num("goodput_loss", t.failures.goodput_loss)},
                   t.time_to_train ? std::optional<double>(t.time_to_train->value()) : std::nullopt, "s",
                   "performance.hpp estimate_failures; docs/estimation.md §9"});
}

void cost_terms(std::vector<Term>& out, const Problem& p, const Evaluation& e) {
    const auto& s = p.spec;
    const auto& c = e.cost;
    const std::optional<double> per_hour = c.per_hour ? std::optional<double>(c.per_hour->value()) : std::nullopt;
    out.push_back({"cost.usd_per_hour", "product",
                   s.pricing.mode == PricingMode::onprem
                       ? "GPUs x (purchase price / (amortization years x 8760 h x utilization) + TDP x PUE x electricity price)"
                       : "GPUs x price per GPU-hour (the spec's pricing.usd_per_gpu_hour, else the cheapest dated catalog offer whose "
                         "instance shape supplies the layout, per GPU used)",
                   {num("gpu_count", d(e.gpu_count)),
                    num("usd_per_gpu_hour", per_hour ? std::optional<double>(*per_hour / d(e.gpu_count)) : std::nullopt),
                    txt("slice_share", fmt::format("{:g}", e.device.share())), txt("price_basis", c.basis.empty() ? "none" : c.basis)},
                   per_hour, "USD/h", "cost.hpp"});
    if (e.inference) {
        const auto& perf = e.inference->performance;
        out.push_back({"cost.usd_per_million_output_tokens", "cost.per_million", "USD/h / (output tokens/s x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("tokens_per_s", perf.output_tokens_per_s)}, c.usd_per_million_output_tokens,
                       "USD", "cost.hpp"});
        out.push_back({"cost.usd_per_million_input_tokens", "cost.per_million_input",
                       "USD/h / (requests/s x input tokens x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("requests_per_s", perf.requests_per_s),
                        num("input_tokens", d(s.inference.input_tokens))},
                       c.usd_per_million_input_tokens, "USD", "cost.hpp"});
    } else if (e.training) {
        const auto& perf = e.training->performance;
        out.push_back({"cost.usd_per_million_training_tokens", "cost.per_million", "USD/h / (tokens/s x 3600) x 1e6",
                       {num("usd_per_hour", per_hour), num("tokens_per_s", perf.tokens_per_s)}, c.usd_per_million_training_tokens,
                       "USD", "cost.hpp"});
        out.push_back({"cost.usd_total", "cost.total", "USD/h x time to train / 3600",
                       {num("usd_per_hour", per_hour),
                        num("time_to_train_s", perf.time_to_train ? std::optional<double>(perf.time_to_train->value()) : std::nullopt)},
                       c.total ? std::optional<double>(c.total->value()) : std::nullopt, "USD", "cost.hpp"});
    }
}

using Values = std::map<std::string, double>;
using Formula = std::function<double(const Values&)>;

double at(const Values& v, const char* name) {
    const auto it = v.find(name);
    if (it == v.end()) throw std::out_of_range(name);
    return it->second;
}

/// An input shown only where it applies (recurrent state, for a model that has it): 0 otherwise.
double or_zero(const Values& v, const char* name) {
    const auto it = v.find(name);
    return it == v.end() ? 0.0 : it->second;
}

double sum_of(const Values& v, double scale = 1) {
    double s = 0;
    for (const auto& [name, x] : v) s += x;
    return s * scale;
}

const std::map<std::string, Formula>& formulas() {
    static const std::map<std::string, Formula> table{
        {"sum", [](const Values& v) { return sum_of(v); }},
        {"gib_sum", [](const Values& v) { return sum_of(v, gib_bytes); }},
        {"from_ms", [](const Values& v) { return sum_of(v, 1e-3); }},
        {"product",
         [](const Values& v) {
             double p = 1;
             for (const auto& [name, x] : v) p *= x;
             return p;
         }},
        {"weights",
         [](const Values& v) {
             const double w = at(v, "bytes_per_parameter"), t = at(v, "tensor");
             return ((at(v, "dense_parameters") - at(v, "unquantised_parameters")) * w +
                     at(v, "unquantised_parameters") * std::max(w, 2.0)) / t +
                    at(v, "expert_parameters") * w / (t * at(v, "expert"));
         }},
        {"kv_cache",
         [](const Values& v) { return at(v, "concurrency") * (at(v, "kv_bytes_per_sequence") + or_zero(v, "state_bytes_per_sequence")); }},
        {"training_weights",
         [](const Values& v) { return at(v, "weight_shard_bytes") + at(v, "gathered_bytes") + at(v, "dequantised_bytes"); }},
        {"training_activations",
         [](const Values& v) {
             if (at(v, "peak_at_forward") == 0) return at(v, "layer_bytes");
             return at(v, "stored_bytes") + (at(v, "at_head") != 0 ? at(v, "logits_bytes") : at(v, "layer_bytes"));
         }},
        {"training_gradients",
         [](const Values& v) { return at(v, at(v, "peak_at_forward") != 0 ? "forward_gradients_bytes" : "backward_gradients_bytes"); }},
        {"training_optimizer",
         [](const Values& v) {
             return at(v, "optimizer_on_gpu") * at(v, "trainable_parameters_on_gpu") * at(v, "optimizer_bytes_per_parameter") /
                    at(v, "optimizer_shards");
         }},
        {"activations.profiled", [](const Values& v) { return std::max(at(v, "forward_bytes"), at(v, "sampler_bytes")); }},
        {"activations.in_flight", [](const Values& v) { return at(v, "forward_bytes") + at(v, "sampler_bytes"); }},
        {"training_overhead",
         [](const Values& v) {
             return at(v, "calibration.training_runtime_overhead_gib") * gib_bytes +
                    at(v, "calibration.training_fragmentation") *
                        (at(v, "weights_bytes") + at(v, "gradients_bytes") + at(v, "optimizer_bytes") + at(v, "activations_bytes"));
         }},
        {"capacity", [](const Values& v) { return at(v, "usable_memory_bytes") * (1.0 - at(v, "headroom")); }},
        {"budget.vllm",
         [](const Values& v) {
             const double usable = at(v, "usable_memory_bytes");
             return std::min(usable * at(v, "utilization"), usable * (1.0 - at(v, "headroom")));
         }},
        {"kv_pool.remainder",
         [](const Values& v) {
             return at(v, "memory_budget_bytes") - at(v, "weights_bytes") - at(v, "activations_bytes") - at(v, "overhead_bytes");
         }},
        {"kv_pool.trtllm",
         [](const Values& v) {
             return (at(v, "memory_budget_bytes") - at(v, "weights_bytes") - at(v, "activations_bytes") - at(v, "overhead_bytes")) *
                    at(v, "utilization");
         }},
        {"kv_pool.sglang",
         [](const Values& v) {
             const double w = at(v, "weights_bytes");
             return std::min(at(v, "usable_memory_bytes") * at(v, "utilization") - w,
                             at(v, "memory_budget_bytes") - w - at(v, "activations_bytes") - at(v, "overhead_bytes"));
         }},
        {"kv_capacity",
         [](const Values& v) {
             const double pool = at(v, "kv_cache_pool_bytes"), state = or_zero(v, "state_bytes_per_sequence");
             const double per_token = at(v, "kv_bytes_per_sequence") / at(v, "tokens_per_sequence");
             if (pool <= 0) return 0.0;
             if (per_token <= 0) return or_zero(v, "max_concurrency") * at(v, "tokens_per_sequence");
             return std::floor(std::max(0.0, pool - state * std::max(1.0, or_zero(v, "max_concurrency"))) / per_token);
         }},
        {"max_concurrency",
         [](const Values& v) {
             const double pool = at(v, "kv_cache_pool_bytes");
             return pool > 0 ? std::floor(pool / (at(v, "kv_bytes_per_sequence") + or_zero(v, "state_bytes_per_sequence"))) : 0.0;
         }},
        {"roofline.compute",
         [](const Values& v) {
             return at(v, "flops_per_gpu") / (at(v, "peak_flops_per_s") * at(v, "eta_matmul (catalog)") *
                                              at(v, "calibration.workload_matmul_fraction") * at(v, "precision_factor"));
         }},
        {"roofline.memory",
         [](const Values& v) {
             return at(v, "bytes_per_gpu") /
                    (at(v, "memory_bandwidth_bytes_per_s") * at(v, "eta_memory (catalog)") * at(v, "stream_factor"));
         }},
        {"collectives",
         [](const Values& v) {
             const double t = at(v, "tensor");
             const double steps = 2.0 * (t - 1.0);
             const double allreduce =
                 t > 1 ? at(v, "allreduce_bytes") * (steps / t) / at(v, "tensor_bus_bytes_per_s") + at(v, "step_latency_s") * steps : 0.0;
             const double sends = at(v, "sends");
             const double send = sends > 0 ? at(v, "send_bytes") / at(v, "pipeline_bus_bytes_per_s") + at(v, "hop_latency_s") : 0.0;
             return at(v, "allreduces") * allreduce + sends * send;
         }},
        {"phase.total",
         [](const Values& v) {
             return std::max(at(v, "weights_compute_s"), at(v, "weights_memory_s")) +
                    std::max(at(v, "attention_compute_s"), at(v, "attention_memory_s")) + at(v, "communication_s") + at(v, "overhead_s");
         }},
        {"prefill_share", [](const Values& v) { return at(v, "packed_prefill_step_s") / at(v, "prompts_per_step"); }},
        {"serving_throughput",
         [](const Values& v) {
             const double out = at(v, "output_tokens");
             return at(v, "data") * out / (at(v, "prefill_share_s") + out * at(v, "tpot_s") / at(v, "concurrency"));
         }},
        {"requests", [](const Values& v) { return at(v, "output_tokens_per_s") / at(v, "output_tokens"); }},
        {"ratio", [](const Values& v) { return at(v, "numerator") / at(v, "denominator"); }},
        {"serving_requests",
         [](const Values& v) {
             return at(v, "data") / (at(v, "prefill_share_s") + at(v, "output_tokens") * at(v, "tpot_s") / at(v, "concurrency"));
         }},
        {"interpolate",
         [](const Values& v) {
             const double n0 = at(v, "n0"), n1 = at(v, "n1"), t0 = at(v, "t0");
             return n1 > n0 ? t0 + (at(v, "t1") - t0) * (std::min(at(v, "n"), n1) - n0) / (n1 - n0) : t0;
         }},
        {"load.prefill_busy", [](const Values& v) { return at(v, "requests_per_s") / at(v, "data") * at(v, "prefill_share_s"); }},
        {"load.decoding",
         [](const Values& v) {
             return at(v, "requests_per_s") * at(v, "output_tokens") * at(v, "decode_step_s") / (1.0 - at(v, "prefill_busy"));
         }},
        {"load.between_tokens", [](const Values& v) { return at(v, "decode_step_s") / (1.0 - at(v, "prefill_busy")); }},
        {"load.prefill",
         [](const Values& v) { return at(v, "ttft_s") + at(v, "chunks") * at(v, "decode_step_s") * std::min(1.0, at(v, "n")); }},
        {"load.kingman",
         [](const Values& v) {
             const double rho = at(v, "utilization"), ca = at(v, "burstiness");
             return rho / (1.0 - rho) * ca * ca / 2.0 * at(v, "data") / at(v, "capacity_requests_per_s");
         }},
        {"load.closed_wait",
         [](const Values& v) {
             if (at(v, "requests_per_s") < at(v, "capacity_requests_per_s")) return 0.0;
             return std::max(0.0, at(v, "users") / at(v, "capacity_requests_per_s") -
                                      (at(v, "prefill_s") + at(v, "output_tokens") * at(v, "between_tokens_s")));
         }},
        {"load.ttft_quantile",
         [](const Values& v) {
             const double q = at(v, "q"), rho = at(v, "utilization");
             const double wait = q <= 1.0 - rho || rho <= 0 ? 0.0 : at(v, "queue_s") / rho * std::log(rho / (1.0 - q));
             return wait + at(v, "prefill_s") + at(v, "between_tokens_s");
         }},
        {"load.chunk_share",
         [](const Values& v) {
             return std::min(1.0, at(v, "requests_per_s") / at(v, "data") * at(v, "chunks") * at(v, "between_tokens_s"));
         }},
        {"load.tpot_quantile",
         [](const Values& v) {
             const double tau = at(v, "between_tokens_s"), pi = at(v, "chunk_step_share"), gaps = at(v, "output_tokens") - 1.0;
             const double x = pi > 0 ? (tau - at(v, "decode_step_s")) / pi : 0.0;
             return tau + (gaps >= 1 ? at(v, "z") * x * std::sqrt(pi * (1.0 - pi) / gaps) : 0.0);
         }},
        {"load.e2e",
         [](const Values& v) { return at(v, "queue_s") + at(v, "prefill_s") + at(v, "output_tokens") * at(v, "between_tokens_s"); }},
        {"load.in_flight",
         [](const Values& v) {
             return at(v, "requests_per_s") * (at(v, "queue_s") + at(v, "prefill_s")) + at(v, "decoding");
         }},
        {"training.compute",
         [](const Values& v) {
             return at(v, "gemm_flops_per_step") / (at(v, "gpus") * at(v, "peak_flops_per_s") * at(v, "eta_matmul (catalog)") *
                                                    at(v, "calibration.workload_matmul_fraction") * at(v, "precision_factor")) +
                    at(v, "attention_s");
         }},
        {"training.attention",
         [](const Values& v) {
             const double rate = at(v, "gpus") * at(v, "attention_peak_flops_per_s");
             return at(v, "attention_forward_flops_per_step") / (rate * at(v, "eta_attention_forward")) +
                    at(v, "attention_backward_flops_per_step") / (rate * at(v, "eta_attention_backward"));
         }},
        {"training.bubble",
         [](const Values& v) {
             return at(v, "busy_s") * ((at(v, "pipeline") - 1.0) / (at(v, "micro_batches") * at(v, "pipeline_interleave")));
         }},
        {"training.tokens_per_s", [](const Values& v) { return at(v, "tokens_per_step") / at(v, "step_time_s"); }},
        {"mfu",
         [](const Values& v) {
             return at(v, "model_flops_per_step") / at(v, "step_time_s") / (at(v, "peak_flops_per_s") * at(v, "gpus"));
         }},
        {"time_to_train", [](const Values& v) { return at(v, "tokens") / at(v, "tokens_per_s") / (1.0 - at(v, "goodput_loss")); }},
        {"cost.per_million", [](const Values& v) { return at(v, "usd_per_hour") / (at(v, "tokens_per_s") * 3600.0) * 1e6; }},
        {"cost.per_million_input",
         [](const Values& v) {
             return at(v, "usd_per_hour") / (at(v, "requests_per_s") * at(v, "input_tokens") * 3600.0) * 1e6;
         }},
        {"cost.total", [](const Values& v) { return at(v, "usd_per_hour") * at(v, "time_to_train_s") / 3600.0; }},
    };
    return table;
}

}  // namespace

std::vector<Term> explain_terms(const Problem& p, const Evaluation& e) {
    std::vector<Term> out;
    memory_terms(out, p, e);
    if (e.inference) serving_terms(out, p, e);
    if (e.training) training_terms(out, p, e);
    cost_terms(out, p, e);
    return out;
}

std::optional<double> recompute(const Term& t) {
    const auto& table = formulas();
    const auto f = table.find(t.formula_id);
    if (f == table.end()) return std::nullopt;
    Values v;
    for (const auto& i : t.inputs)
        if (i.number) v[i.name] = *i.number;
    try {
        return f->second(v);
    } catch (const std::out_of_range&) {
        return std::nullopt;
    }
}

}  // namespace gpusize
