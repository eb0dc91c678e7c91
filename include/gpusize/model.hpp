// Model architecture and what follows from it alone: parameter counts (total, active, per part),
// KV-cache bytes per token, and forward FLOPs per token. Models *describe* their work here;
// estimators elsewhere price it on hardware. Formulas: docs/estimation.md §1, §3.3 and §5.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gpusize/units.hpp"

namespace gpusize {

enum class MlpKind { gated, standard };
enum class NormKind { rmsnorm, layernorm };

/// Multi-head latent attention (DeepSeek-V2/V3) ranks, as in the model's config.json.
struct MlaConfig {
    std::optional<std::int64_t> q_lora_rank;  ///< absent: q is a plain h x a*(nope+rope) projection
    std::int64_t kv_lora_rank = 0;
    std::int64_t qk_nope_head_dim = 0;
    std::int64_t qk_rope_head_dim = 0;
    std::int64_t v_head_dim = 0;
    friend bool operator==(const MlaConfig&, const MlaConfig&) = default;
};

/// Mixture of experts. Layers [0, dense_layers) are dense MLPs of `intermediate_size`.
struct MoeConfig {
    std::int64_t experts = 0;
    std::int64_t active_experts = 0;
    std::int64_t expert_intermediate_size = 0;
    std::int64_t shared_experts = 0;
    std::int64_t shared_expert_intermediate_size = 0;
    std::int64_t dense_layers = 0;
    friend bool operator==(const MoeConfig&, const MoeConfig&) = default;
};

/// A fully resolved decoder-only transformer. Every field is known; `ModelPatch` (spec.hpp)
/// carries the partially given form.
struct ModelArchitecture {
    std::int64_t layers = 0;
    std::int64_t hidden_size = 0;
    std::int64_t attention_heads = 0;
    std::int64_t kv_heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t intermediate_size = 0;
    std::int64_t vocab_size = 0;
    bool tied_embeddings = false;
    MlpKind mlp = MlpKind::gated;
    NormKind norm = NormKind::rmsnorm;
    std::int64_t norms_per_layer = 2;
    bool qk_norm = false;
    bool attention_bias = false;
    bool attention_output_bias = false;
    bool mlp_bias = false;
    std::int64_t learned_positions = 0;
    bool parallel_attention = false;
    std::optional<MoeConfig> moe;
    std::optional<MlaConfig> mla;
    std::optional<std::int64_t> sliding_window;        ///< tokens a windowed layer attends to
    std::optional<std::int64_t> global_attention_every; ///< every N-th layer is global
    friend bool operator==(const ModelArchitecture&, const ModelArchitecture&) = default;
};

/// Parameter counts by part (docs/estimation.md §1). Doubles: counts reach 1e12 and are exact
/// below 2^53.
struct ParameterCount {
    double embedding = 0;       ///< V*h (+ learned positions)
    double output_head = 0;     ///< V*h unless tied
    double attention = 0;       ///< all layers, projections + biases + qk norms
    double dense_mlp = 0;       ///< all dense MLP layers
    double expert_mlp = 0;      ///< all routed experts of all MoE layers
    double shared_expert_mlp = 0;
    double router = 0;
    double norms = 0;
    double total = 0;
    double active = 0;          ///< with only the top-k routed experts of each MoE layer
    /// Parameters in the transformer blocks that a token's forward pass multiplies through,
    /// i.e. active minus embedding (the lookup is not a matmul); used for FLOPs.
    double active_matmul = 0;
};

ParameterCount count_parameters(const ModelArchitecture& m);

/// Attention parameters of one layer (q, k, v, o with biases and qk norms; MLA low-rank form).
double attention_parameters_per_layer(const ModelArchitecture& m);
/// Dense MLP parameters of one layer.
double dense_mlp_parameters_per_layer(const ModelArchitecture& m);
/// One routed expert's parameters.
double expert_parameters(const ModelArchitecture& m);

/// Number of layers that use the sliding window (0 without one).
std::int64_t sliding_layers(const ModelArchitecture& m);

/// KV-cache elements per token for one layer (K and V): `2*n_kv*d_h`, or
/// `kv_lora_rank + qk_rope_head_dim` for MLA.
double kv_elements_per_token_per_layer(const ModelArchitecture& m);

/// Bytes of KV cache for one sequence of `tokens` tokens over all layers, at `bytes_per_element`.
/// Sliding-window layers hold min(tokens, window).
Bytes kv_cache_bytes(const ModelArchitecture& m, double tokens, double bytes_per_element);

/// Attention-score FLOPs per token at context `context` (QK^T and AV): `4*L*context*a*d_h`,
/// windowed layers use min(context, window). Forward only; callers halve for a causal average.
Flops attention_flops_per_token(const ModelArchitecture& m, double context);

/// An architecture consistent with a bare parameter count, for specs that give only `parameters`:
/// Llama-style (gated MLP, GQA with 8 KV heads from 8 B up, RMSNorm, 128-dim heads, untied 128k
/// vocabulary), depth and width from the Llama 2/3 family's shapes. Recorded as an assumption.
ModelArchitecture derive_architecture(double parameters);

}  // namespace gpusize
