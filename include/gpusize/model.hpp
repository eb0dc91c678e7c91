// Model architecture and what follows from it alone: parameter counts (total, active, per part),
// KV-cache bytes per token, and forward FLOPs per token. Models *describe* their work here;
// estimators elsewhere price it on hardware. Formulas: docs/estimation.md §1, §3.3 and §5.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

/// What a layer's attention is. Full attention keeps every token's K and V; a sliding window keeps
/// and attends to the last `window` tokens; chunked attention (Llama 4) attends within its chunk of
/// `window` tokens and keeps at most one chunk; latent attention (MLA) keeps one compressed vector
/// and a rotary key per token. Linear attention (gated DeltaNet) and Mamba-2 keep no per-token
/// cache but a recurrent state per sequence, constant in its length; `none` is a layer with no
/// attention part (a Nemotron-H MLP or MoE block). A new kind is a new value here and a new case in
/// `describe_layer` (model.cpp), nothing else.
enum class AttentionKind { full, sliding_window, chunked, latent, linear, mamba, none };
std::string_view to_string(AttentionKind k);
std::optional<AttentionKind> parse_attention_kind(std::string_view s);

/// What a layer's feed-forward part is: one dense MLP, routed experts with shared experts and a
/// router, or nothing (Nemotron-H's mixer-only blocks).
enum class FeedForwardKind { dense, moe, none };
std::string_view to_string(FeedForwardKind k);
std::optional<FeedForwardKind> parse_feed_forward_kind(std::string_view s);

/// One layer of a hybrid model as configured: its attention part, and its feed-forward part when
/// the layer pattern says it (otherwise the model's MoE rule: dense before `dense_layers`).
struct LayerPlan {
    AttentionKind attention = AttentionKind::full;
    std::optional<FeedForwardKind> feed_forward;
    friend bool operator==(const LayerPlan&, const LayerPlan&) = default;
};

/// Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5): per layer a recurrent state of
/// value_heads x key_head_dim x value_head_dim and a causal convolution over q, k and v, both held
/// per sequence whatever its length.
struct LinearAttentionConfig {
    std::int64_t key_heads = 0;
    std::int64_t value_heads = 0;
    std::int64_t key_head_dim = 0;
    std::int64_t value_head_dim = 0;
    std::int64_t conv_kernel = 4;
    bool state_fp32 = false;  ///< the recurrent state is kept in fp32 (else the model's dtype)
    friend bool operator==(const LinearAttentionConfig&, const LinearAttentionConfig&) = default;
};

/// Mamba-2 (Nemotron-H): `heads` x `head_dim` inner channels, an SSM state of `state_size` per
/// channel, B and C shared within `groups`, a causal convolution of `conv_kernel` taps.
struct MambaConfig {
    std::int64_t heads = 0;
    std::int64_t head_dim = 0;
    std::int64_t state_size = 0;
    std::int64_t groups = 1;
    std::int64_t conv_kernel = 4;
    bool conv_bias = true;
    bool projection_bias = false;
    bool state_fp32 = false;  ///< the SSM state is kept in fp32 (mamba_ssm_cache_dtype)
    friend bool operator==(const MambaConfig&, const MambaConfig&) = default;
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

/// Modules a quantised checkpoint keeps in 16-bit besides the embeddings, head and norms (its
/// `exclude_modules` / `ignore` / `modules_to_not_convert` lists): charged max(w, 2) bytes.
struct UnquantisedModules {
    bool attention = false;
    bool dense_mlp = false;
    bool shared_experts = false;
    bool router = false;
    bool any() const { return attention || dense_mlp || shared_experts || router; }
    friend bool operator==(const UnquantisedModules&, const UnquantisedModules&) = default;
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
    /// Chunked local attention (Llama 4): a token attends within its chunk of this many tokens;
    /// every `global_attention_every`-th layer attends globally. Excludes `sliding_window`.
    std::optional<std::int64_t> attention_chunk_size;
    /// Full attention with a sigmoid output gate (Qwen3-Next): the query projection is twice as wide.
    bool attention_output_gate = false;
    std::optional<LinearAttentionConfig> linear_attention;
    std::optional<MambaConfig> mamba;
    /// Each layer's kinds, for hybrid models; a shorter pattern repeats (its length divides
    /// `layers`). Empty: the uniform rule (windows every layer but every global_attention_every-th,
    /// MoE from dense_layers on).
    std::vector<LayerPlan> layer_types;
    /// Vision and audio encoder towers with their projectors (multimodal models): weights held on
    /// the first pipeline stage and counted in the total, never in the text model's active count.
    std::int64_t encoder_parameters = 0;
    /// Multi-token-prediction modules (DeepSeek-V3, GLM-4.5, MiMo): each one decoder layer like
    /// the model's last, an input projection 2h x h and three norms (mtp_parameters). Held with
    /// the output head on the last stage; not in the active count (ordinary decoding skips them).
    std::int64_t mtp_layers = 0;
    /// What a quantised checkpoint leaves in 16-bit (read from its model file).
    UnquantisedModules unquantised;
    friend bool operator==(const ModelArchitecture&, const ModelArchitecture&) = default;
};

struct AttentionBlock {
    AttentionKind kind = AttentionKind::full;
    std::int64_t heads = 0;
    std::int64_t kv_heads = 0;    ///< K/V heads (GQA); latent attention caches no per-head K/V
    std::int64_t head_dim = 0;
    std::int64_t window = 0;      ///< tokens a query attends to and the cache keeps (sliding_window, chunked); 0: all
    MlaConfig latent;             ///< latent: the ranks
    LinearAttentionConfig linear; ///< linear: the heads and state
    MambaConfig mamba;            ///< mamba: the heads and state
    bool output_gate = false;     ///< a gated query projection (2x its width)
    bool qk_norm = false;
    bool bias = false;            ///< q, k, v biases
    bool output_bias = false;
    friend bool operator==(const AttentionBlock&, const AttentionBlock&) = default;
};

struct FeedForwardBlock {
    FeedForwardKind kind = FeedForwardKind::dense;
    MlpKind activation = MlpKind::gated;
    bool bias = false;
    std::int64_t intermediate_size = 0;  ///< dense: the MLP's width; moe: one routed expert's
    std::int64_t experts = 0;
    std::int64_t active_experts = 0;
    std::int64_t shared_experts = 0;
    std::int64_t shared_intermediate_size = 0;
    friend bool operator==(const FeedForwardBlock&, const FeedForwardBlock&) = default;
};

/// One kind of layer: its attention, its feed-forward part and its norms.
struct LayerKind {
    AttentionBlock attention;
    FeedForwardBlock feed_forward;
    std::int64_t norms = 2;
    friend bool operator==(const LayerKind&, const LayerKind&) = default;
};

/// What one layer of a kind holds and does, described once per model (docs/estimation.md §1, §3.3,
/// §5). Estimators price these; they never re-derive a parameter, a cached element or a FLOP from
/// the architecture.
struct LayerWork {
    double attention_parameters = 0;      ///< projections, biases, qk norms
    double mlp_parameters = 0;            ///< the dense MLP, or an MoE layer's shared experts
    double router_parameters = 0;
    double expert_parameters = 0;         ///< one routed expert
    double experts = 0;                   ///< routed experts (0: dense)
    double active_experts = 0;
    double norm_parameters = 0;
    /// Cached elements per token (K and V of every KV head; latent: c_kv + the rotary key).
    double kv_elements_per_token = 0;
    /// Whether tensor parallelism splits the cache by KV heads (latent caches are replicated).
    bool kv_split_by_heads = true;
    double kv_heads = 0;
    /// Tokens a windowed layer keeps and attends to; 0: all of them.
    double window = 0;
    /// Recurrent layers (linear attention, Mamba-2): state elements one sequence holds whatever
    /// its length, the convolution's (model dtype) and the recurrent or SSM state's (fp32 when
    /// `state_fp32`), split by tensor parallelism over `state_heads`.
    double conv_state_elements = 0, recurrent_state_elements = 0, state_heads = 0;
    bool state_fp32 = false;
    /// FLOPs per token of the recurrence itself (state update and read-out), whatever the context.
    double state_flops_per_token = 0;
    /// Tensor-parallel all-reduces per token: one after each part the layer has.
    double exchanges = 2;
    /// Attention-score FLOPs per token per attended token: 2 x heads x (qk dim + v dim).
    double score_flops_per_attended_token = 0;
    /// Elements per token of q, of k and v together, and of the attention output, at full width
    /// (what a layer stores for backward; latent: the up-projected heads plus c_kv).
    double q_width = 0, kv_width = 0, attention_output_width = 0;
    /// MLP elements per token a layer stores for backward: 4 per unit of width when gated (gate,
    /// up, activation, product), 2 when not; MoE: the active and shared experts' widths, plus
    /// the router's logits.
    double mlp_stored_elements = 0;
    /// The widest MLP a token passes through (inference activations): dense width, or the
    /// active routed plus shared experts' widths.
    double mlp_active_width = 0;
    /// The widest single MLP matrix's inner dimension (dense width, or the larger of a routed
    /// and a shared expert's).
    double largest_mlp_width = 0;
    bool latent = false;
    /// Output widths of the projections a LoRA adapter can target: q and o (heads x head dim), k
    /// and v (KV heads x head dim), and the MLP's gate, up and down (its width; MoE: one expert's).
    double q_projection = 0, kv_projection = 0, mlp_projection = 0;

    double routed_parameters() const { return experts * expert_parameters; }
    double parameters() const { return attention_parameters + mlp_parameters + router_parameters + routed_parameters() + norm_parameters; }
    /// Parameters a token multiplies through: all but the routed experts it is not sent to.
    double active_parameters() const {
        return attention_parameters + mlp_parameters + router_parameters + active_experts * expert_parameters + norm_parameters;
    }
};

/// The model as estimators see it: model-wide parts (embedding, head, final norm) and a stack of
/// layers, each one of a few kinds. Per-kind counts over any range of layers come from prefix
/// sums, so a 10,000-layer model costs no more per layout than a 32-layer one.
struct LayerStack {
    std::int64_t hidden_size = 0;
    std::int64_t vocab_size = 0;
    std::int64_t learned_positions = 0;
    bool tied_embeddings = false;
    double norm_parameters = 0;  ///< one norm's (h, or 2h for LayerNorm)
    std::int64_t layers = 0;
    std::vector<LayerKind> kinds;
    std::vector<LayerWork> work;  ///< per kind
    /// Layers of kind k before layer i: prefix[k * (layers + 1) + i].
    std::vector<std::int64_t> prefix;
    /// Parameters of the layers before layer i, by part (what a pipeline stage holds, in O(1)):
    /// tensor-split (attention, dense MLP or shared experts, router), routed experts, norms.
    std::vector<double> split_before, routed_before, norms_before;
    /// Parts outside the layer stack: encoder towers (first stage), MTP modules (last stage) and
    /// the routed experts among the MTP parameters.
    double encoder_parameters = 0, mtp_parameters = 0, mtp_routed_parameters = 0;
    UnquantisedModules unquantised;

    /// Layers of kind `k` among layers [first, end).
    std::int64_t count(std::size_t k, std::int64_t first, std::int64_t end) const;
    std::int64_t count(std::size_t k) const { return count(k, 0, layers); }
};

/// Parameters of rank-`rank` adapters on the projections named in `targets` (q, k, v, o, gate, up,
/// down) of every layer: rank x (d_in + d_out) per targeted matrix.
double adapter_parameters(const LayerStack& s, std::int64_t rank, const std::vector<std::string>& targets);

/// Routed experts of the model's MoE layers (the fewest where kinds differ); 0 for a dense model.
std::int64_t routed_experts(const LayerStack& s);

/// The layer stack a configured architecture describes: layers [0, dense_layers) dense and the rest
/// MoE when it has experts; with a sliding window, every layer windowed but every
/// `global_attention_every`-th (layer j is full when j + 1 is a multiple of it), and the same with
/// chunks for chunked attention; MLA layers latent.
LayerStack layer_stack(const ModelArchitecture& m);

/// What one layer of `kind` holds and does in a model of width `hidden_size` with norms of `norm`.
LayerWork describe_layer(const LayerKind& kind, std::int64_t hidden_size, NormKind norm);

/// A range of layers [first, end) and the model-wide parts it holds: a pipeline stage, or the whole
/// model.
struct Stage {
    std::int64_t first_layer = 0;
    std::int64_t layers = 0;
    bool embedding = false;
    bool head = false;
    std::int64_t end() const { return first_layer + layers; }
};
/// The whole model as one stage.
Stage whole_model(const LayerStack& s);
/// Pipeline stages: layers split as evenly as possible, earlier stages taking the remainder; the
/// first stage holds the embedding, the last the output head and final norm.
std::vector<Stage> split_stages(const LayerStack& s, std::int64_t pipeline);

/// Sums `f(work, count)` over the kinds present in `range`.
template <class F>
double sum_over_kinds(const LayerStack& s, const Stage& range, F&& f) {
    double total = 0;
    for (std::size_t k = 0; k < s.kinds.size(); ++k)
        if (const auto n = s.count(k, range.first_layer, range.end()); n > 0) total += f(s.work[k], static_cast<double>(n));
    return total;
}
/// The largest `f(work)` over the kinds present in `range`.
template <class F>
double max_over_kinds(const LayerStack& s, const Stage& range, F&& f) {
    double best = 0;
    for (std::size_t k = 0; k < s.kinds.size(); ++k)
        if (s.count(k, range.first_layer, range.end()) > 0) best = std::max(best, f(s.work[k]));
    return best;
}

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
    /// Vision/audio encoder towers and projectors: in `total`, not in `active`.
    double encoder = 0;
    /// Multi-token-prediction modules: in `total`, not in `active`. Publishers quote totals
    /// without them (DeepSeek-V3's 671B + 14B MTP); `total - mtp` is what they call the model.
    double mtp = 0;
};

ParameterCount count_parameters(const LayerStack& s);
ParameterCount count_parameters(const ModelArchitecture& m);

/// Parameters of one MTP module of `m` over its stack `s` (DeepSeek-V3's form): a decoder layer like
/// the last one, eh_proj (2h x h) and the enorm, hnorm and shared-head norms. Sets nothing.
double mtp_parameters_per_module(const ModelArchitecture& m, const LayerStack& s);

/// Attention parameters of one layer (q, k, v, o with biases and qk norms; MLA low-rank form).
double attention_parameters_per_layer(const ModelArchitecture& m);
/// Dense MLP parameters of one layer.
double dense_mlp_parameters_per_layer(const ModelArchitecture& m);

/// The model's attention in one word, as reports name it: mha, gqa, mqa, mla, or hybrid for a
/// layer pattern.
std::string_view attention_family(const ModelArchitecture& m);

/// Number of layers that use the sliding window (0 without one).
std::int64_t sliding_layers(const ModelArchitecture& m);

/// KV-cache elements per token for one layer (K and V): `2*n_kv*d_h`, or
/// `kv_lora_rank + qk_rope_head_dim` for MLA.
double kv_elements_per_token_per_layer(const ModelArchitecture& m);

/// Cached elements one sequence of `tokens` tokens holds in the layers of `range`, on a GPU of a
/// tensor-parallel group of `tensor`: windowed layers keep min(tokens, window) unless
/// `full_length_windows` (an engine that allocates windowed layers at full length); head-split
/// caches hold max(1, n_kv / tensor) of n_kv heads, latent caches all of it.
double kv_elements(const LayerStack& s, const Stage& range, double tokens, std::int64_t tensor, bool full_length_windows = false);

/// Recurrent state one sequence holds in the layers of `range` on one GPU of a tensor-parallel group
/// of `tensor`, in bytes: convolution state at `element_bytes`, recurrent/SSM state at 4 bytes
/// where the model keeps it in fp32, else at `element_bytes`. Zero for a model without recurrent
/// layers.
double state_bytes(const LayerStack& s, const Stage& range, std::int64_t tensor, double element_bytes);

/// Bytes of KV cache for one sequence of `tokens` tokens over all layers, at `bytes_per_element`.
/// Sliding-window layers hold min(tokens, window).
Bytes kv_cache_bytes(const ModelArchitecture& m, double tokens, double bytes_per_element);

/// Attention-score FLOPs per token at context `context` (QK^T and AV) over the layers of `range`:
/// `2*a*(d_qk + d_v)*context` per layer, windowed layers at min(context, window). Forward only;
/// callers halve the context for a causal average.
Flops attention_flops_per_token(const LayerStack& s, const Stage& range, double context);
Flops attention_flops_per_token(const ModelArchitecture& m, double context);

/// The work of one forward pass over the layers of `range`, as the model describes it per phase
/// (docs/estimation.md §5, §7): `tokens` new tokens, each attending to `context` tokens, of which
/// `head_tokens` go on through the output head when the range holds it (a prefill: one per
/// prompt; a decode step or training: all). Estimators price it on a device and a layout.
struct ForwardWork {
    Flops matmul;     ///< weight GEMMs: 2 x the active parameters each token passes through (norms counted, as §1.3)
    Flops attention;  ///< attention scores, QK^T and AV
    /// Tensor-parallel all-reduces (after attention and after the MLP of each layer) and the
    /// elements each carries: the tokens' hidden states.
    double exchanges = 0;
    double exchange_elements = 0;
    Flops total() const { return matmul + attention; }
};
ForwardWork forward_work(const LayerStack& s, const Stage& range, double tokens, double head_tokens, double context);

/// One trained token's work over the whole model at `sequence_length`: forward, backward (the
/// gradients of activations, and of weights unless only adapters train: 2x or 1x the forward
/// matmuls, 2x its attention) and, under full recomputation, the transformer blocks' forward again
/// (not the output head, which sits outside the checkpointed blocks).
struct TrainingWork {
    Flops forward;
    Flops backward;
    Flops recompute;
};
TrainingWork training_work(const LayerStack& s, double sequence_length, bool weight_gradients);

/// Matmul FLOPs per token of the output head alone: 2 x h x V.
Flops head_flops_per_token(const LayerStack& s);

/// An architecture consistent with a bare parameter count, for specs that give only `parameters`:
/// Llama-style (gated MLP, GQA with 8 KV heads from 8 B up, RMSNorm, 128-dim heads, untied 128k
/// vocabulary), depth and width from the Llama 2/3 family's shapes. Recorded as an assumption.
ModelArchitecture derive_architecture(double parameters);

}  // namespace gpusize
