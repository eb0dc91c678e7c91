// Parameter counts and KV-cache sizes from the architecture (model.hpp), on toy models small
// enough to count by hand and on published reference models.
#include <catch2/catch.hpp>

#include "gpusize/model.hpp"
#include "gpusize/model_library.hpp"

using namespace gpusize;

namespace {

/// 2 layers, h = 8, 2 heads of 4, 1 KV head, gated MLP f = 16, vocabulary 10, untied, RMSNorm.
ModelArchitecture toy() {
    ModelArchitecture m;
    m.layers = 2;
    m.hidden_size = 8;
    m.attention_heads = 2;
    m.kv_heads = 1;
    m.head_dim = 4;
    m.intermediate_size = 16;
    m.vocab_size = 10;
    return m;
}

}  // namespace

TEST_CASE("toy model parameters are counted term by term") {
    const auto c = count_parameters(toy());
    // attention per layer: q 8*2*4=64, k and v 8*1*4=32 each, o 2*4*8=64 -> 192
    CHECK(attention_parameters_per_layer(toy()) == 192);
    // gated MLP per layer: 3 * 8 * 16 = 384
    CHECK(dense_mlp_parameters_per_layer(toy()) == 384);
    CHECK(c.embedding == 80);    // 10 * 8
    CHECK(c.output_head == 80);  // untied
    CHECK(c.attention == 384);   // 2 layers
    CHECK(c.dense_mlp == 768);
    CHECK(c.norms == 40);        // (2 layers * 2 + 1 final) * 8
    CHECK(c.total == 80 + 80 + 384 + 768 + 40);
    CHECK(c.active == c.total);
    CHECK(c.active_matmul == c.total - 80);  // the embedding lookup is not a matmul
}

TEST_CASE("biases, layernorm and tied embeddings") {
    auto m = toy();
    m.attention_bias = true;         // + 2*4 + 2*1*4 = 16 per layer
    m.attention_output_bias = true;  // + 8 per layer
    m.mlp = MlpKind::standard;       // 2 * 8 * 16 = 256
    m.mlp_bias = true;               // + 16 + 8 = 24
    m.norm = NormKind::layernorm;    // 2h per norm
    m.tied_embeddings = true;
    const auto c = count_parameters(m);
    CHECK(attention_parameters_per_layer(m) == 192 + 16 + 8);
    CHECK(dense_mlp_parameters_per_layer(m) == 256 + 24);
    CHECK(c.output_head == 0);
    CHECK(c.norms == 5 * 16);
    CHECK(c.total == 80 + 2 * 216 + 2 * 280 + 80);
    CHECK(c.active_matmul == c.total);  // the tied head is a matmul over the embedding
}

TEST_CASE("mixture of experts counts routed, shared, router and active experts") {
    auto m = toy();
    m.moe = MoeConfig{.experts = 4, .active_experts = 2, .expert_intermediate_size = 4, .shared_experts = 1,
                      .shared_expert_intermediate_size = 8, .dense_layers = 1};
    const auto c = count_parameters(m);
    // one dense layer of 384; one MoE layer: 4 experts of 3*8*4 = 96, shared 3*8*8 = 192, router 8*4 = 32
    CHECK(c.dense_mlp == 384);
    CHECK(c.expert_mlp == 4 * 96);
    CHECK(c.shared_expert_mlp == 192);
    CHECK(c.router == 32);
    CHECK(c.total - c.active == 2 * 96);  // two of the four experts are idle per token
}

TEST_CASE("KV cache per token, GQA, MLA and sliding windows") {
    // 2 layers * 2 (K and V) * 1 KV head * 4 dims = 16 elements per token
    CHECK(kv_cache_bytes(toy(), 1, 2).value() == 32);
    CHECK(kv_cache_bytes(toy(), 100, 1).value() == 1600);
    auto w = toy();
    w.sliding_window = 10;
    w.global_attention_every = 2;  // layer 2 global, layer 1 windowed
    CHECK(sliding_layers(w) == 1);
    // 100 tokens: global layer holds 100, windowed holds 10 -> (100 + 10) * 8 elements * 2 bytes
    CHECK(kv_cache_bytes(w, 100, 2).value() == 110 * 8 * 2);
    auto mla = toy();
    mla.mla = MlaConfig{.q_lora_rank = std::nullopt, .kv_lora_rank = 6, .qk_nope_head_dim = 4, .qk_rope_head_dim = 2, .v_head_dim = 4};
    // MLA caches the latent (6) plus the rope key (2) per layer, not per head
    CHECK(kv_elements_per_token_per_layer(mla) == 8);
    CHECK(kv_cache_bytes(mla, 1, 2).value() == 2 * 8 * 2);
}

TEST_CASE("reference: Llama 3.1 8B has 8.03 B parameters and 128 KiB of bf16 KV per token") {
    const Preset* p = bundled_models().find("llama-3.1-8b");
    REQUIRE(p != nullptr);
    const auto c = count_parameters(p->architecture);
    CHECK(c.total == 8'030'261'248);
    CHECK(kv_cache_bytes(p->architecture, 1, 2).value() == 128 * 1024);
}

TEST_CASE("a derived architecture lands near the requested size") {
    for (double target : {1e9, 7e9, 13e9, 70e9, 405e9}) {
        const auto c = count_parameters(derive_architecture(target));
        INFO("target " << target);
        CHECK(std::abs(c.total / target - 1) < 0.1);
    }
}

TEST_CASE("the model describes a forward pass over a range of layers, by hand") {
    // toy(): per layer, active parameters attention 192 + MLP 384 + two norms 16 = 592; final norm
    // 8; head 10 x 8 = 80. Scores: 2 heads x (4 + 4) x 2 = 32 FLOPs per layer per attended token.
    const auto s = layer_stack(toy());
    REQUIRE(s.kinds.size() == 1);
    CHECK(s.work[0].active_parameters() == 592);
    CHECK(s.work[0].score_flops_per_attended_token == 32);
    // 3 prompt tokens attending to 5 on average, one of them reaching the head.
    const auto all = forward_work(s, whole_model(s), 3, 1, 5);
    CHECK(all.matmul.value() == 2 * 3 * (2 * 592 + 8) + 1 * 2 * 80);  // 7,312
    CHECK(all.attention.value() == 3 * 2 * 32 * 5);                   // 960
    CHECK(all.exchanges == 4);                                        // two all-reduces per layer
    CHECK(all.exchange_elements == 3 * 8);
    // The first layer alone: no final norm, no head.
    const auto first = forward_work(s, Stage{.first_layer = 0, .layers = 1, .embedding = true, .head = false}, 3, 3, 5);
    CHECK(first.matmul.value() == 2 * 3 * 592);
    CHECK(first.attention.value() == 3 * 32 * 5);
    CHECK(first.exchanges == 2);
}

TEST_CASE("one trained token: forward, backward and recomputation") {
    const auto s = layer_stack(toy());
    // Forward at sequence 5: matmul 2 x (1,184 + 8 + 80) = 2,544, attention 2 x 32 x 5 = 320.
    const auto full = training_work(s, 5, true);
    CHECK(full.forward.value() == 2544 + 320);
    CHECK(full.backward.value() == 2 * 2544 + 2 * 320);  // activations' and weights' gradients
    CHECK(full.recompute.value() == 2544 + 320 - 160);   // the blocks again, not the head
    const auto adapters = training_work(s, 5, false);
    CHECK(adapters.backward.value() == 2544 + 2 * 320);  // no weight gradients for the frozen base
}

TEST_CASE("chunked attention: a kind of its own, holding and attending within one chunk") {
    // toy() with 8 layers, chunks of 3 tokens and every 4th layer global (Llama 4's pattern):
    // layers 3 and 7 are full, the other six chunked.
    auto m = toy();
    m.layers = 8;
    m.attention_chunk_size = 3;
    m.global_attention_every = 4;
    const auto s = layer_stack(m);
    REQUIRE(s.kinds.size() == 2);
    CHECK(s.kinds[0].attention.kind == AttentionKind::chunked);
    CHECK(to_string(s.kinds[0].attention.kind) == "chunked");
    CHECK(s.kinds[0].attention.window == 3);
    CHECK(s.count(0) == 6);
    CHECK(s.kinds[1].attention.kind == AttentionKind::full);
    CHECK(s.count(1) == 2);
    // 10 tokens: chunked layers hold 3 each, full layers 10; 2 x 1 KV head x 4 = 8 elements per token.
    CHECK(kv_elements(s, whole_model(s), 10, 1) == (6 * 3 + 2 * 10) * 8.0);
    // An engine that allocates windowed layers at full length holds 10 in every layer.
    CHECK(kv_elements(s, whole_model(s), 10, 1, true) == 8 * 10 * 8.0);
    // Attention at context 5: chunked layers attend to 3, full layers to 5; 32 FLOPs per attended token.
    CHECK(attention_flops_per_token(s, whole_model(s), 5).value() == (6 * 3 + 2 * 5) * 32.0);
}

namespace {

/// Gated DeltaNet with h = 8: 2 key heads of 3, 4 value heads of 2, a 4-tap convolution.
LinearAttentionConfig toy_linear() { return {.key_heads = 2, .value_heads = 4, .key_head_dim = 3, .value_head_dim = 2, .conv_kernel = 4}; }

/// Mamba-2 with h = 8: 2 heads of 4 channels, state 3, one group, a 4-tap convolution with bias.
MambaConfig toy_mamba() { return {.heads = 2, .head_dim = 4, .state_size = 3, .groups = 1, .conv_kernel = 4}; }

}  // namespace

TEST_CASE("linear attention (gated DeltaNet): parameters, state per sequence and FLOPs by hand") {
    LayerKind k;
    k.attention.kind = AttentionKind::linear;
    k.attention.linear = toy_linear();
    k.feed_forward.kind = FeedForwardKind::none;
    const auto w = describe_layer(k, 8, NormKind::rmsnorm);
    // key dim 2*3 = 6, value dim 4*2 = 8, conv channels 2*6 + 8 = 20.
    // in_proj_qkvz 8*(6+6+8+8) = 224, in_proj_ba 8*2*4 = 64, conv 20*4 = 80, dt_bias + A_log 2*4 = 8,
    // gated norm over one value head 2, out_proj 8*8 = 64 -> 442.
    CHECK(w.attention_parameters == 442);
    CHECK(w.kv_elements_per_token == 0);
    // State: 4 value heads x 3 x 2 = 24 recurrent elements, 20 channels x 3 taps = 60 conv elements.
    CHECK(w.recurrent_state_elements == 24);
    CHECK(w.conv_state_elements == 60);
    CHECK(w.state_flops_per_token == 6 * 24);
    CHECK(w.exchanges == 1);  // no feed-forward part
}

TEST_CASE("Mamba-2: parameters, state per sequence and FLOPs by hand") {
    LayerKind k;
    k.attention.kind = AttentionKind::mamba;
    k.attention.mamba = toy_mamba();
    const auto w = describe_layer(k, 8, NormKind::rmsnorm);
    // inner 2*4 = 8, conv channels 8 + 2*1*3 = 14. in_proj 8*(8 + 14 + 2) = 192, conv 14*4 + 14 bias = 70,
    // dt_bias, A_log, D 3*2 = 6, gated norm 8, out_proj 8*8 = 64 -> 340.
    CHECK(w.attention_parameters == 340);
    CHECK(w.recurrent_state_elements == 8 * 3);
    CHECK(w.conv_state_elements == 14 * 3);
    CHECK(w.state_flops_per_token == 5 * 24);
    CHECK(w.kv_elements_per_token == 0);
}

TEST_CASE("a hybrid layer pattern repeats over the layers; only attention layers hold per-token KV") {
    // toy() with 4 layers of [linear, full]: layers 0 and 2 linear, 1 and 3 full, all with the MLP.
    auto m = toy();
    m.layers = 4;
    m.linear_attention = toy_linear();
    m.layer_types = {{AttentionKind::linear, std::nullopt}, {AttentionKind::full, std::nullopt}};
    const auto s = layer_stack(m);
    REQUIRE(s.kinds.size() == 2);
    CHECK(s.kinds[0].attention.kind == AttentionKind::linear);
    CHECK(s.count(0, 0, 1) == 1);
    CHECK(s.count(0, 1, 2) == 0);
    CHECK(s.count(0) == 2);
    // embedding 80 + head 80 + final norm 8 + 2 x (442 + MLP 384 + norms 16) + 2 x (192 + 384 + 16).
    CHECK(count_parameters(s).total == 80 + 80 + 8 + 2 * (442 + 384 + 16) + 2 * (192 + 384 + 16));
    // KV: the two full layers, 2 x 1 x 4 = 8 elements per token each.
    CHECK(kv_elements(s, whole_model(s), 10, 1) == 2 * 10 * 8.0);
    // State of one sequence at 2 bytes: 2 layers x (60 + 24) x 2; fp32 recurrent state: 60 x 2 + 24 x 4.
    CHECK(state_bytes(s, whole_model(s), 1, 2) == 2 * 84 * 2.0);
    // Tensor parallel 2 splits the 4 value heads: half each.
    CHECK(state_bytes(s, whole_model(s), 2, 2) == 84 * 2.0);
    m.linear_attention->state_fp32 = true;
    const auto fp32 = layer_stack(m);
    CHECK(state_bytes(fp32, whole_model(fp32), 1, 2) == 2 * (60 * 2 + 24 * 4.0));
    // Attention FLOPs at context 5: the full layers' 32 per attended token, the linear layers' recurrence.
    CHECK(attention_flops_per_token(s, whole_model(s), 5).value() == 2 * 5 * 32.0 + 2 * 144.0);
}

TEST_CASE("mixer-only blocks (Nemotron-H): a layer may have no attention or no feed-forward part") {
    // [mamba+none, none+dense, full+none]: one part per layer, one tensor-parallel exchange each.
    auto m = toy();
    m.layers = 3;
    m.norms_per_layer = 1;
    m.mamba = toy_mamba();
    m.layer_types = {{AttentionKind::mamba, FeedForwardKind::none},
                     {AttentionKind::none, FeedForwardKind::dense},
                     {AttentionKind::full, FeedForwardKind::none}};
    const auto s = layer_stack(m);
    REQUIRE(s.kinds.size() == 3);
    // embedding 80 + head 80 + final norm 8 + (340 + 8) + (384 + 8) + (192 + 8).
    CHECK(count_parameters(s).total == 80 + 80 + 8 + 348 + 392 + 200);
    CHECK(forward_work(s, whole_model(s), 1, 0, 1).exchanges == 3);
    CHECK(kv_elements(s, whole_model(s), 10, 1) == 10 * 8.0);
    // Stage parameters follow the pattern: layer 1 alone is the MLP and its norm.
    CHECK(s.split_before[2] - s.split_before[1] == 384);
}

TEST_CASE("encoder towers and MTP modules are in the total, never active, and named apart") {
    auto m = toy();
    m.encoder_parameters = 1000;
    m.mtp_layers = 2;
    const auto c = count_parameters(m);
    // One MTP module: a layer like the last (192 attention + 384 MLP + 2 norms of 8 = 592), the
    // projection 2h x h = 128 and three norms of 8 = 24: 744; two of them 1488.
    CHECK(c.encoder == 1000);
    CHECK(c.mtp == 2 * (592 + 128 + 24));
    CHECK(c.total == 80 + 80 + 384 + 768 + 40 + 1000 + 1488);
    CHECK(c.active == 80 + 80 + 384 + 768 + 40);
    CHECK(c.active_matmul == c.active - 80);
    // An MoE model's MTP module repeats an MoE layer: its routed experts are kept apart (they
    // divide over expert parallelism like the layers' own).
    m.moe = MoeConfig{.experts = 4, .active_experts = 1, .expert_intermediate_size = 16};
    const auto s = layer_stack(m);
    CHECK(s.mtp_routed_parameters == 2 * 4 * 384.0);
    CHECK(s.mtp_parameters == 2 * (192 + 4 * 384 + 8 * 4 + 16 + 128 + 24.0));  // router 8 x 4
}
