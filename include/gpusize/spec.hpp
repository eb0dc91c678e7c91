// The workload spec, version 1: what the user asks (model, workload, precision, lengths, targets,
// deployment constraints, pricing). `parse_spec` reads YAML text with an origin name, checks every
// key and value, collects all problems and throws SpecError with `origin:line:col` diagnostics.
// Both the short form (`context`, `batch`, `precision: bf16`) and the explicit form are accepted;
// the result is always the explicit form.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"
#include "gpusize/model.hpp"
#include "gpusize/overrides.hpp"
#include "gpusize/units.hpp"

namespace gpusize {

enum class Workload { inference, training };
enum class Engine { vllm, trtllm, sglang, generic };
enum class TrainingMethod { full, lora, qlora };
enum class Optimizer { adamw, adamw_8bit, sgd };
enum class Sharding { none, zero1, zero2, zero3, distributed_optimizer };
/// What backward recomputes: nothing; Megatron's selective (the attention core, which fused
/// attention kernels recompute anyway); `op`, PyTorch's op-level selective checkpointing as
/// torchtitan applies it (every other matmul output and attention's output saved, the rest
/// recomputed); or each block's whole forward (`full`).
enum class Recompute { none, selective, op, full };
/// The fused attention kernel a training step runs: FlashAttention 2 or 3, cuDNN's fused attention
/// (Transformer Engine, Megatron, NeMo), or PyTorch's scaled_dot_product_attention (its flash backend).
enum class AttentionKernel { flash2, flash3, cudnn, sdpa };
enum class PricingMode { cloud, onprem };

std::string_view to_string(Workload v);
std::string_view to_string(Engine v);
std::string_view to_string(TrainingMethod v);
std::string_view to_string(AttentionKernel v);
std::string_view to_string(Optimizer v);
std::string_view to_string(Sharding v);
std::string_view to_string(Recompute v);
std::string_view to_string(PricingMode v);
std::string_view to_string(MlpKind v);
std::string_view to_string(NormKind v);

/// The architecture fields a spec (or preset) gives; absent fields come from the preset, the
/// config file or defaults. Applying a patch over a resolved architecture is how spec fields
/// override a preset.
struct ModelPatch {
    std::optional<std::int64_t> layers, hidden_size, attention_heads, kv_heads, head_dim, intermediate_size,
        vocab_size, norms_per_layer, learned_positions, experts, active_experts, expert_intermediate_size,
        shared_experts, shared_expert_intermediate_size, dense_layers, sliding_window, global_attention_every,
        attention_chunk_size;
    std::optional<bool> tied_embeddings, qk_norm, attention_bias, attention_output_bias, mlp_bias, parallel_attention,
        attention_output_gate;
    std::optional<MlpKind> mlp;
    std::optional<NormKind> norm;
    std::optional<MlaConfig> mla;
    std::optional<LinearAttentionConfig> linear_attention;
    std::optional<MambaConfig> mamba;
    std::optional<std::vector<LayerPlan>> layer_types;
    std::optional<std::int64_t> encoder_parameters, mtp_layers;
    std::optional<UnquantisedModules> unquantised;  ///< from a model file's quantisation exclusions
    /// True when any architecture field is set.
    bool any() const;
};

struct ModelSpec {
    std::optional<std::string> preset;
    std::optional<std::string> hf_config;  ///< path relative to the spec
    std::optional<double> parameters;
    ModelPatch patch;
    SourceLocation where;                             ///< the `model` section
    std::map<std::string, SourceLocation> locations;  ///< of each key given, for later checks
};

struct Precision {
    DType weights = DType::bf16;
    DType activations = DType::bf16;
    DType kv_cache = DType::bf16;
    /// The spec set the weights precision itself (otherwise a model file's declared one is used).
    bool weights_explicit = false;
    // `precision.group_size` is the calibration constant int4_group_size: Spec::calibration holds it.
};

struct Targets {
    std::optional<Seconds> ttft;  ///< unloaded: one prompt's prefill on an idle engine
    std::optional<Seconds> tpot;  ///< unloaded: one decode step of the full batch
    /// Percentiles under the stated `inference.arrival` (docs/estimation.md §6.7).
    std::optional<Seconds> ttft_p90, ttft_p99, tpot_p90, tpot_p99;
    std::optional<double> output_tokens_per_s;
    std::optional<double> requests_per_s;
    std::optional<double> growth;
};

/// The load the deployment serves: an open loop of `requests_per_s` (all replicas) whose times
/// between arrivals have coefficient of variation `burstiness` (1: Poisson), or a closed loop of
/// `users` clients that each send their next request when the last completes.
struct Arrival {
    std::optional<double> requests_per_s;
    double burstiness = 1;
    std::optional<double> users;
};

struct InferenceSpec {
    std::int64_t input_tokens = 0;
    std::int64_t output_tokens = 0;
    std::optional<std::int64_t> concurrency;  ///< absent = `auto`
    Engine engine = Engine::vllm;
    std::optional<double> gpu_memory_utilization;  ///< engine memory rule override
    std::optional<Arrival> arrival;  ///< absent: no load stated, only the unloaded figures
    Targets targets;
};

struct LoraSpec {
    std::int64_t rank = 16;
    std::vector<std::string> targets{"q", "k", "v", "o"};
};

/// What a training run keeps in host memory instead of on the GPU.
struct Offload {
    bool optimizer = false;    ///< optimizer states and the step (ZeRO-Offload, paged 8-bit Adam)
    bool parameters = false;   ///< weights, gradients and optimizer states (FSDP CPU offload)
    bool activations = false;  ///< saved activations, streamed back for backward
    bool any() const { return optimizer || parameters || activations; }
    /// The spec's names of what is offloaded, in the order optimizer, parameters, activations.
    std::vector<std::string> names() const;
};

struct TrainingSpec {
    TrainingMethod method = TrainingMethod::full;
    LoraSpec lora;
    std::int64_t sequence_length = 0;
    std::int64_t micro_batch = 1;
    /// `micro_batch: auto`: the search tries powers of two up to 64 that divide each replica's
    /// share of the global batch, and keeps the fastest that fits.
    bool micro_batch_auto = false;
    /// "auto" or the number, as reports print it.
    std::string micro_batch_text() const;
    std::optional<std::int64_t> global_batch;
    std::optional<double> tokens;
    Optimizer optimizer = Optimizer::adamw;
    Sharding sharding = Sharding::none;
    Recompute activation_checkpointing = Recompute::none;
    /// Mixed precision keeps fp32 master weights and fp32 Adam moments (16 bytes per parameter);
    /// without them, weights, gradients and moments stay 16-bit (8 bytes, torchtune's default).
    bool master_weights = true;
    /// Gradient precision; absent: fp32 with fp32 weights or Megatron's distributed optimizer
    /// (its fp32 gradient buffer), else 16-bit.
    std::optional<DType> gradient_precision;
    /// Virtual pipeline stages per GPU (Megatron's interleaved 1F1B); 1 = plain 1F1B.
    std::int64_t pipeline_interleave = 1;
    /// The optimizer steps each parameter as soon as its gradient is complete (torchtune's
    /// `optimizer_in_bwd`): gradients are never all held at once; needs one micro-batch per step.
    bool optimizer_in_backward = false;
    Offload offload;
    /// Cross-entropy over this many chunks of the output (torchtune's CEWithChunkedOutputLoss: 8):
    /// only one chunk's fp32 logits exist at a time. 1 = the whole logits at once.
    std::int64_t loss_chunks = 1;
    /// Fused norm and rotary kernels (Megatron, Transformer Engine, torch.compile, Liger); false:
    /// eager PyTorch, whose norms and rotary embedding save fp32 copies for backward.
    bool fused_kernels = true;
    /// `training.attention_kernel`; absent (`auto`): `sdpa`, what plain PyTorch runs.
    std::optional<AttentionKernel> attention_kernel;
    // `training.checkpoint.write_gb_per_s` and `restart_minutes` are the calibration constants
    // checkpoint_write_gb_per_s and restart_minutes, held in Spec::calibration where the
    // assumptions print them: one value, one place.
};

struct DeploymentSpec {
    std::vector<std::string> gpus;  ///< catalog ids or aliases as written; empty = whole catalog
    std::optional<std::int64_t> gpu_count;
    std::optional<std::int64_t> max_gpus;
    std::optional<std::int64_t> tensor_parallel, pipeline_parallel, data_parallel, expert_parallel, context_parallel;
    std::optional<std::int64_t> gpus_per_node;
    std::vector<SourceLocation> gpu_locations;  ///< of each `gpus` item
};

struct PricingSpec {
    std::map<std::string, UsdPerHour> usd_per_gpu_hour;  ///< by id or alias as written
    PricingMode mode = PricingMode::cloud;
    /// Which catalog prices a cloud deployment pays: on_demand (default), spot, reserved_1y, reserved_3y.
    Commitment commitment = Commitment::on_demand;
    std::optional<double> electricity_usd_per_kwh;
    std::optional<double> pue;
    std::optional<double> amortization_years;
    std::optional<double> utilization;
    std::map<std::string, SourceLocation> price_locations;
};

struct Spec {
    std::string origin;
    std::string name;
    ModelSpec model;
    Workload workload = Workload::inference;
    Precision precision;
    InferenceSpec inference;
    TrainingSpec training;
    DeploymentSpec deployment;
    PricingSpec pricing;
    double headroom = 0;  ///< fraction of every GPU's memory kept free
    /// Calibration overrides by name (`calibration: {decode_step_overhead_ms: 2}`).
    std::map<std::string, double> calibration;
};

/// Parses spec text. `origin` names it in diagnostics (a path or `-`). Throws SpecError.
Spec parse_spec(std::string_view yaml_text, std::string_view origin);
/// The same, with `--set` overrides applied to the document before it is checked (overrides.hpp);
/// problems they cause are located at `--set:N:COL`.
Spec parse_spec(std::string_view yaml_text, std::string_view origin, const std::vector<Override>& overrides);

/// Parses "70.6B", "1T", "500M", "7e9" or a plain number into a count. nullopt if malformed.
std::optional<double> parse_count(std::string_view s);

}  // namespace gpusize
