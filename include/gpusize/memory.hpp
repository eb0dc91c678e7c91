// Memory per GPU for inference and training, for the most loaded GPU of a layout
// (docs/estimation.md §2-§4). Pure functions of the problem, device and layout.
#pragma once

#include <cstdint>
#include <vector>

#include "gpusize/device.hpp"
#include "gpusize/problem.hpp"

namespace gpusize {

/// The most a count derived from doubles may be: 2^53, past which a double no longer holds every
/// whole number. Sequences, micro-batches and replicas are far below it in any real deployment.
inline constexpr double max_count = 9007199254740992.0;

/// floor(v) as a count, always a defined conversion: NaN and values below 0 give 0, values above
/// max_count (infinity included) give max_count. Every double-to-integer count in the estimators
/// and the planner goes through this (or ceil_count), so extreme catalog numbers cannot make the
/// conversion undefined.
std::int64_t floor_count(double v);

/// ceil(v) as a count, bounded like floor_count.
std::int64_t ceil_count(double v);

struct MemoryBreakdown {
    Bytes weights;
    Bytes kv_cache;
    Bytes activations;
    Bytes gradients;
    Bytes optimizer;
    Bytes overhead;
    /// The part of `overhead` outside the framework's caching allocator: the CUDA context, NCCL
    /// buffers, an engine's non-torch memory. The rest of it is fragmentation the allocator
    /// reserves but has not handed out.
    Bytes outside_allocator;
    Bytes capacity;  ///< what the job may use on this GPU (usable memory less headroom)
    Bytes total() const { return weights + kv_cache + activations + gradients + optimizer + overhead; }
    /// What the framework's allocator reports at the peak (torch.cuda.max_memory_reserved): the
    /// total less what lives outside it. `total()` is what the process holds (nvidia-smi).
    Bytes allocator() const { return total() - outside_allocator; }
};

/// Bytes to store one element of `t` (fp32 4, bf16/fp16 2, fp8/int8 1, int4/fp4 0.5).
double bytes_per_element(DType t);

/// Bytes per stored weight, with quantisation overheads: group-quantised int4 stores a 16-bit
/// scale and zero point per group of g weights, `(4 + 32/g)/8` bytes (g = 128: 0.53125);
/// nf4 uses the calibrated bits per parameter (QLoRA: 4.127); fp4 is MXFP4, 4 bits plus an 8-bit
/// scale per 32 values (4.25 bits; OCP Microscaling Formats spec v1.0); nvfp4 is NVFP4, 4 bits
/// plus an E4M3 scale per 16 values (4.5 bits; NVIDIA's NVFP4, as ModelOpt writes it).
double bytes_per_parameter(DType t, const Calibration& c);

/// Parameters a stage holds, split into the part tensor parallelism divides (`dense`: attention,
/// dense MLPs, shared experts, router, embedding, head, norms) and routed experts.
struct StageParameters {
    double dense = 0;
    double experts = 0;
    double unquantised = 0;  ///< embedding, head and norms (in `dense`): 16-bit in quantised checkpoints
};
StageParameters stage_parameters(const LayerStack& m, const Stage& s);

/// Weight bytes one GPU of the stage holds: dense parts over `tensor`, experts over
/// `tensor * expert`; embeddings, head and norms stay 16-bit when the weights are quantised below that.
Bytes weight_bytes_per_gpu(const LayerStack& m, const Stage& s, const Layout& l, DType weights, const Calibration& c);
/// The same from the stage's parameters already counted.
Bytes weight_bytes_per_gpu(const StageParameters& p, const Layout& l, DType weights, const Calibration& c);

/// KV bytes one GPU of the stage holds for one sequence of `tokens` tokens (model.hpp kv_elements).
Bytes kv_bytes_per_sequence_per_gpu(const LayerStack& m, const Stage& s, std::int64_t tensor, double tokens, DType kv,
                                    bool full_length_windows = false);

/// Recurrent state bytes one GPU of the stage holds for one sequence (model.hpp state_bytes), at
/// the model's activation dtype (engines keep it there whatever the KV-cache dtype) or fp32.
Bytes state_bytes_per_sequence_per_gpu(const LayerStack& m, const Stage& s, std::int64_t tensor, DType model_dtype);

struct InferenceMemory {
    MemoryBreakdown breakdown;      ///< kv_cache = what the chosen concurrency holds, state included
    Bytes budget;                   ///< what the engine's memory rule lets it use
    Bytes kv_pool;                  ///< what the engine gives the KV cache (may be negative: does not fit)
    Bytes kv_per_sequence;          ///< one sequence of input + output tokens, on this GPU
    Bytes state_per_sequence;       ///< recurrent layers' state of one sequence, on this GPU
    /// What one full-length sequence takes from the pool: its KV and its state.
    Bytes per_sequence() const { return kv_per_sequence + state_per_sequence; }
    double kv_capacity_tokens = 0;  ///< tokens the pool holds (engine-wide, not per GPU)
    std::int64_t max_concurrency = 0;  ///< full-length sequences the pool holds
    std::size_t stage = 0;          ///< the most loaded pipeline stage
    double step_tokens = 0;         ///< tokens of the forward step whose peak is charged
    Bytes forward;                  ///< that step's activations
    Bytes sampler;                  ///< what sampling holds on the last stage (0 on others)
};

/// Inference memory under the engine's rule (vLLM: gpu_memory_utilization of total memory, the
/// rest after weights, activation profile and runtime overhead is the KV pool, windowed layers
/// sized at full length as vLLM 0.19 does; TensorRT-LLM:
/// 0.9 of the memory free after loading; SGLang: mem_fraction_static of total holds weights and
/// KV; generic: all usable memory less headroom). `concurrency` sequences are charged to kv_cache.
InferenceMemory estimate_inference_memory(const Problem& p, const Device& d, const Layout& l, std::int64_t concurrency);

/// The transient activation peak of one forward step of `tokens` tokens on one GPU: the
/// calibrated number of hidden-sized and MLP-sized tensors live at once, per token.
Bytes inference_activation_bytes(const LayerStack& m, const Layout& l, DType act, double tokens, const Calibration& c);

/// What sampling `sequences` sequences holds: the whole vocabulary per sequence at
/// `bytes_per_logit` (vLLM's profile: fp32 logits, probabilities and int64 indices, 16 bytes).
Bytes sampler_bytes(const LayerStack& m, double sequences, double bytes_per_logit);

/// Activation bytes one token leaves stored in one layer of kind `w` for backward, with flash attention and
/// no dropout, counted tensor by tensor (elements): attention `h` (norm input) + `h` (norm output,
/// the q/k/v input) + q, k, v + attention output; MLP `h + h` + gate, up, activation, product
/// (gated: `4f`, as eager PyTorch saves them) or fc1 output and activation (standard: `2f`); each at
/// the activation precision. For a GPT block (f = 4h, MHA) that is 32h bytes per token against
/// Korthikanti et al.'s 34h, the difference being their dropout masks. Sequence parallelism divides everything by
/// `t`; without it the `h`-sized tensors stay whole. MoE MLPs count `k` routed experts.
/// Without fused kernels (eager PyTorch: HF Transformers, torchtune without compile) each RMSNorm
/// saves its input and normalised output in fp32 (8h bytes instead of the 2h input) and rotary
/// embedding saves fp32 copies of q and k: `12h + 4q + 4k` bytes more.
Bytes training_activation_bytes_per_token_per_layer(const LayerWork& w, std::int64_t hidden_size, std::int64_t tensor,
                                                    bool sequence_parallel, DType act, bool fused_kernels = true);
/// The same summed over the layers of `range`.
/// One layer's stored activations per token under op-level selective checkpointing (torchtitan's
/// policy: every other matmul output, attention's output and the block's input are saved; norms,
/// activation functions and the other matmuls are recomputed): `a · (h + o + M / 2)` with
/// `M = q + kv + h + mlp_stored / 2 + h` the elements the layer's matmuls output (attention q, k, v
/// and output projections; the MLP's up/gate and down projections), `o` the attention output;
/// widths split by tensor parallelism, hidden-sized ones only under sequence parallelism.
Bytes op_checkpoint_bytes_per_token_per_layer(const LayerWork& w, std::int64_t hidden_size, std::int64_t tensor,
                                              bool sequence_parallel, DType act);
/// The element type training keeps its saved activations in: the activations precision, but
/// 16-bit when that is 8-bit or narrower (FP8 recipes quantise GEMM inputs on the fly and save the
/// high-precision tensors: torchao float8_linear.py matmul_with_hp_or_float8_args saves input_hp).
DType saved_activation_type(DType act);
Bytes training_activation_bytes_per_token(const LayerStack& m, const Stage& range, std::int64_t tensor, bool sequence_parallel,
                                          DType act, bool fused_kernels = true);

/// Trainable parameters of LoRA adapters: rank * (d_in + d_out) for each targeted matrix of each
/// layer (targets among q, k, v, o, gate, up, down).
double lora_parameters(const LayerStack& m, const LoraSpec& lora);

/// When a training step's memory peaks: at the loss, after the forward pass (all stored
/// activations and the logits held), or at the end of backward (all gradients held, one layer's
/// activations left).
enum class TrainingPeak { forward, backward };
std::string_view to_string(TrainingPeak v);

/// Parameters the optimizer updates: all of them for full training, the adapters' for LoRA/QLoRA.
double trainable_parameters(const Problem& p);
/// How the model's weights are stored while training: NF4 under QLoRA, else the spec's precision.
DType stored_weight_precision(const Problem& p);

/// What the layers of `range` store for backward for one micro-batch on one GPU: each layer's
/// input under full recomputation, else all its activations (sequence parallel whenever tensor
/// parallel > 1).
Bytes stored_activation_bytes(const Problem& p, const Layout& l, const Stage& range);
/// The most one layer of `range` stores (what backward works on, and recomputes).
Bytes largest_layer_activation_bytes(const Problem& p, const Layout& l, const Stage& range);

/// The gradients' precision: the spec's gradient_precision, else fp32 with fp32 weights or
/// Megatron's distributed optimizer (its fp32 gradient buffer), else 16-bit (fp16 under fp16
/// compute, bf16 otherwise).
DType gradient_precision(const Problem& p);
double gradient_bytes_per_parameter(const Problem& p);

/// Optimizer state bytes per trainable parameter: the moments (AdamW two, SGD one; 8-bit Adam 2
/// bytes for both) in fp32 with master weights or fp32 weights, else in 16-bit, plus the 4-byte
/// fp32 master copy when there is one.
double optimizer_bytes_per_parameter(const Problem& p);

/// What a training step does on one layout, resolved once and read by the memory estimate, the
/// time estimate and explain (docs/estimation.md §4).
struct TrainingRecipe {
    double micro_batches = 1;    ///< per replica per step: global batch / (micro batch x data), at least 1
    double micro_tokens = 0;     ///< one micro-batch's tokens on one GPU: micro batch x sequence / context
    double tokens_per_step = 0;  ///< global batch x sequence
    double trainable = 0;        ///< parameters the optimizer updates, whole model
    DType stored_weights = DType::bf16;  ///< NF4 under QLoRA, else the spec's weights
    double gradient_bytes = 0;   ///< per trainable parameter (gradient_precision)
    double optimizer_bytes = 0;  ///< per trainable parameter (optimizer_bytes_per_parameter)
    /// What ZeRO divides over data parallel: weights (zero3), gradients (zero2, zero3), optimizer
    /// states (every mode but none); 1 where it does not.
    double weight_shards = 1, gradient_shards = 1, optimizer_shards = 1;
    /// Gradients outlive the step: micro-batches accumulate into them, a pipeline holds them, or
    /// DDP/ZeRO-1/2/Megatron buckets keep them with data parallel; never with the optimizer in
    /// backward. PyTorch frees them otherwise (zero_grad(set_to_none=True)).
    bool gradients_persist = false;
};
TrainingRecipe training_recipe(const Problem& p, const Layout& l);

/// The parts the training peak is made of, on the most loaded GPU (what explain recomputes it from).
struct TrainingMemoryParts {
    Bytes weight_shard;        ///< the stage's weights on this GPU after ZeRO-3 sharding; 0 when offloaded
    Bytes gathered;            ///< FSDP's gathered layers in flight (ZeRO-3 with data parallel, or offload)
    Bytes dequantised;         ///< QLoRA's one de-quantised 16-bit matrix in flight
    double trainable = 0;      ///< trainable parameters this GPU holds before data-parallel sharding
    bool optimizer_on_gpu = true;
    Bytes forward_gradients;   ///< gradients held at the loss
    Bytes backward_gradients;  ///< gradients held at the end of backward
    Bytes stored;              ///< activations stored for backward and kept on the GPU
    Bytes logits;              ///< the last stage's logits and one fp32 loss chunk
    Bytes layer;               ///< one layer's activations for one micro-batch
    bool at_head = false;      ///< the forward peak is at the loss (else a recomputed layer)
};

struct TrainingMemory {
    MemoryBreakdown breakdown;  ///< what is allocated at the peak
    TrainingMemoryParts parts;
    TrainingPeak peak = TrainingPeak::forward;
    Bytes host;                 ///< what `offload` keeps in host memory, per GPU
    std::size_t stage = 0;
    std::int64_t micro_batches_in_flight = 1;
};

/// Training memory of the most loaded GPU at its peak. Persistent: weights (ZeRO-3 shards them
/// and adds gather buffers for the layers in flight) and optimizer states (AdamW with fp32 master
/// weights 4 + 8 bytes per trainable parameter, without them 2 + 2; 8-bit Adam 2; SGD one moment;
/// sharded from ZeRO-1 on). Then the larger of two moments of the step:
/// - forward: the activations of the micro-batches in flight under 1F1B (times 1 + (p-1)/(p v)
///   interleaved) and, on the last stage, the logits/loss peak (16-bit logits plus one chunk's
///   fp32 copy), with full recomputation the larger of that and one layer's recomputed
///   activations; plus every gradient when gradients outlive the step (accumulation over
///   micro-batches, pipelines, DDP/ZeRO-1/2/Megatron buffers with data parallel);
/// - backward: every gradient (one parameter's with optimizer_in_backward, one layer's when FSDP
///   offloads parameters) and the first layer's activations.
/// Offloaded parts move to `host`. Runtime overhead and allocator fragmentation come on top.
TrainingMemory estimate_training_memory(const Problem& p, const Device& d, const Layout& l);
/// The same on a recipe already resolved for `l`.
TrainingMemory estimate_training_memory(const Problem& p, const Device& d, const Layout& l, const TrainingRecipe& recipe);

}  // namespace gpusize
