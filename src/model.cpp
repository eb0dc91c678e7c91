#include "gpusize/model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

double norm_size(NormKind norm, std::int64_t hidden) { return norm == NormKind::layernorm ? 2 * d(hidden) : d(hidden); }

double mlp_parameters(MlpKind activation, bool bias, double h, std::int64_t intermediate) {
    const double f = d(intermediate);
    const double matrices = activation == MlpKind::gated ? 3 : 2;
    const double b = bias ? (activation == MlpKind::gated ? 2 * f : f) + h : 0;
    return matrices * h * f + b;
}

/// Gated DeltaNet (Qwen3NextGatedDeltaNet): q, k, v and the output gate z from one projection,
/// the per-head decay and update rates (b, a), a depthwise convolution over q, k and v without
/// bias, dt_bias and A_log per value head, a gated RMSNorm of one head's width, the output
/// projection.
double linear_attention_parameters(const LinearAttentionConfig& x, double h) {
    const double kd = d(x.key_heads * x.key_head_dim), vd = d(x.value_heads * x.value_head_dim), nv = d(x.value_heads);
    const double conv = 2 * kd + vd;
    return h * (2 * kd + 2 * vd + 2 * nv) + conv * d(x.conv_kernel) + 2 * nv + d(x.value_head_dim) + vd * h;
}

/// Mamba-2 (Mamba2Mixer / NemotronHMamba2Mixer): one input projection to z, x, B, C and dt, a
/// depthwise convolution over x, B and C, dt_bias, A_log and D per head, a gated RMSNorm over the
/// inner width, the output projection.
double mamba_parameters(const MambaConfig& x, double h) {
    const double inner = d(x.heads * x.head_dim), conv = inner + 2 * d(x.groups * x.state_size), heads = d(x.heads);
    const double in = h * (inner + conv + heads) + (x.projection_bias ? inner + conv + heads : 0);
    const double out = inner * h + (x.projection_bias ? h : 0);
    return in + conv * d(x.conv_kernel) + (x.conv_bias ? conv : 0) + 3 * heads + inner + out;
}

double attention_parameters(const AttentionBlock& a, double h) {
    const double heads = d(a.heads);
    switch (a.kind) {
        case AttentionKind::none: return 0;
        case AttentionKind::linear: return linear_attention_parameters(a.linear, h);
        case AttentionKind::mamba: return mamba_parameters(a.mamba, h);
        case AttentionKind::latent: {
            const auto& x = a.latent;
            const double qk = d(x.qk_nope_head_dim + x.qk_rope_head_dim);
            const double q = x.q_lora_rank ? h * d(*x.q_lora_rank) + d(*x.q_lora_rank) + d(*x.q_lora_rank) * heads * qk : h * heads * qk;
            const double kv = h * d(x.kv_lora_rank + x.qk_rope_head_dim) + d(x.kv_lora_rank) +
                              d(x.kv_lora_rank) * heads * d(x.qk_nope_head_dim + x.v_head_dim);
            const double o = heads * d(x.v_head_dim) * h + (a.output_bias ? h : 0);
            return q + kv + o;
        }
        default: break;
    }
    const double dh = d(a.head_dim), kv = d(a.kv_heads);
    double p = h * heads * dh * (a.output_gate ? 2 : 1) + 2 * h * kv * dh + heads * dh * h;
    if (a.bias) p += heads * dh + 2 * kv * dh;
    if (a.output_bias) p += h;
    if (a.qk_norm) p += 2 * dh;
    return p;
}

/// The attention and feed-forward kinds of layer `j` of a configured architecture.
LayerPlan plan_of(const ModelArchitecture& m, std::int64_t j) {
    const FeedForwardKind by_rule = m.moe && j >= m.moe->dense_layers ? FeedForwardKind::moe : FeedForwardKind::dense;
    if (!m.layer_types.empty()) {
        const LayerPlan& given = m.layer_types[static_cast<std::size_t>(j) % m.layer_types.size()];
        return {given.attention, given.feed_forward.value_or(by_rule)};
    }
    const std::int64_t every = m.global_attention_every.value_or(0);
    const bool windowed = (m.sliding_window || m.attention_chunk_size) && !m.mla && !(every > 0 && (j + 1) % every == 0);
    const AttentionKind a = m.mla                    ? AttentionKind::latent
                            : !windowed              ? AttentionKind::full
                            : m.attention_chunk_size ? AttentionKind::chunked
                                                     : AttentionKind::sliding_window;
    return {a, by_rule};
}

/// The layer kind a plan gives in a configured architecture.
LayerKind kind_of(const ModelArchitecture& m, const LayerPlan& plan) {
    LayerKind k;
    auto& a = k.attention;
    a.kind = plan.attention;
    a.heads = m.attention_heads;
    a.kv_heads = m.kv_heads;
    a.head_dim = m.head_dim;
    if (a.kind == AttentionKind::sliding_window) a.window = m.sliding_window.value_or(0);
    if (a.kind == AttentionKind::chunked) a.window = m.attention_chunk_size.value_or(0);
    if (a.kind == AttentionKind::latent && m.mla) a.latent = *m.mla;
    if (a.kind == AttentionKind::linear && m.linear_attention) a.linear = *m.linear_attention;
    if (a.kind == AttentionKind::mamba && m.mamba) a.mamba = *m.mamba;
    const bool softmax = a.kind != AttentionKind::linear && a.kind != AttentionKind::mamba && a.kind != AttentionKind::none;
    a.output_gate = softmax && a.kind != AttentionKind::latent && m.attention_output_gate;
    a.qk_norm = softmax && m.qk_norm;
    a.bias = softmax && m.attention_bias;
    a.output_bias = softmax && m.attention_output_bias;
    auto& f = k.feed_forward;
    f.kind = plan.feed_forward.value_or(FeedForwardKind::dense);
    f.activation = m.mlp;
    f.bias = m.mlp_bias;
    f.intermediate_size = f.kind == FeedForwardKind::none ? 0 : m.intermediate_size;
    if (f.kind == FeedForwardKind::moe && m.moe) {
        const auto& e = *m.moe;
        f.intermediate_size = e.expert_intermediate_size;
        f.experts = e.experts;
        f.active_experts = e.active_experts;
        f.shared_experts = e.shared_experts;
        f.shared_intermediate_size = e.shared_expert_intermediate_size;
    }
    k.norms = m.norms_per_layer;
    return k;
}

/// The kind of the model's first softmax-attention layer (dense): what the per-layer helpers of a
/// uniform model describe.
LayerKind uniform_kind(const ModelArchitecture& m) {
    return kind_of(m, {m.mla ? AttentionKind::latent : AttentionKind::full, FeedForwardKind::dense});
}

}  // namespace

namespace {
constexpr std::array<std::pair<AttentionKind, std::string_view>, 7> attention_names{{
    {AttentionKind::full, "full"},
    {AttentionKind::sliding_window, "sliding_window"},
    {AttentionKind::chunked, "chunked"},
    {AttentionKind::latent, "latent"},
    {AttentionKind::linear, "linear"},
    {AttentionKind::mamba, "mamba"},
    {AttentionKind::none, "none"},
}};
constexpr std::array<std::pair<FeedForwardKind, std::string_view>, 3> feed_forward_names{{
    {FeedForwardKind::dense, "dense"},
    {FeedForwardKind::moe, "moe"},
    {FeedForwardKind::none, "none"},
}};
template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E v) {
    for (const auto& [e, n] : names)
        if (e == v) return n;
    return "?";
}
template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names, std::string_view s) {
    for (const auto& [e, n] : names)
        if (n == s) return e;
    return std::nullopt;
}
}  // namespace

std::string_view to_string(AttentionKind k) { return name_of(attention_names, k); }
std::optional<AttentionKind> parse_attention_kind(std::string_view s) { return value_of(attention_names, s); }
std::string_view to_string(FeedForwardKind k) { return name_of(feed_forward_names, k); }
std::optional<FeedForwardKind> parse_feed_forward_kind(std::string_view s) { return value_of(feed_forward_names, s); }

LayerWork describe_layer(const LayerKind& kind, std::int64_t hidden_size, NormKind norm) {
    const double h = d(hidden_size);
    const auto& a = kind.attention;
    const auto& f = kind.feed_forward;
    LayerWork w;
    w.attention_parameters = attention_parameters(a, h);
    w.norm_parameters = d(kind.norms) * norm_size(norm, hidden_size);
    const double heads = d(a.heads);
    w.latent = a.kind == AttentionKind::latent;
    w.exchanges = (a.kind == AttentionKind::none ? 0 : 1) + (f.kind == FeedForwardKind::none ? 0 : 1);
    if (w.latent) {
        const auto& x = a.latent;
        w.kv_elements_per_token = d(x.kv_lora_rank + x.qk_rope_head_dim);
        w.kv_split_by_heads = false;
        w.score_flops_per_attended_token = 2 * heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim + x.v_head_dim);
        w.q_width = heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim);
        w.kv_width = heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim + x.v_head_dim) + d(x.kv_lora_rank);
        w.attention_output_width = heads * d(x.v_head_dim);
    } else if (a.kind == AttentionKind::linear) {
        // Per sequence: the state S (value heads x dk x dv) and the last kernel - 1 inputs of the
        // convolution over q, k and v. Per token, each value head reads S out (2 dk dv FLOPs),
        // predicts v from k (2 dk dv) and adds the rank-one correction (2 dk dv).
        const auto& x = a.linear;
        const double kd = d(x.key_heads * x.key_head_dim), vd = d(x.value_heads * x.value_head_dim);
        w.recurrent_state_elements = d(x.value_heads) * d(x.key_head_dim) * d(x.value_head_dim);
        w.conv_state_elements = (2 * kd + vd) * d(x.conv_kernel - 1);
        w.state_heads = d(x.value_heads);
        w.state_fp32 = x.state_fp32;
        w.state_flops_per_token = 6 * w.recurrent_state_elements;
        w.q_width = kd + vd;  // q and the output gate z
        w.kv_width = kd + vd;
        w.attention_output_width = vd;
    } else if (a.kind == AttentionKind::mamba) {
        // Per sequence: the SSM state (heads x head_dim x state_size) and the convolution's last
        // kernel - 1 inputs over x, B and C. Per token, the state decays and takes dt x B x^T
        // (3 FLOPs per element) and C reads it out (2).
        const auto& x = a.mamba;
        const double inner = d(x.heads * x.head_dim), conv = inner + 2 * d(x.groups * x.state_size);
        w.recurrent_state_elements = inner * d(x.state_size);
        w.conv_state_elements = conv * d(x.conv_kernel - 1);
        w.state_heads = d(x.heads);
        w.state_fp32 = x.state_fp32;
        w.state_flops_per_token = 5 * w.recurrent_state_elements;
        w.q_width = inner + conv + d(x.heads);  // the input projection's output: z, x, B, C, dt
        w.attention_output_width = inner;
    } else if (a.kind != AttentionKind::none) {
        w.kv_elements_per_token = 2 * d(a.kv_heads) * d(a.head_dim);
        w.score_flops_per_attended_token = 2 * heads * 2 * d(a.head_dim);
        w.q_width = heads * d(a.head_dim) * (a.output_gate ? 2 : 1);
        w.kv_width = 2 * d(a.kv_heads) * d(a.head_dim);
        w.attention_output_width = heads * d(a.head_dim);
    }
    const bool softmax = w.kv_elements_per_token > 0;
    w.kv_heads = softmax ? d(a.kv_heads) : 0;
    w.q_projection = softmax ? heads * d(a.head_dim) : 0;
    w.kv_projection = softmax ? d(a.kv_heads) * d(a.head_dim) : 0;
    w.mlp_projection = d(f.intermediate_size);
    // A windowed layer keeps and attends to at most its window (a chunk: the tokens of the current
    // chunk, at most `window`).
    if (a.kind == AttentionKind::sliding_window || a.kind == AttentionKind::chunked) w.window = d(a.window);
    const double per_width = f.activation == MlpKind::gated ? 4 : 2;
    if (f.kind == FeedForwardKind::moe) {
        w.mlp_parameters = d(f.shared_experts) * mlp_parameters(f.activation, f.bias, h, f.shared_intermediate_size);
        w.router_parameters = h * d(f.experts);
        w.expert_parameters = mlp_parameters(f.activation, f.bias, h, f.intermediate_size);
        w.experts = d(f.experts);
        w.active_experts = d(f.active_experts);
        w.mlp_active_width = d(f.active_experts) * d(f.intermediate_size) + d(f.shared_experts) * d(f.shared_intermediate_size);
        w.mlp_stored_elements = per_width * w.mlp_active_width + d(f.experts);
        w.largest_mlp_width = std::max(d(f.intermediate_size), d(f.shared_intermediate_size));
    } else if (f.kind == FeedForwardKind::dense) {
        w.mlp_parameters = mlp_parameters(f.activation, f.bias, h, f.intermediate_size);
        w.mlp_active_width = d(f.intermediate_size);
        w.mlp_stored_elements = per_width * d(f.intermediate_size);
        w.largest_mlp_width = d(f.intermediate_size);
    }
    return w;
}

std::int64_t LayerStack::count(std::size_t k, std::int64_t first, std::int64_t end) const {
    const auto row = k * static_cast<std::size_t>(layers + 1);
    return prefix[row + static_cast<std::size_t>(end)] - prefix[row + static_cast<std::size_t>(first)];
}

namespace {
/// The last layer's kind, which an MTP module repeats.
const LayerWork* last_layer_work(const LayerStack& s) {
    for (std::size_t k = 0; k < s.kinds.size(); ++k)
        if (s.layers > 0 && s.count(k, s.layers - 1, s.layers) == 1) return &s.work[k];
    return s.work.empty() ? nullptr : &s.work.front();
}

void add_parts_outside_layers(const ModelArchitecture& m, LayerStack& s) {
    s.encoder_parameters = d(m.encoder_parameters);
    s.unquantised = m.unquantised;
    if (m.mtp_layers <= 0) return;
    const LayerWork* w = last_layer_work(s);
    s.mtp_parameters = d(m.mtp_layers) * mtp_parameters_per_module(m, s);
    s.mtp_routed_parameters = w ? d(m.mtp_layers) * w->routed_parameters() : 0;
}
}  // namespace

double mtp_parameters_per_module(const ModelArchitecture& m, const LayerStack& s) {
    const LayerWork* w = last_layer_work(s);
    const double h = d(m.hidden_size);
    return (w ? w->parameters() : 0) + 2 * h * h + 3 * s.norm_parameters;
}

LayerStack layer_stack(const ModelArchitecture& m) {
    LayerStack s;
    s.hidden_size = m.hidden_size;
    s.vocab_size = m.vocab_size;
    s.learned_positions = m.learned_positions;
    s.tied_embeddings = m.tied_embeddings;
    s.norm_parameters = norm_size(m.norm, m.hidden_size);
    s.layers = std::max<std::int64_t>(0, m.layers);
    std::vector<std::size_t> of_layer(static_cast<std::size_t>(s.layers));
    for (std::int64_t j = 0; j < s.layers; ++j) {
        const LayerKind k = kind_of(m, plan_of(m, j));
        const auto found = std::find(s.kinds.begin(), s.kinds.end(), k);
        of_layer[static_cast<std::size_t>(j)] = static_cast<std::size_t>(found - s.kinds.begin());
        if (found == s.kinds.end()) s.kinds.push_back(k);
    }
    if (s.kinds.empty()) s.kinds.push_back(uniform_kind(m));
    for (const auto& k : s.kinds) s.work.push_back(describe_layer(k, m.hidden_size, m.norm));
    const auto row = static_cast<std::size_t>(s.layers + 1);
    s.prefix.assign(s.kinds.size() * row, 0);
    for (std::size_t j = 0; j < of_layer.size(); ++j)
        for (std::size_t k = 0; k < s.kinds.size(); ++k)
            s.prefix[k * row + j + 1] = s.prefix[k * row + j] + (of_layer[j] == k ? 1 : 0);
    s.split_before.assign(row, 0);
    s.routed_before.assign(row, 0);
    s.norms_before.assign(row, 0);
    for (std::size_t j = 0; j < of_layer.size(); ++j) {
        const LayerWork& w = s.work[of_layer[j]];
        s.split_before[j + 1] = s.split_before[j] + w.attention_parameters + w.mlp_parameters + w.router_parameters;
        s.routed_before[j + 1] = s.routed_before[j] + w.routed_parameters();
        s.norms_before[j + 1] = s.norms_before[j] + w.norm_parameters;
    }
    add_parts_outside_layers(m, s);
    return s;
}

double adapter_parameters(const LayerStack& s, std::int64_t rank, const std::vector<std::string>& targets) {
    const double h = d(s.hidden_size);
    const double per_rank = sum_over_kinds(s, whole_model(s), [&](const LayerWork& w, double n) {
        double per_layer = 0;
        for (const auto& t : targets) {
            if (t == "q" || t == "o") per_layer += h + w.q_projection;
            else if (t == "k" || t == "v") per_layer += h + w.kv_projection;
            else if (t == "gate" || t == "up" || t == "down") per_layer += h + w.mlp_projection;
        }
        return n * per_layer;
    });
    return d(rank) * per_rank;
}

std::int64_t routed_experts(const LayerStack& s) {
    std::int64_t fewest = 0;
    for (std::size_t k = 0; k < s.kinds.size(); ++k) {
        const auto n = s.kinds[k].feed_forward.experts;
        if (s.count(k) > 0 && n > 0) fewest = fewest == 0 ? n : std::min(fewest, n);
    }
    return fewest;
}

Stage whole_model(const LayerStack& s) { return {0, s.layers, true, true}; }

std::vector<Stage> split_stages(const LayerStack& m, std::int64_t pipeline) {
    std::vector<Stage> stages(static_cast<std::size_t>(pipeline));
    const std::int64_t base = m.layers / pipeline, extra = m.layers % pipeline;
    std::int64_t layer = 0;
    for (std::int64_t i = 0; i < pipeline; ++i) {
        Stage& s = stages[static_cast<std::size_t>(i)];
        s.first_layer = layer;
        s.layers = base + (i < extra ? 1 : 0);
        layer += s.layers;
        s.embedding = i == 0;
        s.head = i == pipeline - 1;
    }
    return stages;
}

ParameterCount count_parameters(const LayerStack& s) {
    ParameterCount c;
    const double h = d(s.hidden_size), vocab = d(s.vocab_size) * h;
    const Stage all = whole_model(s);
    c.embedding = vocab + d(s.learned_positions) * h;
    c.output_head = s.tied_embeddings ? 0 : vocab;
    c.attention = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return n * w.attention_parameters; });
    c.norms = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return n * w.norm_parameters; }) + s.norm_parameters;
    c.dense_mlp = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return w.experts > 0 ? 0 : n * w.mlp_parameters; });
    c.shared_expert_mlp = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return w.experts > 0 ? n * w.mlp_parameters : 0; });
    c.router = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return n * w.router_parameters; });
    c.expert_mlp = sum_over_kinds(s, all, [](const LayerWork& w, double n) { return n * w.routed_parameters(); });
    const double active_experts =
        sum_over_kinds(s, all, [](const LayerWork& w, double n) { return n * w.active_experts * w.expert_parameters; });
    const double common = c.embedding + c.output_head + c.attention + c.norms + c.dense_mlp + c.shared_expert_mlp + c.router;
    c.total = common + c.expert_mlp;
    c.active = common + active_experts;
    // The untied output head is a matmul; a tied one is the same weights used as one.
    c.active_matmul = c.active - c.embedding + (s.tied_embeddings ? vocab : 0);
    c.encoder = s.encoder_parameters;
    c.mtp = s.mtp_parameters;
    c.total += c.encoder + c.mtp;
    return c;
}

ParameterCount count_parameters(const ModelArchitecture& m) { return count_parameters(layer_stack(m)); }

double attention_parameters_per_layer(const ModelArchitecture& m) {
    return attention_parameters(uniform_kind(m).attention, d(m.hidden_size));
}

double dense_mlp_parameters_per_layer(const ModelArchitecture& m) {
    return mlp_parameters(m.mlp, m.mlp_bias, d(m.hidden_size), m.intermediate_size);
}

std::string_view attention_family(const ModelArchitecture& m) {
    if (!m.layer_types.empty()) return "hybrid";
    return m.mla ? "mla" : m.kv_heads == m.attention_heads ? "mha" : m.kv_heads == 1 ? "mqa" : "gqa";
}

std::int64_t sliding_layers(const ModelArchitecture& m) {
    const auto s = layer_stack(m);
    std::int64_t n = 0;
    for (std::size_t k = 0; k < s.kinds.size(); ++k)
        if (s.kinds[k].attention.kind == AttentionKind::sliding_window) n += s.count(k);
    return n;
}

double kv_elements_per_token_per_layer(const ModelArchitecture& m) {
    return describe_layer(uniform_kind(m), m.hidden_size, m.norm).kv_elements_per_token;
}

double kv_elements(const LayerStack& s, const Stage& range, double tokens, std::int64_t tensor, bool full_length_windows) {
    const double t = d(tensor);
    return sum_over_kinds(s, range, [&](const LayerWork& w, double n) {
        if (w.kv_elements_per_token <= 0) return 0.0;  // recurrent or MLP-only layers: no per-token cache
        const double held = w.window > 0 && !full_length_windows ? std::min(tokens, w.window) : tokens;
        const double share = w.kv_split_by_heads ? std::max(1.0, w.kv_heads / t) / w.kv_heads : 1.0;
        return n * held * w.kv_elements_per_token * share;
    });
}

double state_bytes(const LayerStack& s, const Stage& range, std::int64_t tensor, double element_bytes) {
    const double t = d(tensor);
    return sum_over_kinds(s, range, [&](const LayerWork& w, double n) {
        if (w.state_heads <= 0) return 0.0;
        const double share = std::max(1.0, w.state_heads / t) / w.state_heads;
        return n * share * (w.conv_state_elements * element_bytes + w.recurrent_state_elements * (w.state_fp32 ? 4.0 : element_bytes));
    });
}

Bytes kv_cache_bytes(const ModelArchitecture& m, double tokens, double bytes_per_element) {
    const auto s = layer_stack(m);
    return Bytes(kv_elements(s, whole_model(s), tokens, 1) * bytes_per_element);
}

Flops attention_flops_per_token(const LayerStack& s, const Stage& range, double context) {
    return Flops(sum_over_kinds(s, range, [&](const LayerWork& w, double n) {
        return n * (w.score_flops_per_attended_token * (w.window > 0 ? std::min(context, w.window) : context) + w.state_flops_per_token);
    }));
}

Flops attention_flops_per_token(const ModelArchitecture& m, double context) {
    const auto s = layer_stack(m);
    return attention_flops_per_token(s, whole_model(s), context);
}

ForwardWork forward_work(const LayerStack& s, const Stage& range, double tokens, double head_tokens, double context) {
    ForwardWork w;
    // Each layer's active parameters (norms included), then the final norm and the head: the
    // whole model's active matmul parameters (§1.3) when the range is the whole model.
    const double layers = sum_over_kinds(s, range, [](const LayerWork& k, double n) { return n * k.active_parameters(); });
    const double head = range.head ? s.norm_parameters : 0.0;
    w.matmul = Flops(2.0 * tokens * (layers + head) + head_tokens * (range.head ? head_flops_per_token(s).value() : 0.0));
    w.attention = Flops(tokens * attention_flops_per_token(s, range, context).value());
    w.exchanges = sum_over_kinds(s, range, [](const LayerWork& k, double n) { return n * k.exchanges; });
    w.exchange_elements = tokens * static_cast<double>(s.hidden_size);
    return w;
}

TrainingWork training_work(const LayerStack& s, double sequence_length, bool weight_gradients) {
    const ForwardWork f = forward_work(s, whole_model(s), 1.0, 1.0, sequence_length);
    TrainingWork t;
    t.forward = f.total();
    t.backward = f.matmul * (weight_gradients ? 2.0 : 1.0) + f.attention * 2.0;
    t.recompute = f.total() - head_flops_per_token(s);
    return t;
}

Flops head_flops_per_token(const LayerStack& s) { return Flops(2.0 * d(s.hidden_size) * d(s.vocab_size)); }

ModelArchitecture derive_architecture(double parameters) {
    // Llama-family proportions: f = 3.5 h (Llama 3.1 8B: 14336 = 3.5 * 4096), 128-dim heads,
    // 8 KV heads, and a width/depth ratio near 120 (8B: 4096/32, 70B: 8192/80, 405B: 16384/126).
    constexpr std::array<std::int64_t, 10> widths{768, 1024, 2048, 3072, 4096, 5120, 6144, 8192, 12288, 16384};
    constexpr double aspect = 120.0;
    ModelArchitecture best;
    double best_score = INFINITY;
    for (const auto h : widths) {
        ModelArchitecture m;
        m.hidden_size = h;
        m.head_dim = 128;
        m.attention_heads = h / 128;
        m.kv_heads = std::min<std::int64_t>(8, m.attention_heads);
        m.intermediate_size = h * 7 / 2;
        m.vocab_size = h >= 2048 ? 128256 : 32000;
        m.tied_embeddings = h < 4096;
        m.layers = 1;
        const double fixed = count_parameters(m).total - attention_parameters_per_layer(m) - dense_mlp_parameters_per_layer(m) - 2 * d(h);
        const double per_layer = attention_parameters_per_layer(m) + dense_mlp_parameters_per_layer(m) + 2 * d(h);
        const double layers = std::round((parameters - fixed) / per_layer);
        if (layers < 1) continue;
        const double score = std::abs(std::log(d(h) / layers / aspect));
        if (score < best_score) {
            best_score = score;
            best = m;
            best.layers = static_cast<std::int64_t>(layers);
        }
    }
    if (best.layers == 0) {  // below the smallest shape: one narrow layer, tied embeddings
        best.hidden_size = 768;
        best.head_dim = 64;
        best.attention_heads = 12;
        best.kv_heads = 12;
        best.intermediate_size = 3072;
        best.vocab_size = 32000;
        best.tied_embeddings = true;
        best.layers = 1;
    }
    return best;
}

}  // namespace gpusize
