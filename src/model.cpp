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

double attention_parameters(const AttentionBlock& a, double h) {
    const double heads = d(a.heads);
    if (a.kind == AttentionKind::latent) {
        const auto& x = a.latent;
        const double qk = d(x.qk_nope_head_dim + x.qk_rope_head_dim);
        const double q = x.q_lora_rank ? h * d(*x.q_lora_rank) + d(*x.q_lora_rank) + d(*x.q_lora_rank) * heads * qk : h * heads * qk;
        const double kv = h * d(x.kv_lora_rank + x.qk_rope_head_dim) + d(x.kv_lora_rank) +
                          d(x.kv_lora_rank) * heads * d(x.qk_nope_head_dim + x.v_head_dim);
        const double o = heads * d(x.v_head_dim) * h + (a.output_bias ? h : 0);
        return q + kv + o;
    }
    const double dh = d(a.head_dim), kv = d(a.kv_heads);
    double p = h * heads * dh + 2 * h * kv * dh + heads * dh * h;
    if (a.bias) p += heads * dh + 2 * kv * dh;
    if (a.output_bias) p += h;
    if (a.qk_norm) p += 2 * dh;
    return p;
}

/// The layer kinds of a configured architecture, in the order layer_stack numbers them.
LayerKind kind_of(const ModelArchitecture& m, bool moe, bool windowed) {
    LayerKind k;
    auto& a = k.attention;
    a.kind = m.mla                      ? AttentionKind::latent
             : !windowed                ? AttentionKind::full
             : m.attention_chunk_size   ? AttentionKind::chunked
                                        : AttentionKind::sliding_window;
    a.heads = m.attention_heads;
    a.kv_heads = m.kv_heads;
    a.head_dim = m.head_dim;
    if (windowed) a.window = m.attention_chunk_size.value_or(m.sliding_window.value_or(0));
    if (m.mla) a.latent = *m.mla;
    a.qk_norm = m.qk_norm;
    a.bias = m.attention_bias;
    a.output_bias = m.attention_output_bias;
    auto& f = k.feed_forward;
    f.activation = m.mlp;
    f.bias = m.mlp_bias;
    f.intermediate_size = m.intermediate_size;
    if (moe) {
        const auto& e = *m.moe;
        f.kind = FeedForwardKind::moe;
        f.intermediate_size = e.expert_intermediate_size;
        f.experts = e.experts;
        f.active_experts = e.active_experts;
        f.shared_experts = e.shared_experts;
        f.shared_intermediate_size = e.shared_expert_intermediate_size;
    }
    k.norms = m.norms_per_layer;
    return k;
}

}  // namespace

std::string_view to_string(AttentionKind k) {
    switch (k) {
        case AttentionKind::full: return "full";
        case AttentionKind::sliding_window: return "sliding_window";
        case AttentionKind::chunked: return "chunked";
        case AttentionKind::latent: return "latent";
    }
    return "?";
}

std::string_view to_string(FeedForwardKind k) { return k == FeedForwardKind::moe ? "moe" : "dense"; }

LayerWork describe_layer(const LayerKind& kind, std::int64_t hidden_size, NormKind norm) {
    const double h = d(hidden_size);
    const auto& a = kind.attention;
    const auto& f = kind.feed_forward;
    LayerWork w;
    w.attention_parameters = attention_parameters(a, h);
    w.norm_parameters = d(kind.norms) * norm_size(norm, hidden_size);
    const double heads = d(a.heads);
    w.latent = a.kind == AttentionKind::latent;
    if (w.latent) {
        const auto& x = a.latent;
        w.kv_elements_per_token = d(x.kv_lora_rank + x.qk_rope_head_dim);
        w.kv_split_by_heads = false;
        w.score_flops_per_attended_token = 2 * heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim + x.v_head_dim);
        w.q_width = heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim);
        w.kv_width = heads * d(x.qk_nope_head_dim + x.qk_rope_head_dim + x.v_head_dim) + d(x.kv_lora_rank);
        w.attention_output_width = heads * d(x.v_head_dim);
    } else {
        w.kv_elements_per_token = 2 * d(a.kv_heads) * d(a.head_dim);
        w.score_flops_per_attended_token = 2 * heads * 2 * d(a.head_dim);
        w.q_width = heads * d(a.head_dim);
        w.kv_width = 2 * d(a.kv_heads) * d(a.head_dim);
        w.attention_output_width = w.q_width;
    }
    w.kv_heads = d(a.kv_heads);
    w.q_projection = heads * d(a.head_dim);
    w.kv_projection = d(a.kv_heads) * d(a.head_dim);
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
    } else {
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
    const std::int64_t every = m.global_attention_every.value_or(0);
    std::vector<std::size_t> of_layer(static_cast<std::size_t>(s.layers));
    for (std::int64_t j = 0; j < s.layers; ++j) {
        const bool moe = m.moe && j >= m.moe->dense_layers;
        const bool windowed = (m.sliding_window || m.attention_chunk_size) && !m.mla && !(every > 0 && (j + 1) % every == 0);
        const LayerKind k = kind_of(m, moe, windowed);
        const auto found = std::find(s.kinds.begin(), s.kinds.end(), k);
        of_layer[static_cast<std::size_t>(j)] = static_cast<std::size_t>(found - s.kinds.begin());
        if (found == s.kinds.end()) s.kinds.push_back(k);
    }
    if (s.kinds.empty()) s.kinds.push_back(kind_of(m, false, false));
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
    return attention_parameters(kind_of(m, false, false).attention, d(m.hidden_size));
}

double dense_mlp_parameters_per_layer(const ModelArchitecture& m) {
    return mlp_parameters(m.mlp, m.mlp_bias, d(m.hidden_size), m.intermediate_size);
}

std::int64_t sliding_layers(const ModelArchitecture& m) {
    const auto s = layer_stack(m);
    std::int64_t n = 0;
    for (std::size_t k = 0; k < s.kinds.size(); ++k)
        if (s.kinds[k].attention.kind == AttentionKind::sliding_window) n += s.count(k);
    return n;
}

double kv_elements_per_token_per_layer(const ModelArchitecture& m) {
    return describe_layer(kind_of(m, false, false), m.hidden_size, m.norm).kv_elements_per_token;
}

double kv_elements(const LayerStack& s, const Stage& range, double tokens, std::int64_t tensor, bool full_length_windows) {
    const double t = d(tensor);
    return sum_over_kinds(s, range, [&](const LayerWork& w, double n) {
        const double held = w.window > 0 && !full_length_windows ? std::min(tokens, w.window) : tokens;
        const double share = w.kv_split_by_heads ? std::max(1.0, w.kv_heads / t) / w.kv_heads : 1.0;
        return n * held * w.kv_elements_per_token * share;
    });
}

Bytes kv_cache_bytes(const ModelArchitecture& m, double tokens, double bytes_per_element) {
    const auto s = layer_stack(m);
    return Bytes(kv_elements(s, whole_model(s), tokens, 1) * bytes_per_element);
}

Flops attention_flops_per_token(const LayerStack& s, const Stage& range, double context) {
    return Flops(sum_over_kinds(s, range, [&](const LayerWork& w, double n) {
        return n * w.score_flops_per_attended_token * (w.window > 0 ? std::min(context, w.window) : context);
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
    w.exchanges = 2.0 * static_cast<double>(range.layers);
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
