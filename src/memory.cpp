#include "gpusize/memory.hpp"

#include "gpusize/engines.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

}  // namespace

std::int64_t floor_count(double v) {
    if (!(v > 0)) return 0;
    return static_cast<std::int64_t>(std::floor(std::min(v, max_count)));
}

std::int64_t ceil_count(double v) {
    if (!(v > 0)) return 0;
    return static_cast<std::int64_t>(std::ceil(std::min(v, max_count)));
}

double bytes_per_element(DType t) {
    switch (t) {
        case DType::fp64: return 8;
        case DType::fp32:
        case DType::tf32: return 4;
        case DType::bf16:
        case DType::fp16: return 2;
        case DType::fp8:
        case DType::int8: return 1;
        case DType::int4:
        case DType::nf4:
        case DType::fp4:
        case DType::nvfp4: return 0.5;
    }
    return 2;
}

double bytes_per_parameter(DType t, const Calibration& c) {
    if (t == DType::int4) return (4.0 + 32.0 / c[Constant::int4_group_size]) / 8.0;
    if (t == DType::nf4) return c[Constant::nf4_bits_per_parameter] / 8.0;
    if (t == DType::fp4) return (4.0 + 8.0 / 32.0) / 8.0;  // MXFP4: an 8-bit shared scale per 32 values (OCP MX spec)
    if (t == DType::nvfp4) return (4.0 + 8.0 / 16.0) / 8.0;  // NVFP4: an E4M3 scale per 16 values (the per-tensor fp32 scale is negligible)
    return bytes_per_element(t);
}

StageParameters stage_parameters(const LayerStack& m, const Stage& s) {
    const double h = d(m.hidden_size);
    StageParameters p;
    const auto first = static_cast<std::size_t>(s.first_layer), end = static_cast<std::size_t>(s.end());
    p.unquantised = m.norms_before[end] - m.norms_before[first];
    p.dense = m.split_before[end] - m.split_before[first];
    p.experts = m.routed_before[end] - m.routed_before[first];
    const double vocab = d(m.vocab_size) * h;
    // Encoder towers sit with the embedding and stay 16-bit in quantised checkpoints; MTP modules
    // sit with the head they share and are quantised like the layers (model.hpp).
    if (s.embedding) p.unquantised += vocab + d(m.learned_positions) * h + m.encoder_parameters;
    if (s.head) p.unquantised += m.norm_parameters + (m.tied_embeddings && s.embedding ? 0 : vocab);
    if (s.head) p.dense += m.mtp_parameters - m.mtp_routed_parameters, p.experts += m.mtp_routed_parameters;
    p.dense += p.unquantised;
    // Modules the checkpoint left unquantised (already in `dense`).
    if (const auto& u = m.unquantised; u.any())
        p.unquantised += sum_over_kinds(m, s, [&](const LayerWork& w, double n) {
            return n * ((u.attention ? w.attention_parameters : 0) + (u.router ? w.router_parameters : 0) +
                        (w.experts > 0 ? (u.shared_experts ? w.mlp_parameters : 0) : (u.dense_mlp ? w.mlp_parameters : 0)));
        });
    return p;
}

Bytes weight_bytes_per_gpu(const LayerStack& m, const Stage& s, const Layout& l, DType weights, const Calibration& c) {
    return weight_bytes_per_gpu(stage_parameters(m, s), l, weights, c);
}

Bytes weight_bytes_per_gpu(const StageParameters& p, const Layout& l, DType weights, const Calibration& c) {
    const double w = bytes_per_parameter(weights, c);
    const double edge = std::max(w, 2.0);  // embeddings, head and norms stay 16-bit in quantised checkpoints
    const double t = d(l.tensor);
    return Bytes(((p.dense - p.unquantised) * w + p.unquantised * edge) / t +
                 p.experts * w / (t * d(l.expert)));
}

Bytes kv_bytes_per_sequence_per_gpu(const LayerStack& m, const Stage& s, std::int64_t tensor, double tokens, DType kv,
                                    bool full_length_windows) {
    return Bytes(kv_elements(m, s, tokens, tensor, full_length_windows) * bytes_per_element(kv));
}

Bytes state_bytes_per_sequence_per_gpu(const LayerStack& m, const Stage& s, std::int64_t tensor, DType model_dtype) {
    return Bytes(state_bytes(m, s, tensor, bytes_per_element(model_dtype)));
}

Bytes inference_activation_bytes(const LayerStack& m, const Layout& l, DType act, double tokens, const Calibration& c) {
    const double t = d(l.tensor);
    const double mlp_width = max_over_kinds(m, whole_model(m), [](const LayerWork& w) { return w.mlp_active_width; });
    const double a = bytes_per_element(act);
    const double per_token = c[Constant::activation_hidden_tensors] * d(m.hidden_size) * a +
                             c[Constant::activation_mlp_tensors] * mlp_width / t * a;
    return Bytes(tokens * per_token);
}

Bytes sampler_bytes(const LayerStack& m, double sequences, double bytes_per_logit) {
    return Bytes(sequences * d(m.vocab_size) * bytes_per_logit);
}

InferenceMemory estimate_inference_memory(const Problem& p, const Device& dev, const Layout& l, std::int64_t concurrency) {
    const auto& m = p.model.stack;
    const auto& c = p.calibration;
    const auto& inf = p.spec.inference;
    const Bytes usable = dev.usable_memory();
    const Bytes limit = usable * (1.0 - p.spec.headroom);
    const EngineProfile& engine = engine_profile(inf.engine);
    const double util = inf.gpu_memory_utilization.value_or(engine.memory_fraction);
    Bytes overhead = gib(c[engine.overhead]);
    if (engine.tensor_parallel_overhead && l.tensor > 1) overhead += gib(c[*engine.tensor_parallel_overhead]);
    if (engine.nccl_buffers && l.tensor * l.pipeline > 1) overhead += gib(c[Constant::nccl_buffers_gib]);
    const double seq_tokens = d(inf.input_tokens + inf.output_tokens);

    // The forward-step peak: engines that profile charge a full chunk, then sample a full batch of
    // sequences on the last stage; the two peaks do not overlap. Other engines hold the tokens and
    // logits of the requests actually in flight.
    const double chunk = c[Constant::prefill_chunk_tokens];
    const bool profiles = engine.profiles_peak;
    const double step_tokens = profiles ? chunk : std::min(chunk, d(concurrency) * d(inf.input_tokens));
    const Bytes forward = inference_activation_bytes(m, l, p.spec.precision.activations, step_tokens, c);
    const Bytes sampler = profiles ? sampler_bytes(m, c[Constant::sampler_sequences], c[Constant::sampler_bytes_per_logit])
                                   : sampler_bytes(m, d(concurrency), 4.0) / d(l.tensor);

    const auto stages = split_stages(m, l.pipeline);
    InferenceMemory best;
    double best_tokens = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const Stage& s = stages[i];
        InferenceMemory r;
        r.stage = i;
        MemoryBreakdown& b = r.breakdown;
        b.weights = weight_bytes_per_gpu(m, s, l, p.spec.precision.weights, c);
        r.step_tokens = step_tokens;
        r.forward = forward;
        r.sampler = s.head ? sampler : Bytes(0);
        b.activations = !s.head ? forward : profiles ? max(forward, sampler) : forward + sampler;
        b.capacity = limit;
        b.overhead = overhead;
        b.outside_allocator = overhead;  // context, NCCL buffers, an engine's non-torch memory
        r.kv_per_sequence = kv_bytes_per_sequence_per_gpu(m, s, l.tensor, seq_tokens, p.spec.precision.kv_cache,
                                                          engine.windowed_kv_at_full_length);
        const Bytes left = limit - b.weights - b.activations - b.overhead;
        r.budget = limit;
        switch (engine.pool) {
            case KvPoolRule::share_of_total:
                r.budget = min(usable * util, limit);
                r.kv_pool = r.budget - b.weights - b.activations - b.overhead;
                break;
            case KvPoolRule::share_of_free: r.kv_pool = left * util; break;
            case KvPoolRule::static_share: r.kv_pool = min(usable * util - b.weights, left); break;
            case KvPoolRule::remainder: r.kv_pool = left; break;
        }
        r.state_per_sequence = state_bytes_per_sequence_per_gpu(m, s, l.tensor, p.spec.precision.activations);
        // Recurrent state is reserved per sequence, constant in its length: it takes from the pool
        // what no token can use. Tokens the pool holds are those of the sequences it can hold.
        r.max_concurrency = r.kv_pool.value() > 0 ? floor_count(r.kv_pool / r.per_sequence()) : 0;
        const double per_token = r.kv_per_sequence.value() / seq_tokens;
        const Bytes for_tokens = r.kv_pool - r.state_per_sequence * d(std::max<std::int64_t>(1, r.max_concurrency));
        r.kv_capacity_tokens = r.kv_pool.value() <= 0 ? 0
                               : per_token > 0       ? std::floor(std::max(0.0, for_tokens.value()) / per_token)
                                                     : d(r.max_concurrency) * seq_tokens;
        b.kv_cache = r.per_sequence() * d(concurrency);
        if (r.kv_capacity_tokens < best_tokens) {
            best_tokens = r.kv_capacity_tokens;
            best = r;
        }
    }
    return best;
}

Bytes training_activation_bytes_per_token_per_layer(const LayerWork& w, std::int64_t hidden_size, std::int64_t tensor,
                                                    bool sequence_parallel, DType act, bool fused_kernels) {
    const double a = bytes_per_element(act), t = d(tensor), h = d(hidden_size);
    const double hidden_sized = 4 * h;  // the inputs and outputs of both blocks' norms
    const double split = w.q_width + w.kv_width + w.attention_output_width + w.mlp_stored_elements;
    // Eager norms: fp32 input and output (8 bytes) where the fused kernel keeps the input (a);
    // eager rotary: fp32 q and k (k is half of the k/v width).
    const double eager_hidden = fused_kernels ? 0.0 : 2.0 * (8.0 - a) * h;
    const double eager_split = fused_kernels || w.latent ? 0.0 : 4.0 * (w.q_width + w.kv_width / 2.0);
    return Bytes(a * (split / t + hidden_sized / (sequence_parallel ? t : 1.0)) + eager_split / t +
                 eager_hidden / (sequence_parallel ? t : 1.0));
}

Bytes op_checkpoint_bytes_per_token_per_layer(const LayerWork& w, std::int64_t hidden_size, std::int64_t tensor,
                                              bool sequence_parallel, DType act) {
    const double a = bytes_per_element(act), t = d(tensor), h = d(hidden_size);
    const double sp = sequence_parallel ? t : 1.0;
    // Column-parallel outputs (q, k, v, the MLP's up and gate) split by t; the row-parallel
    // outputs (attention and MLP down projections, h wide) and the block input by SP.
    const double split = (w.q_width + w.kv_width + w.mlp_stored_elements / 2.0) / 2.0 + w.attention_output_width;
    const double hidden = h + (h + h) / 2.0;
    return Bytes(a * (split / t + hidden / sp));
}

DType saved_activation_type(DType act) { return bytes_per_element(act) < 2 ? DType::bf16 : act; }

Bytes training_activation_bytes_per_token(const LayerStack& m, const Stage& range, std::int64_t tensor, bool sequence_parallel,
                                          DType act, bool fused_kernels) {
    return Bytes(sum_over_kinds(m, range, [&](const LayerWork& w, double n) {
        return n * training_activation_bytes_per_token_per_layer(w, m.hidden_size, tensor, sequence_parallel, act, fused_kernels).value();
    }));
}

double lora_parameters(const LayerStack& m, const LoraSpec& lora) { return adapter_parameters(m, lora.rank, lora.targets); }

std::string_view to_string(TrainingPeak v) { return v == TrainingPeak::forward ? "forward" : "backward"; }

namespace {

/// The largest single weight matrix of a stage, per GPU: what one parameter's gradient holds when
/// the optimizer steps each parameter during backward.
double largest_matrix(const LayerStack& m, const Stage& s, const Layout& l) {
    const double h = d(m.hidden_size);
    double largest = max_over_kinds(m, s, [&](const LayerWork& w) { return h * std::max(w.q_width, w.largest_mlp_width); });
    if (s.embedding || s.head) largest = std::max(largest, h * d(m.vocab_size));
    return largest / d(l.tensor);
}

/// Mixed precision: 16-bit weights (or adapters over a frozen base) with fp32 optimizer maths.
bool mixed_precision(const Problem& p) {
    return bytes_per_element(p.spec.precision.weights) < 4 || p.spec.training.method != TrainingMethod::full;
}

}  // namespace

double trainable_parameters(const Problem& p) {
    const auto& tr = p.spec.training;
    return tr.method == TrainingMethod::full ? p.model.parameters.total : lora_parameters(p.model.stack, tr.lora);
}

DType stored_weight_precision(const Problem& p) {
    return p.spec.training.method == TrainingMethod::qlora ? DType::nf4 : p.spec.precision.weights;
}

Bytes stored_activation_bytes(const Problem& p, const Layout& l, const Stage& range) {
    const auto& m = p.model.stack;
    const auto& tr = p.spec.training;
    const DType act = saved_activation_type(p.spec.precision.activations);
    const double tokens = d(tr.micro_batch) * d(tr.sequence_length) / d(l.context);
    if (tr.activation_checkpointing == Recompute::full)  // only each layer's input
        return Bytes(d(range.layers) * tokens * bytes_per_element(act) * d(m.hidden_size) / (l.tensor > 1 ? d(l.tensor) : 1.0));
    if (tr.activation_checkpointing == Recompute::op)
        return Bytes(tokens * sum_over_kinds(m, range, [&](const LayerWork& w, double n) {
                         return n * op_checkpoint_bytes_per_token_per_layer(w, m.hidden_size, l.tensor, l.tensor > 1, act).value();
                     }));
    return training_activation_bytes_per_token(m, range, l.tensor, l.tensor > 1, act, tr.fused_kernels) * tokens;
}

Bytes largest_layer_activation_bytes(const Problem& p, const Layout& l, const Stage& range) {
    const auto& m = p.model.stack;
    const auto& tr = p.spec.training;
    const double tokens = d(tr.micro_batch) * d(tr.sequence_length) / d(l.context);
    return Bytes(tokens * max_over_kinds(m, range, [&](const LayerWork& w) {
        return training_activation_bytes_per_token_per_layer(w, m.hidden_size, l.tensor, l.tensor > 1,
                                                             saved_activation_type(p.spec.precision.activations),
                                                             tr.fused_kernels)
            .value();
    }));
}

DType gradient_precision(const Problem& p) {
    const auto& tr = p.spec.training;
    if (tr.gradient_precision) return *tr.gradient_precision;
    if (!mixed_precision(p) || tr.sharding == Sharding::distributed_optimizer) return DType::fp32;
    return p.spec.precision.activations == DType::fp16 ? DType::fp16 : DType::bf16;
}

double gradient_bytes_per_parameter(const Problem& p) { return bytes_per_element(gradient_precision(p)); }

double optimizer_bytes_per_parameter(const Problem& p) {
    const auto& tr = p.spec.training;
    const bool mixed = mixed_precision(p);
    const bool master = mixed && tr.master_weights;
    const double moment = master || !mixed ? 4.0 : 2.0;
    const double moments = tr.optimizer == Optimizer::adamw ? 2 * moment : tr.optimizer == Optimizer::adamw_8bit ? 2.0 : moment;
    return moments + (master ? 4.0 : 0.0);
}

TrainingRecipe training_recipe(const Problem& p, const Layout& l) {
    const auto& tr = p.spec.training;
    const double dp = d(l.data);
    TrainingRecipe r;
    const double global = d(tr.global_batch.value_or(tr.micro_batch * l.data));
    r.micro_batches = std::max(1.0, global / (d(tr.micro_batch) * dp));
    r.micro_tokens = d(tr.micro_batch) * d(tr.sequence_length) / d(l.context);
    r.tokens_per_step = global * d(tr.sequence_length);
    r.trainable = trainable_parameters(p);
    r.stored_weights = stored_weight_precision(p);
    r.gradient_bytes = gradient_bytes_per_parameter(p);
    r.optimizer_bytes = optimizer_bytes_per_parameter(p);
    r.weight_shards = tr.sharding == Sharding::zero3 ? dp : 1.0;
    r.gradient_shards = tr.sharding == Sharding::zero2 || tr.sharding == Sharding::zero3 ? dp : 1.0;
    r.optimizer_shards = tr.sharding == Sharding::none ? 1.0 : dp;
    r.gradients_persist = !tr.optimizer_in_backward &&
                          (r.micro_batches > 1 || l.pipeline > 1 || (l.data > 1 && tr.sharding != Sharding::zero3));
    return r;
}

TrainingMemory estimate_training_memory(const Problem& p, const Device& dev, const Layout& l) {
    return estimate_training_memory(p, dev, l, training_recipe(p, l));
}

TrainingMemory estimate_training_memory(const Problem& p, const Device& dev, const Layout& l, const TrainingRecipe& recipe) {
    const auto& m = p.model.stack;
    const auto& c = p.calibration;
    const auto& tr = p.spec.training;
    const double t = d(l.tensor), pp = d(l.pipeline);
    const auto stages = split_stages(m, l.pipeline);
    const double micro_tokens = recipe.micro_tokens;
    const double micro_batches = recipe.micro_batches;
    const bool gradients_persist = recipe.gradients_persist;

    TrainingMemory best;
    Bytes best_total(-1);
    for (std::size_t i = 0; i < stages.size(); ++i) {
        const Stage& s = stages[i];
        const auto sp_params = stage_parameters(m, s);
        // Parameters one GPU holds before data-parallel sharding.
        const double held = (sp_params.dense + sp_params.experts / d(l.expert)) / t;
        const double layers = d(std::max<std::int64_t>(1, s.layers));
        TrainingMemory r;
        r.stage = i;
        MemoryBreakdown& b = r.breakdown;
        const double zero_weights = recipe.weight_shards, zero_grads = recipe.gradient_shards, zero_opt = recipe.optimizer_shards;
        double trainable = held;
        Bytes whole_weights;  // the stage's weights on one GPU, unsharded
        if (tr.method == TrainingMethod::full) {
            whole_weights = Bytes(held * bytes_per_element(p.spec.precision.weights));
        } else {
            trainable = recipe.trainable * d(s.layers) / d(m.layers) / t;
            whole_weights = weight_bytes_per_gpu(m, s, l, recipe.stored_weights, c) + Bytes(trainable * 2.0);
        }
        const bool offload_weights = tr.offload.parameters;
        // FSDP gathers the layer in flight and prefetches the next.
        const Bytes gathered = whole_weights / layers * c[Constant::zero3_prefetch_layers];
        const bool gathers = offload_weights || (tr.sharding == Sharding::zero3 && l.data > 1);
        TrainingMemoryParts& parts = r.parts;
        parts.weight_shard = offload_weights ? Bytes(0) : whole_weights / zero_weights;
        parts.gathered = gathers ? gathered : Bytes(0);
        parts.trainable = trainable;
        // Mixed precision keeps 16-bit gradients, fp32 moments and an fp32 master copy unless the
        // weights are fp32 already; pure 16-bit training (no master weights) keeps 16-bit moments.
        // Megatron's distributed optimizer accumulates fp32 gradients: 2 + 4 + 12/d bytes.
        const double gradient_bytes = recipe.gradient_bytes;
        Bytes gradients(trainable * gradient_bytes / zero_grads);
        const Bytes optimizer(trainable * recipe.optimizer_bytes / zero_opt);
        // What gradients peak at: all of them, one parameter's when the optimizer steps inside
        // backward, one layer's (unsharded) when FSDP moves each to the host as it is reduced.
        Bytes gradient_peak = gradients;
        if (tr.optimizer_in_backward && tr.method == TrainingMethod::full)
            gradient_peak = std::min(gradient_peak, Bytes(largest_matrix(m, s, l) * gradient_bytes));
        parts.optimizer_on_gpu = !offload_weights && !tr.offload.optimizer;
        if (offload_weights) {
            r.host = whole_weights / zero_weights + (tr.sharding == Sharding::zero3 && l.data > 1 ? gathered : Bytes(0)) + gradients +
                     optimizer;
            gradient_peak = std::min(gradient_peak, Bytes(trainable / layers * gradient_bytes));
            gradients = Bytes(0);
        } else if (tr.offload.optimizer) {
            r.host = optimizer;
        }
        if (tr.method == TrainingMethod::qlora)  // one de-quantised 16-bit matrix in flight
            parts.dequantised =
                Bytes(2.0 * d(m.hidden_size) * max_over_kinds(m, s, [](const LayerWork& w) { return w.largest_mlp_width; }) / t);

        // 1F1B: stage i keeps (p - i) micro-batches in flight, at most the micro-batches there are.
        // The interleaved schedule holds more: Megatron-LM's memory penalty 1 + (p - 1)/(p v).
        r.micro_batches_in_flight = floor_count(std::min(micro_batches, pp - static_cast<double>(i)));
        const double v = d(tr.pipeline_interleave);
        const double penalty = l.pipeline > 1 && tr.pipeline_interleave > 1 ? 1.0 + (pp - 1.0) / (pp * v) : 1.0;
        const double stored_layers = d(s.layers) * d(r.micro_batches_in_flight) * penalty;
        // One layer's activations for one micro-batch: what backward works on (and recomputes).
        const Bytes layer = largest_layer_activation_bytes(p, l, s);
        const bool recompute = tr.activation_checkpointing == Recompute::full;
        const Bytes stored_per_layer = stored_activation_bytes(p, l, s) / layers;
        Bytes stored = stored_per_layer * stored_layers;
        if (tr.offload.activations) {  // the layer being worked on and the one in transfer stay
            const Bytes kept = stored_per_layer * std::min(stored_layers, c[Constant::activation_offload_layers]);
            r.host += stored - kept;
            stored = kept;
        }
        // 16-bit logits for all tokens plus an fp32 copy of one loss chunk, vocabulary split over TP.
        const Bytes logits = s.head ? Bytes(micro_tokens * d(m.vocab_size) / t * (2.0 + 4.0 / d(tr.loss_chunks))) : Bytes(0);
        // Backward starts at the output layer: its weight gradient joins the logits (counted here
        // when gradients do not persist; otherwise it is among them).
        const Bytes head_gradient = s.head && tr.method == TrainingMethod::full && !gradients_persist
                                        ? std::min(gradient_peak, Bytes(d(m.vocab_size) * d(m.hidden_size) / t * gradient_bytes))
                                        : Bytes(0);
        parts.at_head = logits + head_gradient >= (recompute ? layer : Bytes(0));
        parts.forward_gradients = gradients_persist ? gradients : parts.at_head ? head_gradient : Bytes(0);
        parts.backward_gradients = gradient_peak;
        parts.stored = stored;
        parts.logits = logits;
        parts.layer = layer;
        const Bytes forward_activations = stored + (parts.at_head ? logits : layer);
        const Bytes backward = gradient_peak + layer;
        r.peak = forward_activations + parts.forward_gradients >= backward ? TrainingPeak::forward : TrainingPeak::backward;
        b.weights = parts.weight_shard + parts.gathered + parts.dequantised;
        b.optimizer = parts.optimizer_on_gpu ? optimizer : Bytes(0);
        if (r.peak == TrainingPeak::forward) {
            b.gradients = parts.forward_gradients;
            b.activations = forward_activations;
        } else {
            b.gradients = gradient_peak;
            b.activations = layer;
        }
        const Bytes allocated = b.weights + b.gradients + b.optimizer + b.activations;
        b.outside_allocator = gib(c[Constant::training_runtime_overhead_gib]);
        b.overhead = b.outside_allocator + allocated * c[Constant::training_fragmentation];
        b.capacity = dev.usable_memory() * (1.0 - p.spec.headroom);
        if (b.total() > best_total) {
            best_total = b.total();
            best = r;
        }
    }
    return best;
}

}  // namespace gpusize
