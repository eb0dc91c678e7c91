#include "gpusize/model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace gpusize {
namespace {

double d(std::int64_t v) { return static_cast<double>(v); }

double norm_parameters(const ModelArchitecture& m) {
    return m.norm == NormKind::layernorm ? 2 * d(m.hidden_size) : d(m.hidden_size);
}

double mlp_parameters(const ModelArchitecture& m, std::int64_t intermediate) {
    const double h = d(m.hidden_size), f = d(intermediate);
    const double matrices = m.mlp == MlpKind::gated ? 3 : 2;
    const double bias = m.mlp_bias ? (m.mlp == MlpKind::gated ? 2 * f : f) + h : 0;
    return matrices * h * f + bias;
}

}  // namespace

double attention_parameters_per_layer(const ModelArchitecture& m) {
    const double h = d(m.hidden_size), a = d(m.attention_heads);
    if (m.mla) {
        const auto& x = *m.mla;
        const double qk = d(x.qk_nope_head_dim + x.qk_rope_head_dim);
        const double q = x.q_lora_rank ? h * d(*x.q_lora_rank) + d(*x.q_lora_rank) + d(*x.q_lora_rank) * a * qk
                                       : h * a * qk;
        const double kv = h * d(x.kv_lora_rank + x.qk_rope_head_dim) + d(x.kv_lora_rank) +
                          d(x.kv_lora_rank) * a * d(x.qk_nope_head_dim + x.v_head_dim);
        const double o = a * d(x.v_head_dim) * h + (m.attention_output_bias ? h : 0);
        return q + kv + o;
    }
    const double dh = d(m.head_dim), kv = d(m.kv_heads);
    double p = h * a * dh + 2 * h * kv * dh + a * dh * h;
    if (m.attention_bias) p += a * dh + 2 * kv * dh;
    if (m.attention_output_bias) p += h;
    if (m.qk_norm) p += 2 * dh;
    return p;
}

double dense_mlp_parameters_per_layer(const ModelArchitecture& m) { return mlp_parameters(m, m.intermediate_size); }

double expert_parameters(const ModelArchitecture& m) {
    return m.moe ? mlp_parameters(m, m.moe->expert_intermediate_size) : 0;
}

ParameterCount count_parameters(const ModelArchitecture& m) {
    ParameterCount c;
    const double h = d(m.hidden_size), L = d(m.layers);
    c.embedding = d(m.vocab_size) * h + d(m.learned_positions) * h;
    c.output_head = m.tied_embeddings ? 0 : d(m.vocab_size) * h;
    c.attention = L * attention_parameters_per_layer(m);
    c.norms = (L * d(m.norms_per_layer) + 1) * norm_parameters(m);
    double active_experts = 0;
    if (m.moe) {
        const auto& e = *m.moe;
        const double moe_layers = L - d(e.dense_layers);
        c.dense_mlp = d(e.dense_layers) * dense_mlp_parameters_per_layer(m);
        c.expert_mlp = moe_layers * d(e.experts) * expert_parameters(m);
        c.shared_expert_mlp = moe_layers * d(e.shared_experts) * mlp_parameters(m, e.shared_expert_intermediate_size);
        c.router = moe_layers * h * d(e.experts);
        active_experts = moe_layers * d(e.active_experts) * expert_parameters(m);
    } else {
        c.dense_mlp = L * dense_mlp_parameters_per_layer(m);
    }
    const double common = c.embedding + c.output_head + c.attention + c.norms + c.dense_mlp + c.shared_expert_mlp + c.router;
    c.total = common + c.expert_mlp;
    c.active = common + active_experts;
    // The untied output head is a matmul; a tied one is the same weights used as one.
    c.active_matmul = c.active - c.embedding + (m.tied_embeddings ? d(m.vocab_size) * h : 0);
    return c;
}

std::int64_t sliding_layers(const ModelArchitecture& m) {
    if (!m.sliding_window) return 0;
    if (!m.global_attention_every) return m.layers;
    return m.layers - m.layers / *m.global_attention_every;
}

double kv_elements_per_token_per_layer(const ModelArchitecture& m) {
    if (m.mla) return d(m.mla->kv_lora_rank + m.mla->qk_rope_head_dim);
    return 2 * d(m.kv_heads) * d(m.head_dim);
}

Bytes kv_cache_bytes(const ModelArchitecture& m, double tokens, double bytes_per_element) {
    const double windowed = d(sliding_layers(m));
    const double global = d(m.layers) - windowed;
    const double held = windowed > 0 ? std::min(tokens, d(*m.sliding_window)) : 0;
    return Bytes((global * tokens + windowed * held) * kv_elements_per_token_per_layer(m) * bytes_per_element);
}

Flops attention_flops_per_token(const ModelArchitecture& m, double context) {
    const double windowed = d(sliding_layers(m));
    const double global = d(m.layers) - windowed;
    const double held = windowed > 0 ? std::min(context, d(*m.sliding_window)) : 0;
    // QK^T uses the q/k head dim, AV the v head dim; for MLA they differ.
    const double qk = m.mla ? d(m.mla->qk_nope_head_dim + m.mla->qk_rope_head_dim) : d(m.head_dim);
    const double v = m.mla ? d(m.mla->v_head_dim) : d(m.head_dim);
    return Flops(2 * d(m.attention_heads) * (qk + v) * (global * context + windowed * held));
}

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
