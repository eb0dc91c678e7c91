#include "gpusize/performance.hpp"

#include <algorithm>
#include <cmath>
#include <array>
#include <initializer_list>
#include <string_view>

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

double matmul_efficiency(const Efficiency& e, DType compute, const Calibration& c) {
    return e.matmul * c[Constant::workload_matmul_fraction] * precision_matmul_factor(compute, c);
}

double stream_efficiency(const Efficiency& e, DType weights, const Calibration& c) {
    return e.memory_bandwidth * weight_stream_factor(weights, c);
}

/// One kernel's work and the efficiencies it runs at.
struct Operator {
    Flops flops;
    Bytes bytes;
    double eta_memory = 0;
};

/// A phase as the weight kernel then the attention kernel, each on its own roofline: a decode
/// step's compute-bound weight GEMMs cannot hide its memory-bound attention over the KV cache.
PhaseTime roofline(const Operator& weights, const Operator& attention, FlopsPerSecond peak, BytesPerSecond bw, double matmul,
                   Seconds comm, Seconds overhead) {
    auto kernel = [&](const Operator& op) {
        KernelTime k;
        k.flops = op.flops;
        k.bytes = op.bytes;
        k.eta_matmul = matmul;
        k.eta_memory = op.eta_memory;
        k.compute = op.flops / (peak * matmul);
        k.memory = op.bytes / (bw * op.eta_memory);
        return k;
    };
    PhaseTime t;
    t.weights = kernel(weights);
    t.attention = kernel(attention);
    Seconds compute_limited(0), memory_limited(0);
    for (const KernelTime* k : {&t.weights, &t.attention}) {
        t.flops += k->flops;
        t.bytes += k->bytes;
        t.compute += k->compute;
        t.memory += k->memory;
        (k->compute >= k->memory ? compute_limited : memory_limited) += k->time();
    }
    t.communication = comm;
    t.overhead = overhead;
    t.total = compute_limited + memory_limited + comm + overhead;
    t.bound = comm > max(compute_limited, memory_limited) ? Bound::communication
              : compute_limited >= memory_limited         ? Bound::compute
                                                          : Bound::memory;
    return t;
}

/// `k` with its work and times `n` times over (the stages of a pipeline, one after another).
KernelTime repeated(KernelTime k, double n) {
    k.flops = k.flops * n;
    k.bytes = k.bytes * n;
    k.compute = k.compute * n;
    k.memory = k.memory * n;
    return k;
}

/// Weight bytes a forward step over `tokens` tokens reads on the most loaded GPU: every dense
/// weight, and of the routed experts only those the tokens touch.
Bytes weights_read(const Problem& p, const Stage& s, const StageParameters& sp, const Layout& l, double tokens) {
    const Bytes all = weight_bytes_per_gpu(sp, l, p.spec.precision.weights, p.calibration);
    if (sp.experts == 0) return all;
    const double touched = sum_over_kinds(p.model.stack, s, [&](const LayerWork& w, double n) {
        return w.experts > 0 ? n * w.routed_parameters() * experts_touched(w.experts, w.active_experts, tokens) / w.experts : 0.0;
    });
    const double per_gpu = bytes_per_parameter(p.spec.precision.weights, p.calibration) / d(l.tensor * l.expert);
    return all - Bytes(sp.experts * per_gpu) + Bytes(touched * per_gpu);
}

}  // namespace

double precision_matmul_factor(DType compute, const Calibration& c) {
    return compute == DType::fp8 || compute == DType::fp4 || compute == DType::nvfp4 ? c[Constant::fp8_matmul_factor] : 1.0;
}

double weight_stream_factor(DType weights, const Calibration& c) {
    if (weights == DType::int8) return c[Constant::int8_weight_stream_factor];
    if (weights == DType::int4 || weights == DType::nf4) return c[Constant::int4_weight_stream_factor];
    return 1.0;
}

std::string_view to_string(Bound b) {
    switch (b) {
        case Bound::compute: return "compute";
        case Bound::memory: return "memory";
        case Bound::communication: return "communication";
    }
    return "?";
}

double experts_touched(double experts, double active, double tokens) {
    return experts * (1.0 - std::pow(1.0 - active / experts, tokens));
}

std::optional<InferencePerformance> estimate_inference_performance(const Problem& p, const Device& dev, const Layout& l,
                                                                   std::int64_t concurrency) {
    return estimate_inference_performance(p, dev, l, concurrency, estimate_inference_memory(p, dev, l, concurrency).stage);
}

std::optional<InferencePerformance> estimate_inference_performance(const Problem& p, const Device& dev, const Layout& l,
                                                                   std::int64_t concurrency, std::size_t loaded_stage) {
    const auto& m = p.model.stack;
    const auto& c = p.calibration;
    const auto& inf = p.spec.inference;
    const auto peak = dev.peak(p.spec.precision.activations);
    if (!peak) return std::nullopt;
    const auto tp_link = collective_link(*dev.gpu, l.tensor, 1, p.spec.deployment.gpus_per_node);
    const auto pp_link = collective_link(*dev.gpu, l.pipeline, l.tensor, p.spec.deployment.gpus_per_node);
    if (!tp_link || !pp_link) return std::nullopt;
    const Efficiency& eff = dev.gpu->efficiency;
    const double mm = matmul_efficiency(eff, p.spec.precision.activations, c);
    // Weights stream at their format's efficiency; the KV cache at the plain memory efficiency.
    const double weight_bw = stream_efficiency(eff, p.spec.precision.weights, c);
    const double kv_bw = eff.memory_bandwidth;
    // Engines all-reduce in 16-bit even when the matmuls run in FP8.
    const double act = std::max(2.0, bytes_per_element(p.spec.precision.activations));
    const double h = d(m.hidden_size), t = d(l.tensor), pp = d(l.pipeline);
    const Stage everything = whole_model(m);
    const auto stages = split_stages(m, l.pipeline);
    const std::size_t heaviest_index = std::min(loaded_stage, stages.size() - 1);
    const Stage& heaviest = stages[heaviest_index];
    // Each stage's parameters, counted once for the prefill steps and the decode step.
    std::vector<StageParameters> counted;
    counted.reserve(stages.size());
    for (const auto& s : stages) counted.push_back(stage_parameters(m, s));
    const Seconds ar_latency = microseconds(c[Constant::collective_step_latency_us]);
    const Seconds hop = microseconds(c[Constant::p2p_latency_us]);
    // The all-reduces the model describes (after attention and after the MLP of each layer), of the
    // step's hidden states.
    auto tp_comm = [&](const ForwardWork& w) {
        return allreduce_time(Bytes(w.exchange_elements * act), l.tensor, tp_link->bus, ar_latency) * w.exchanges;
    };
    auto pp_comm = [&](double tokens) {
        return l.pipeline > 1 ? (Bytes(tokens * h * act) / pp_link->bus + hop) * (pp - 1) : Seconds(0);
    };

    InferencePerformance r;
    r.concurrency = concurrency;
    // Prefill of `k` prompts in one step: the stages run one after another, so its time is the sum
    // over stages, i.e. the whole model's work over the tensor-parallel group. TTFT is one prompt's;
    // for throughput the engine packs chunk/input prompts into a step, sharing the weight reads.
    const double s_in = d(inf.input_tokens);
    auto prefill = [&](double k) {
        // Every prompt token passes through the layers; only each prompt's last reaches the head.
        const ForwardWork work = forward_work(m, everything, k * s_in, k, s_in / 2.0);
        const Flops gemm = work.matmul / t;
        const Flops attention = work.attention / t;
        Bytes weights(0);
        for (std::size_t i = 0; i < stages.size(); ++i) weights += weights_read(p, stages[i], counted[i], l, k * s_in);
        // Each prompt writes its KV, and its recurrent state once.
        const Bytes kv = (kv_bytes_per_sequence_per_gpu(m, stages.front(), l.tensor, s_in, p.spec.precision.kv_cache) +
                          state_bytes_per_sequence_per_gpu(m, stages.front(), l.tensor, p.spec.precision.activations)) *
                         (k * pp);
        return roofline({gemm, weights, weight_bw}, {attention, kv, kv_bw}, *peak, dev.memory_bandwidth(), mm,
                        tp_comm(work) + pp_comm(k * s_in), milliseconds(c[Constant::prefill_overhead_ms]));
    };
    r.prefill = prefill(1);
    r.ttft = r.prefill.total;
    const double packed = std::clamp(std::floor(c[Constant::prefill_chunk_tokens] / s_in), 1.0, d(concurrency));
    r.prompts_per_prefill_step = packed;
    r.packed_prefill_step = packed > 1 ? prefill(packed).total : r.prefill.total;
    r.prefill_share = r.packed_prefill_step / packed;

    // Decode: with pipeline parallelism the batch is split into `p` micro-batches that occupy the
    // stages in turn; a token's step is `p` stage-steps of `B/p` sequences each.
    const double micro = std::max(1.0, d(concurrency) / pp);
    const double ctx = s_in + d(inf.output_tokens) / 2.0;
    // The stage's share of the whole model's step (stages are charged as equals).
    const double stage_share = d(heaviest.layers) / d(m.layers);
    const ForwardWork step = forward_work(m, everything, micro, micro, ctx);
    const Flops gemm = step.matmul * (stage_share / t);
    const Flops attention = step.attention * (stage_share / t);
    const Bytes weights = weights_read(p, heaviest, counted[heaviest_index], l, micro);
    // Each sequence reads its KV; a recurrent layer reads its state and writes it back.
    const Bytes kv = (kv_bytes_per_sequence_per_gpu(m, heaviest, l.tensor, ctx, p.spec.precision.kv_cache) +
                      state_bytes_per_sequence_per_gpu(m, heaviest, l.tensor, p.spec.precision.activations) * 2.0) *
                     micro;
    const PhaseTime stage = roofline({gemm, weights, weight_bw}, {attention, kv, kv_bw}, *peak, dev.memory_bandwidth(), mm,
                                     tp_comm(forward_work(m, heaviest, micro, micro, ctx)), Seconds(0));
    r.decode = stage;
    r.decode.weights = repeated(stage.weights, pp);
    r.decode.attention = repeated(stage.attention, pp);
    r.decode.flops = stage.flops * pp;
    r.decode.bytes = stage.bytes * pp;
    r.decode.compute = stage.compute * pp;
    r.decode.memory = stage.memory * pp;
    r.decode.communication = stage.communication * pp + pp_comm(micro);
    r.decode.overhead = milliseconds(c[Constant::decode_step_overhead_ms]);
    r.decode.total = stage.total * pp + pp_comm(micro) + r.decode.overhead;
    r.tpot = r.decode.total;

    const double s_out = d(inf.output_tokens);
    const Seconds per_request = r.prefill_share + r.tpot * (s_out / d(concurrency));
    r.requests_per_s = d(l.data) / per_request.value();
    r.output_tokens_per_s = r.requests_per_s * s_out;
    return r;
}

namespace {

/// Fused attention kernels by family and architecture. Only published measurements: a family
/// missing for an architecture is priced at the GEMM efficiency (and says so in explain).
struct AttentionRow {
    AttentionKernel kernel;
    std::string_view architecture;
    AttentionEfficiency efficiency;
};

constexpr std::string_view fa2_paper =
    "Dao 2023, FlashAttention-2 (arXiv:2307.08691) sec. 4.1: forward up to 73 %, backward up to 63 % of the A100's "
    "bf16 peak";
constexpr std::string_view fa3_paper_fa2 =
    "Shah et al. 2024, FlashAttention-3 (arXiv:2407.08608) abstract: FlashAttention-2 reaches only 35 % of the H100's "
    "bf16 peak";
constexpr std::string_view fa3_paper =
    "Shah et al. 2024, FlashAttention-3 (arXiv:2407.08608): forward up to 740 TFLOP/s bf16 (75 % of 989), backward "
    "1.5-1.75x FlashAttention-2's 35 % (taken as 1.6x: 56 %)";
constexpr std::string_view cudnn_assumed =
    "assumed equal to FlashAttention-3 (arXiv:2407.08608): cuDNN 9's fused attention is a Hopper (TMA, wgmma) kernel "
    "of the same design; no separate published measurement on record";

const std::array<AttentionRow, 7>& attention_rows() {
    static const std::array<AttentionRow, 7> rows{{
        {AttentionKernel::flash2, "ampere", {0.73, 0.63, fa2_paper}},
        {AttentionKernel::sdpa, "ampere", {0.73, 0.63, fa2_paper}},  // SDPA's flash backend is FlashAttention-2
        {AttentionKernel::cudnn, "ampere", {0.73, 0.63, fa2_paper}},
        {AttentionKernel::flash2, "hopper", {0.35, 0.35, fa3_paper_fa2}},
        {AttentionKernel::sdpa, "hopper", {0.35, 0.35, fa3_paper_fa2}},
        {AttentionKernel::flash3, "hopper", {0.75, 0.56, fa3_paper}},
        {AttentionKernel::cudnn, "hopper", {0.75, 0.56, cudnn_assumed}},
    }};
    return rows;
}

}  // namespace

std::optional<AttentionEfficiency> attention_kernel_efficiency(AttentionKernel kernel, std::string_view architecture) {
    for (const auto& r : attention_rows())
        if (r.kernel == kernel && r.architecture == architecture) return r.efficiency;
    return std::nullopt;
}

Flops causal_attention_flops_per_token(const LayerStack& m, double sequence_length) {
    const double s = sequence_length;
    double total = 0;
    for (std::size_t k = 0; k < m.kinds.size(); ++k) {
        const double n = d(m.count(k, 0, m.layers));
        const double w = m.work[k].window;
        double attended = (s + 1.0) / 2.0;
        if (w > 0 && w < s)  // a chunk attends causally within itself; a window slides
            attended = m.kinds[k].attention.kind == AttentionKind::chunked ? (w + 1.0) / 2.0 : w - w * (w - 1.0) / (2.0 * s);
        total += n * m.work[k].score_flops_per_attended_token * attended;
    }
    return Flops(total);
}

std::optional<LoadedPerformance> estimate_loaded_performance(const Problem& p, const Device& dev, const Layout& l,
                                                             const InferencePerformance& full, std::size_t stage) {
    const auto& arrival = p.spec.inference.arrival;
    if (!arrival) return std::nullopt;
    const double slots = d(full.concurrency);
    std::vector<std::pair<double, Seconds>> samples;
    for (std::int64_t n = 1; n < full.concurrency; n *= 2) {
        const auto at = estimate_inference_performance(p, dev, l, n, stage);
        if (!at) return std::nullopt;
        samples.emplace_back(d(n), at->tpot);
    }
    samples.emplace_back(slots, full.tpot);
    ServingSteps steps;
    steps.decode_step = [samples](double n) {
        if (n <= samples.front().first) return samples.front().second;
        for (std::size_t i = 1; i < samples.size(); ++i) {
            const auto& [n1, t1] = samples[i];
            if (n <= n1) {
                const auto& [n0, t0] = samples[i - 1];
                return t0 + (t1 - t0) * ((n - n0) / (n1 - n0));
            }
        }
        return samples.back().second;
    };
    steps.prefill = full.prefill.total;
    steps.prefill_share = full.prefill_share;
    steps.prompt_chunks = std::ceil(d(p.spec.inference.input_tokens) / p.calibration[Constant::prefill_chunk_tokens]);
    steps.slots = slots;
    steps.output_tokens = d(p.spec.inference.output_tokens);
    const double replicas = d(l.data);
    OfferedLoad load{.requests_per_s = std::nullopt, .burstiness = arrival->burstiness, .users = std::nullopt};
    if (arrival->users) load.users = *arrival->users / replicas;
    else load.requests_per_s = arrival->requests_per_s.value_or(0) / replicas;
    LoadedPerformance r = estimate_loaded(steps, load);
    r.capacity_requests_per_s *= replicas;
    r.offered_requests_per_s *= replicas;
    r.requests_per_s *= replicas;
    r.decoding *= replicas;
    if (r.in_flight) *r.in_flight *= replicas;
    return r;
}

Flops training_flops_per_token(const ModelArchitecture& m, double sequence_length, TrainingMethod method) {
    const auto s = layer_stack(m);
    return training_flops_per_token(s, sequence_length, method);
}

Flops training_flops_per_token(const LayerStack& m, double sequence_length, TrainingMethod method) {
    const TrainingWork w = training_work(m, sequence_length, method == TrainingMethod::full);
    return w.forward + w.backward;
}

namespace {

/// PCIe copies per step of what `offload` keeps on the host, less what a side stream hides:
/// FSDP CPU offload copies each GPU's weight shard in for forward and again for backward and its
/// gradient shard out, per micro-batch; optimizer offload sends the gradients out and the updated
/// weights back once per step; activation offload sends the stored activations out and back.
Seconds host_transfer_time(const Problem& p, const Device& dev, const Layout& l, const TrainingRecipe& r) {
    const auto& tr = p.spec.training;
    if (!tr.offload.any()) return Seconds(0);
    const double split = d(l.tensor) * d(l.pipeline);
    const double weights = p.model.parameters.total / split * bytes_per_parameter(r.stored_weights, p.calibration);
    double bytes = 0;
    if (tr.offload.parameters) bytes += r.micro_batches * (2.0 * weights + r.trainable / split * r.gradient_bytes) / r.weight_shards;
    else if (tr.offload.optimizer)
        bytes += r.trainable / split * (r.gradient_bytes + bytes_per_element(p.spec.precision.weights)) / r.optimizer_shards;
    if (tr.offload.activations)
        bytes += r.micro_batches * 2.0 * stored_activation_bytes(p, l, split_stages(p.model.stack, l.pipeline).front()).value();
    return Bytes(bytes) / dev.gpu->pcie_bandwidth() * (1.0 - p.calibration[Constant::host_offload_overlap]);
}

}  // namespace

std::optional<TrainingPerformance> estimate_training_performance(const Problem& p, const Device& dev, const Layout& l) {
    return estimate_training_performance(p, dev, l, training_recipe(p, l));
}

std::optional<TrainingPerformance> estimate_training_performance(const Problem& p, const Device& dev, const Layout& l,
                                                                 const TrainingRecipe& recipe) {
    const auto& m = p.model.stack;
    const auto& c = p.calibration;
    const auto& tr = p.spec.training;
    const auto peak = dev.peak(p.spec.precision.activations);
    if (!peak) return std::nullopt;
    const auto& gpn = p.spec.deployment.gpus_per_node;
    const auto tp_link = collective_link(*dev.gpu, l.tensor, 1, gpn);
    const auto pp_link = collective_link(*dev.gpu, l.pipeline, l.tensor, gpn);
    const auto dp_link = collective_link(*dev.gpu, l.data, l.tensor * l.pipeline * l.context, gpn);
    const auto cp_link = collective_link(*dev.gpu, l.context, l.tensor * l.pipeline, gpn);
    if (!tp_link || !pp_link || !dp_link || !cp_link) return std::nullopt;
    const Efficiency& eff = dev.gpu->efficiency;
    const double n = d(l.gpus()), t = d(l.tensor), pp = d(l.pipeline);
    const double act = std::max(2.0, bytes_per_element(p.spec.precision.activations));
    const double seq = d(tr.sequence_length), h = d(m.hidden_size);
    const double micro_batches = recipe.micro_batches;

    TrainingPerformance r;
    r.gradient_accumulation = floor_count(std::round(micro_batches));
    r.tokens_per_step = recipe.tokens_per_step;
    const Flops model_flops = training_flops_per_token(m, seq, tr.method) * r.tokens_per_step;
    Flops hardware_flops = model_flops;
    // Full recomputation runs each transformer block's forward again: its matmuls and attention,
    // not the output head and loss, which sit outside the checkpointed blocks.
    if (tr.activation_checkpointing == Recompute::full)
        hardware_flops += training_work(m, seq, tr.method == TrainingMethod::full).recompute * r.tokens_per_step;
    // Op-level checkpointing recomputes every other matmul of the blocks (half their forward
    // matmul FLOPs), not attention, whose output it saves.
    if (tr.activation_checkpointing == Recompute::op)
        hardware_flops += (forward_work(m, whole_model(m), 1.0, 1.0, seq).matmul - head_flops_per_token(m)) * (0.5 * r.tokens_per_step);
    // Attention apart from the weight GEMMs: the model-FLOPs convention's attention (all s
    // positions, forward, 2x backward, and the forward again under full recomputation) leaves the
    // GEMM FLOPs; the causal kernels' executed FLOPs are priced on their own roofline.
    const double recomputes = tr.activation_checkpointing == Recompute::full ? 1.0 : 0.0;
    const Flops convention_attention =
        forward_work(m, whole_model(m), 1.0, 1.0, seq).attention * ((3.0 + recomputes) * r.tokens_per_step);
    r.convention_attention = convention_attention;
    const Flops gemm_flops = hardware_flops - convention_attention;
    AttentionTime& at = r.attention;
    at.kernel = tr.attention_kernel.value_or(AttentionKernel::sdpa);
    const DType act_type = p.spec.precision.activations;
    const DType attention_type = act_type == DType::fp32 || act_type == DType::fp16 ? act_type : DType::bf16;
    const auto attention_peak = dev.peak(attention_type);
    if (!attention_peak) return std::nullopt;
    at.peak = *attention_peak;
    const Flops causal = causal_attention_flops_per_token(m, seq) * r.tokens_per_step;
    at.forward = causal * (1.0 + recomputes);
    at.backward = causal * 2.5;
    if (const auto row = attention_kernel_efficiency(at.kernel, dev.gpu->architecture)) {
        at.eta_forward = row->forward;
        at.eta_backward = row->backward;
        at.measured = true;
    } else {
        at.eta_forward = at.eta_backward = matmul_efficiency(eff, attention_type, c);
    }
    at.time = at.forward / (at.peak * (n * at.eta_forward)) + at.backward / (at.peak * (n * at.eta_backward));
    r.compute = gemm_flops / (*peak * (n * matmul_efficiency(eff, p.spec.precision.activations, c))) + at.time;

    // Tensor parallel: the forward pass's exchanges (two all-reduces per layer) again in backward,
    // and a third time when the forward is recomputed; every micro-batch, over the busiest stage's
    // layers (the first: it takes the remainder of an uneven split).
    const double micro_tokens = recipe.micro_tokens;
    const Stage busiest = split_stages(m, l.pipeline).front();
    const double layers = d(busiest.layers);
    const ForwardWork micro_pass = forward_work(m, busiest, micro_tokens, micro_tokens, seq);
    const double passes = tr.activation_checkpointing == Recompute::full ? 3.0 : 2.0;
    const Seconds ar_latency = microseconds(c[Constant::collective_step_latency_us]);
    const Seconds tp = allreduce_time(Bytes(micro_pass.exchange_elements * act), l.tensor, tp_link->bus, ar_latency) *
                       (passes * micro_pass.exchanges * micro_batches) * (1.0 - c[Constant::tp_comm_overlap]);
    // Data parallel, once per step, in all-reduce volume: the trainable gradients all-reduced; a
    // sharded optimizer reduce-scatters them and all-gathers the updated weights (half of each);
    // ZeRO-3 also all-gathers the weights for forward and again for backward.
    const double split = t * pp;
    const Bytes grads(recipe.trainable / split * recipe.gradient_bytes);
    const Bytes updated(recipe.trainable / split * bytes_per_element(p.spec.precision.weights));
    const Bytes gathered(p.model.parameters.total / split * bytes_per_parameter(recipe.stored_weights, c));
    const Bytes dp_volume = tr.sharding == Sharding::none    ? grads
                            : tr.sharding == Sharding::zero3 ? grads * 0.5 + gathered
                                                             : (grads + updated) * 0.5;
    const Seconds dpt = allreduce_time(dp_volume, l.data, dp_link->bus, ar_latency) * (1.0 - c[Constant::dp_comm_overlap]);
    // Pipeline: activations sent forward and gradients back at each boundary, per micro-batch.
    const Seconds ppt = l.pipeline > 1 ? (Bytes(micro_tokens * h * act) / pp_link->bus +
                                          microseconds(c[Constant::p2p_latency_us])) *
                                             (2.0 * micro_batches * d(tr.pipeline_interleave))
                                       : Seconds(0);
    // Context parallel: ring exchange of K/V per layer, partly hidden behind attention.
    // Each layer's K and V for the whole sequence go round the ring (windows included: the ring
    // does not know them); the stage's layers in turn.
    const double kv_per_token = kv_elements(m, busiest, 1.0, l.tensor, true) / layers;
    const Seconds cpt = l.context > 1 ? allgather_time(Bytes(micro_tokens * d(l.context) * kv_per_token * act), l.context, cp_link->bus,
                                                       ar_latency) *
                                            (layers * micro_batches * (1.0 - c[Constant::cp_comm_overlap]))
                                      : Seconds(0);
    r.communication = tp + dpt + ppt + cpt;
    r.tensor_communication = tp;
    r.data_communication = dpt;
    r.pipeline_communication = ppt;
    r.context_communication = cpt;
    r.model_flops = model_flops;
    r.hardware_flops = hardware_flops;
    r.micro_batches = micro_batches;
    r.host_transfer = host_transfer_time(p, dev, l, recipe);
    const Seconds busy = r.compute + tp + ppt + cpt;
    // 1F1B's bubble is (p - 1)/m of the busy time; interleaving v virtual stages divides it by v.
    r.bubble = busy * ((pp - 1.0) / (micro_batches * d(tr.pipeline_interleave)));
    r.step_time = busy + r.bubble + dpt + r.host_transfer + milliseconds(c[Constant::training_step_overhead_ms]);
    r.bound = r.communication > r.compute ? Bound::communication : Bound::compute;
    r.tokens_per_s = r.tokens_per_step / r.step_time.value();
    r.tokens_per_s_per_gpu = r.tokens_per_s / n;
    const double peak_total = peak->value() * n;
    r.mfu = model_flops.value() / r.step_time.value() / peak_total;
    r.hfu = hardware_flops.value() / r.step_time.value() / peak_total;
    if (tr.tokens) r.time_to_train_ideal = Seconds(*tr.tokens / r.tokens_per_s);
    r.failures = estimate_failures(p, l.gpus(), r.time_to_train_ideal);
    if (r.time_to_train_ideal && r.failures.goodput_loss < 1)
        r.time_to_train = *r.time_to_train_ideal / (1.0 - r.failures.goodput_loss);
    return r;
}

FailureEstimate estimate_failures(const Problem& p, std::int64_t gpus, std::optional<Seconds> ideal_time) {
    const auto& c = p.calibration;
    FailureEstimate f;
    f.interruptions_per_gpu_hour = c[Constant::interruptions_per_gpu_hour];
    f.mtbf = hours(1.0 / (f.interruptions_per_gpu_hour * d(gpus)));
    // A checkpoint holds the trainable weights and their optimizer states (not gradients).
    const double trainable = trainable_parameters(p);
    f.checkpoint = Bytes(trainable * (2.0 + optimizer_bytes_per_parameter(p)));
    // training.checkpoint.write_gb_per_s and restart_minutes are these constants (spec.cpp).
    f.checkpoint_write = f.checkpoint / gb_per_s(c[Constant::checkpoint_write_gb_per_s]);
    f.restart = Seconds(60.0 * c[Constant::restart_minutes]);
    f.checkpoint_interval = Seconds(std::sqrt(2.0 * f.checkpoint_write.value() * f.mtbf.value()));
    f.goodput_loss = f.checkpoint_write / f.checkpoint_interval + f.checkpoint_interval / (f.mtbf * 2.0) + f.restart / f.mtbf;
    if (ideal_time && f.goodput_loss < 1)
        f.expected_interruptions = to_hours(*ideal_time / (1.0 - f.goodput_loss)) * f.interruptions_per_gpu_hour * d(gpus);
    return f;
}

}  // namespace gpusize
