// Memory estimators (memory.hpp) on the toy model of fixtures.hpp, every value computed by hand.
//
// Toy model: per layer attention q 1024*8*128 = 1,048,576, k and v 1024*2*128 = 262,144 each,
// o 1,048,576 (2,621,440); gated MLP 3*1024*4096 = 12,582,912; two RMSNorms 2,048: 15,206,400 per
// layer. Embedding 1,024,000, head 1,024,000, final norm 1,024. Total 62,874,624.
// KV per token (bf16): 4 layers * 2 * 2 heads * 128 * 2 bytes = 4,096.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "fixtures.hpp"
#include "gpusize/memory.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("bytes per parameter, with group quantisation overheads") {
    const Calibration c;
    CHECK(bytes_per_parameter(DType::fp32, c) == 4);
    CHECK(bytes_per_parameter(DType::bf16, c) == 2);
    CHECK(bytes_per_parameter(DType::fp8, c) == 1);
    CHECK(bytes_per_parameter(DType::int8, c) == 1);
    CHECK(bytes_per_parameter(DType::int4, c) == 0.53125);  // (4 + 32/128) / 8
    CHECK(bytes_per_parameter(DType::nf4, c) == Approx(4.127 / 8));
}

TEST_CASE("pipeline stages split layers and place embedding and head") {
    const auto m = layer_stack(toy_architecture());
    const auto one = split_stages(m, 1);
    REQUIRE(one.size() == 1);
    CHECK(one[0].layers == 4);
    CHECK((one[0].embedding && one[0].head));
    const auto three = split_stages(m, 3);
    CHECK(three[0].layers == 2);  // the remainder goes to the earliest stages
    CHECK(three[1].layers == 1);
    CHECK(three[2].layers == 1);
    CHECK(three[2].head);
    CHECK(stage_parameters(m, one[0]).dense == 62'874'624);
}

TEST_CASE("a stage's layers of each kind match a layer-by-layer count") {
    // The kinds come from the configured architecture: MoE layers are those at or after
    // dense_layers, and layer j is full attention when (j + 1) is a multiple of
    // global_attention_every, windowed otherwise. Counts over a stage come from prefix sums.
    auto m = toy_architecture();
    for (const std::int64_t layers : {1, 4, 7, 61, 100, 10'000}) {
        for (const std::int64_t dense : {0, 1, 3, 200}) {
            for (const std::int64_t every : {0, 1, 2, 5, 6}) {
                m.layers = layers;
                m.moe = MoeConfig{.experts = 8, .active_experts = 2, .expert_intermediate_size = 64, .shared_experts = 0,
                                  .shared_expert_intermediate_size = 0, .dense_layers = dense};
                m.sliding_window = 512;
                m.global_attention_every = every > 0 ? std::optional<std::int64_t>(every) : std::nullopt;
                const auto stack = layer_stack(m);
                CHECK(stack.kinds.size() <= 4);
                for (std::size_t k = 0; k < stack.kinds.size(); ++k) CHECK(stack.count(k) > 0);
                auto of = [&](const Stage& s, bool moe, bool sliding) {
                    std::int64_t n = 0;
                    for (std::size_t k = 0; k < stack.kinds.size(); ++k)
                        if ((stack.kinds[k].feed_forward.kind == FeedForwardKind::moe) == moe &&
                            (stack.kinds[k].attention.kind == AttentionKind::sliding_window) == sliding)
                            n += stack.count(k, s.first_layer, s.end());
                    return n;
                };
                for (std::int64_t pp = 1; pp <= std::min<std::int64_t>(layers, 9); ++pp) {
                    std::int64_t first = 0;
                    for (const auto& s : split_stages(stack, pp)) {
                        std::int64_t counts[2][2] = {{0, 0}, {0, 0}};
                        for (std::int64_t j = first; j < first + s.layers; ++j) ++counts[j >= dense][every == 0 || (j + 1) % every != 0];
                        CHECK(s.first_layer == first);
                        for (const int moe : {0, 1})
                            for (const int sliding : {0, 1}) CHECK(of(s, moe == 1, sliding == 1) == counts[moe][sliding]);
                        first += s.layers;
                    }
                    CHECK(first == layers);
                }
            }
        }
    }
    m.sliding_window.reset();
    m.moe.reset();
    const auto uniform = layer_stack(m);
    CHECK(uniform.kinds.size() == 1);
    CHECK(uniform.count(0, 0, m.layers) == m.layers);
}

TEST_CASE("counts from doubles are bounded conversions") {
    CHECK(floor_count(3.7) == 3);
    CHECK(ceil_count(3.2) == 4);
    CHECK(floor_count(-2.5) == 0);
    CHECK(ceil_count(-2.5) == 0);
    CHECK(floor_count(std::nan("")) == 0);
    CHECK(ceil_count(std::nan("")) == 0);
    CHECK(floor_count(1e308) == 9007199254740992);
    CHECK(floor_count(INFINITY) == 9007199254740992);
    CHECK(ceil_count(INFINITY) == 9007199254740992);
}

TEST_CASE("weights per GPU under tensor and pipeline parallelism") {
    const auto m = layer_stack(toy_architecture());
    const Calibration c;
    const auto s1 = split_stages(m, 1)[0];
    CHECK(weight_bytes_per_gpu(m, s1, Layout{}, DType::bf16, c).value() == 125'749'248);
    CHECK(weight_bytes_per_gpu(m, s1, Layout{.tensor = 2}, DType::bf16, c).value() == 62'874'624);
    const auto stages = split_stages(m, 2);
    // stage 0: 2 layers + embedding = 31,436,800; stage 1: 2 layers + head + final norm = 31,437,824
    CHECK(weight_bytes_per_gpu(m, stages[0], Layout{.pipeline = 2}, DType::bf16, c).value() == 2.0 * 31'436'800);
    CHECK(weight_bytes_per_gpu(m, stages[1], Layout{.pipeline = 2}, DType::bf16, c).value() == 2.0 * 31'437'824);
    // int4: the matrices at 0.53125 bytes; embedding, head and the 9 norms (9,216) kept at 2 bytes
    const double kept = 2'048'000.0 + 9'216;
    CHECK(weight_bytes_per_gpu(m, s1, Layout{}, DType::int4, c).value() == (62'874'624.0 - kept) * 0.53125 + kept * 2);
}

TEST_CASE("KV cache per sequence: head share under TP, replication past the KV head count") {
    const auto m = layer_stack(toy_architecture());
    const auto s = split_stages(m, 1)[0];
    CHECK(kv_bytes_per_sequence_per_gpu(m, s, 1, 1200, DType::bf16).value() == 1200 * 4096);
    CHECK(kv_bytes_per_sequence_per_gpu(m, s, 2, 1200, DType::bf16).value() == 1200 * 2048);
    CHECK(kv_bytes_per_sequence_per_gpu(m, s, 4, 1200, DType::bf16).value() == 1200 * 2048);  // 2 KV heads: replicated
    CHECK(kv_bytes_per_sequence_per_gpu(m, s, 1, 1200, DType::fp8).value() == 1200 * 2048);
}

TEST_CASE("generic engine: the KV pool is what weights, activations and overhead leave") {
    Problem p = toy_inference(Engine::generic);
    const Gpu g = toy_gpu();
    const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
    // activations: 1000 tokens * (4*1024*2 + 3*4096*2) = 32,768,000 + logits 1*1000*4 = 4,000
    CHECK(r.breakdown.activations.value() == 32'772'000);
    CHECK(r.breakdown.overhead.value() == 0.75 * 1073741824.0);
    CHECK(r.breakdown.weights.value() == 125'749'248);
    // pool = 10 GiB - 125,749,248 - 32,772,000 - 805,306,368 = 9,773,590,624
    CHECK(r.kv_pool.value() == 9'773'590'624);
    CHECK(r.kv_per_sequence.value() == 1200 * 4096);
    CHECK(r.max_concurrency == 1988);          // floor(9,773,590,624 / 4,915,200)
    CHECK(r.kv_capacity_tokens == 2'386'130);  // floor(9,773,590,624 / 4,096)
    CHECK(r.breakdown.kv_cache.value() == 1200 * 4096);
}

TEST_CASE("vLLM engine: gpu_memory_utilization of total memory, profiled activations") {
    Problem p = toy_inference(Engine::vllm);
    const Gpu g = toy_gpu();
    const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
    // budget 0.9 * 10 GiB = 9,663,676,416; activations: the larger of a full chunk's forward
    // 8192 * 32,768 = 268,435,456 and the sampler's 1024 sequences * 1000 * 16 = 16,384,000
    CHECK(r.budget.value() == Approx(9'663'676'416.0));
    CHECK(r.breakdown.activations.value() == 268'435'456);
    CHECK(r.breakdown.overhead.value() == 268'435'456);  // 0.25 GiB non-torch
    CHECK(r.kv_pool.value() == Approx(9'663'676'416.0 - 125'749'248 - 268'435'456 - 268'435'456));
    // tensor parallel adds vLLM's all-reduce buffers
    CHECK(estimate_inference_memory(p, whole(g), Layout{.tensor = 2}, 1).breakdown.overhead.value() ==
          Approx((0.25 + 1.85) * 1073741824.0));
    p.spec.inference.gpu_memory_utilization = 0.5;
    CHECK(estimate_inference_memory(p, whole(g), Layout{}, 1).budget.value() == Approx(0.5 * 10737418240.0));
}

TEST_CASE("vLLM sizes sliding-window layers at full length; other engines hold the window") {
    Problem p = toy_inference(Engine::vllm);
    p.model.architecture.sliding_window = 100;
    p.model.architecture.global_attention_every = 2;
    describe(p.model);
    const Gpu g = toy_gpu();
    CHECK(estimate_inference_memory(p, whole(g), Layout{}, 1).kv_per_sequence.value() == 1200 * 4096);
    p.spec.inference.engine = Engine::generic;
    // 2 global layers hold 1200 tokens, 2 windowed layers 100: (2400 + 200) * 1,024 bytes per layer-token
    CHECK(estimate_inference_memory(p, whole(g), Layout{}, 1).kv_per_sequence.value() == 2600 * 1024);
}

TEST_CASE("headroom is taken off every GPU") {
    Problem p = toy_inference(Engine::generic);
    p.spec.headroom = 0.1;
    const Gpu g = toy_gpu();
    const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
    CHECK(r.breakdown.capacity.value() == Approx(0.9 * 10737418240.0));
    CHECK(r.kv_pool.value() == Approx(0.9 * 10737418240.0 - 125'749'248 - 32'772'000 - 805'306'368));
}

TEST_CASE("training activations are counted tensor by tensor") {
    const auto stack = layer_stack(toy_architecture());
    const auto& m = stack.work.front();
    // per token per layer: q 1024 + k,v 512 + attention output 1024 + MLP 4*4096 = 18,944 split
    // by TP, plus 4*1024 hidden-sized (both norms' inputs and outputs), all 2 bytes:
    // (18,944 + 4,096) * 2 = 46,080
    CHECK(training_activation_bytes_per_token_per_layer(m, 1024, 1, false, DType::bf16).value() == 46'080);
    // TP 2 with sequence parallelism divides everything
    CHECK(training_activation_bytes_per_token_per_layer(m, 1024, 2, true, DType::bf16).value() == 23'040);
    // TP 2 without it keeps the hidden-sized tensors whole: (9,472 + 4,096) * 2 = 27,136
    CHECK(training_activation_bytes_per_token_per_layer(m, 1024, 2, false, DType::bf16).value() == 27'136);
    // Eager norms keep fp32 input and output (2 norms x 6 bytes x 1024 more) and eager rotary fp32
    // q and k (4 x (1024 + 256)): 46,080 + 12,288 + 5,120
    CHECK(training_activation_bytes_per_token_per_layer(m, 1024, 1, false, DType::bf16, false).value() == 63'488);
}

TEST_CASE("full fine-tuning with AdamW: 16 bytes per parameter; gradients freed before the activation peak") {
    Problem p = toy_training();
    const Gpu g = toy_gpu();
    const auto r = estimate_training_memory(p, whole(g), Layout{});
    const auto& b = r.breakdown;
    CHECK(b.weights.value() == 125'749'248);    // 2 bytes
    CHECK(b.optimizer.value() == 754'495'488);  // fp32 master 4 + moments 8
    // One micro-batch per step: last step's gradients are gone (set_to_none) when the loss peaks
    // but for the head's, 1000 * 1024 * 2; 2 x 1000 tokens * 46,080 * 4 layers + logits 2000 * 1000 * 6
    CHECK(r.peak == TrainingPeak::forward);
    CHECK(b.gradients.value() == 2'048'000);
    CHECK(b.activations.value() == 368'640'000 + 12'000'000);
    const double allocated = 125'749'248.0 + 754'495'488 + 382'688'000;
    CHECK(b.overhead.value() == Approx(1.5 * 1073741824.0 + 0.05 * allocated));
    CHECK(r.host.value() == 0);
}

TEST_CASE("accumulated gradients live through the activation peak") {
    Problem p = toy_training();
    p.spec.training.global_batch = 4;  // 2 micro-batches of 2
    const Gpu g = toy_gpu();
    const auto b = estimate_training_memory(p, whole(g), Layout{}).breakdown;
    CHECK(b.gradients.value() == 125'749'248);                  // 2 bytes, all of them
    CHECK(b.activations.value() == 368'640'000 + 12'000'000);  // the head's gradient is among them
}

TEST_CASE("short sequences peak at the end of backward, with every gradient") {
    Problem p = toy_training();
    p.spec.training.sequence_length = 10;
    const Gpu g = toy_gpu();
    const auto r = estimate_training_memory(p, whole(g), Layout{});
    // forward: 20 tokens * 46,080 * 4 + logits 120,000 + head 2,048,000 = 5,854,400;
    // backward: gradients 125,749,248 + the first layer's 20 * 46,080
    CHECK(r.peak == TrainingPeak::backward);
    CHECK(r.breakdown.gradients.value() == 125'749'248);
    CHECK(r.breakdown.activations.value() == 921'600);
}

TEST_CASE("full recomputation keeps each layer's input and one layer's activations") {
    Problem p = toy_training();
    p.spec.training.activation_checkpointing = Recompute::full;
    p.spec.training.global_batch = 4;
    const Gpu g = toy_gpu();
    const auto r = estimate_training_memory(p, whole(g), Layout{});
    // 2000 tokens * (4 layers * 2,048 + 46,080): the recomputed layer outweighs the logits (12,000,000)
    CHECK(r.breakdown.activations.value() == 2000.0 * (4 * 2048 + 46'080));
}

TEST_CASE("optimizer in backward holds one parameter's gradient at a time") {
    Problem p = toy_training();
    p.spec.training.sequence_length = 10;
    p.spec.training.optimizer_in_backward = true;
    const Gpu g = toy_gpu();
    const auto r = estimate_training_memory(p, whole(g), Layout{});
    // the largest matrix is the MLP's 1024 x 4096, 2 bytes; plus the first layer's 921,600
    CHECK(r.peak == TrainingPeak::backward);
    CHECK(r.breakdown.gradients.value() == 1024.0 * 4096 * 2);
    CHECK(r.breakdown.activations.value() == 921'600);
}

TEST_CASE("offload moves optimizer states, parameters or activations to the host") {
    const Gpu g = toy_gpu();
    {
        Problem p = toy_training();
        p.spec.training.offload.optimizer = true;
        const auto r = estimate_training_memory(p, whole(g), Layout{});
        CHECK(r.breakdown.optimizer.value() == 0);
        CHECK(r.host.value() == 754'495'488);
    }
    {
        Problem p = toy_training();
        p.spec.training.sequence_length = 10;
        p.spec.training.offload.parameters = true;
        const auto r = estimate_training_memory(p, whole(g), Layout{});
        // weights, gradients and states go; two layers' gathered weights (2 x 125,749,248 / 4) stay,
        // and one layer's gradient at a time (125,749,248 / 4)
        CHECK(r.host.value() == 125'749'248.0 + 125'749'248 + 754'495'488);
        CHECK(r.breakdown.weights.value() == 62'874'624);
        CHECK(r.breakdown.optimizer.value() == 0);
        CHECK(r.peak == TrainingPeak::backward);
        CHECK(r.breakdown.gradients.value() == 31'437'312);
    }
    {
        Problem p = toy_training();
        p.spec.training.offload.activations = true;
        const auto r = estimate_training_memory(p, whole(g), Layout{});
        // two of the four layers' 92,160,000 stay on the GPU; then the gradients outweigh them
        CHECK(r.host.value() == 2 * 92'160'000.0);
        CHECK(r.peak == TrainingPeak::backward);
        CHECK(r.breakdown.gradients.value() == 125'749'248);
        CHECK(r.breakdown.activations.value() == 92'160'000);
    }
}

TEST_CASE("chunked loss keeps 16-bit logits and one chunk's fp32 copy") {
    Problem p = toy_training();
    p.spec.training.loss_chunks = 8;
    const Gpu g = toy_gpu();
    // logits 2000 * 1000 * (2 + 4/8) instead of * 6
    CHECK(estimate_training_memory(p, whole(g), Layout{}).breakdown.activations.value() == 368'640'000 + 5'000'000);
}

TEST_CASE("ZeRO stages shard optimizer, gradients and weights over data parallel ranks") {
    Problem p = toy_training();
    const Gpu g = toy_gpu();
    const Layout l{.data = 4};
    p.spec.training.sharding = Sharding::zero1;
    auto r = estimate_training_memory(p, whole(g), l).breakdown;
    CHECK(r.optimizer.value() == 754'495'488 / 4);
    CHECK(r.gradients.value() == 125'749'248);
    p.spec.training.sharding = Sharding::zero2;
    r = estimate_training_memory(p, whole(g), l).breakdown;
    CHECK(r.gradients.value() == 125'749'248 / 4);
    p.spec.training.sharding = Sharding::zero3;
    r = estimate_training_memory(p, whole(g), l).breakdown;
    // a quarter of the weights plus two layers' gathered 16-bit weights: 2 * (62,874,624 / 4) * 2
    CHECK(r.weights.value() == 125'749'248 / 4 + 2.0 * (62'874'624.0 / 4) * 2);
}

TEST_CASE("LoRA trains adapters only; QLoRA stores the base in NF4") {
    Problem p = toy_training();
    p.spec.training.method = TrainingMethod::lora;
    p.spec.training.lora = LoraSpec{.rank = 8, .targets = {"q", "v"}};
    const auto m = layer_stack(toy_architecture());
    // q: 8 * (1024 + 1024), v: 8 * (1024 + 256), 4 layers
    CHECK(lora_parameters(m, p.spec.training.lora) == 4 * 8 * (2048 + 1280));
    const Gpu g = toy_gpu();
    p.spec.training.global_batch = 4;  // accumulating: the adapters' gradients persist
    const auto r = estimate_training_memory(p, whole(g), Layout{}).breakdown;
    const double adapters = 4 * 8 * (2048 + 1280);
    CHECK(r.weights.value() == Approx(125'749'248 + adapters * 2));
    CHECK(r.gradients.value() == Approx(adapters * 2));
    CHECK(r.optimizer.value() == Approx(adapters * 12));
    p.spec.training.method = TrainingMethod::qlora;
    const auto q = estimate_training_memory(p, whole(g), Layout{}).breakdown;
    const double kept = 2'048'000.0 + 9'216;
    // NF4 matrices, 16-bit embedding, head and norms, adapters, one de-quantised 1024 x 4096 matrix
    CHECK(q.weights.value() == Approx((62'874'624.0 - kept) * 4.127 / 8 + kept * 2 + adapters * 2 + 2.0 * 1024 * 4096));
}

TEST_CASE("MXFP4 weights are 4.25 bits") {
    const Calibration c;
    CHECK(bytes_per_parameter(DType::fp4, c) == 0.53125);  // (4 + 8/32) / 8
}

TEST_CASE("pure 16-bit training without master weights: 8 bytes per parameter") {
    Problem p = toy_training();
    p.spec.training.master_weights = false;
    p.spec.training.global_batch = 4;
    const Gpu g = toy_gpu();
    const auto b = estimate_training_memory(p, whole(g), Layout{}).breakdown;
    CHECK(b.weights.value() == 125'749'248);        // 2 bytes
    CHECK(b.gradients.value() == 125'749'248);      // 2 bytes
    CHECK(b.optimizer.value() == 2 * 125'749'248);  // two 16-bit moments
}

TEST_CASE("Megatron's distributed optimizer: 2 + 4 + 12/d bytes per parameter") {
    Problem p = toy_training();
    p.spec.training.sharding = Sharding::distributed_optimizer;
    const Gpu g = toy_gpu();
    const auto b = estimate_training_memory(p, whole(g), Layout{.data = 4}).breakdown;
    CHECK(b.weights.value() == 2.0 * 62'874'624);
    CHECK(b.gradients.value() == 4.0 * 62'874'624);  // fp32 gradient buffer, not sharded
    CHECK(b.optimizer.value() == 12.0 * 62'874'624 / 4);
}

TEST_CASE("interleaved pipelines hold 1 + (p - 1)/(p v) times the activations") {
    Problem p = toy_training();
    p.spec.training.global_batch = 16;  // 8 micro-batches of 2
    const Gpu g = toy_gpu();
    const Layout l{.pipeline = 2};
    const auto plain = estimate_training_memory(p, whole(g), l);
    p.spec.training.pipeline_interleave = 2;
    const auto interleaved = estimate_training_memory(p, whole(g), l);
    // stage 0 holds 2 micro-batches of 2 layers; logits live on stage 1 only
    CHECK(plain.stage == 0);
    CHECK(interleaved.breakdown.activations.value() == Approx(plain.breakdown.activations.value() * 1.25));
}

TEST_CASE("the training recipe is resolved once per layout, by hand") {
    Problem p = toy_training();
    p.spec.training.micro_batch = 2;
    p.spec.training.sequence_length = 1024;
    p.spec.training.global_batch = 8;
    p.spec.training.sharding = Sharding::zero2;
    auto r = training_recipe(p, Layout{.data = 2});
    CHECK(r.micro_batches == 2);            // 8 / (2 x 2)
    CHECK(r.micro_tokens == 2048);          // 2 x 1024
    CHECK(r.tokens_per_step == 8 * 1024);
    CHECK(r.trainable == 62'874'624);       // full training: every parameter
    CHECK(r.weight_shards == 1);
    CHECK(r.gradient_shards == 2);
    CHECK(r.optimizer_shards == 2);
    CHECK(r.gradients_persist);             // accumulating over two micro-batches
    // ZeRO-3 without accumulation frees gradients as it reduces them; context parallel 2 halves
    // each GPU's tokens.
    p.spec.training.sharding = Sharding::zero3;
    p.spec.training.global_batch = 4;
    r = training_recipe(p, Layout{.data = 2, .context = 2});
    CHECK(r.micro_batches == 1);
    CHECK(r.micro_tokens == 1024);
    CHECK(r.weight_shards == 2);
    CHECK_FALSE(r.gradients_persist);
}

TEST_CASE("op-level checkpointing keeps the block input, attention's output and every other matmul output") {
    const Problem p = toy_training();
    const LayerWork& m = p.model.stack.work.front();
    // matmul outputs per token: q 1024 + k,v 512 + MLP up and gate 2 x 4096 = 9,728 split by TP, and
    // the attention and MLP down projections' 2 x 1024 hidden-sized; half of them saved, with the
    // attention output 1024 and the block input 1024: (4,864 + 1,024) + (1,024 + 1,024) = 7,936
    // elements, 15,872 bytes in bf16
    CHECK(op_checkpoint_bytes_per_token_per_layer(m, 1024, 1, false, DType::bf16).value() == 15'872);
    // TP 2 with sequence parallelism halves all of it
    CHECK(op_checkpoint_bytes_per_token_per_layer(m, 1024, 2, true, DType::bf16).value() == 7'936);
    // The step stores that for each layer and token of the micro-batch: 4 x 2000 x 15,872
    Problem q = toy_training();
    q.spec.training.activation_checkpointing = Recompute::op;
    const Stage all = whole_model(q.model.stack);
    CHECK(stored_activation_bytes(q, Layout{}, all).value() == 4.0 * 2000 * 15'872);
}

TEST_CASE("FP8 training saves its activations in 16 bits") {
    Problem p = toy_training();
    const Stage all = whole_model(p.model.stack);
    const Bytes bf16 = stored_activation_bytes(p, Layout{}, all);
    p.spec.precision.activations = DType::fp8;
    CHECK(saved_activation_type(DType::fp8) == DType::bf16);
    CHECK(saved_activation_type(DType::fp32) == DType::fp32);
    CHECK(stored_activation_bytes(p, Layout{}, all).value() == bf16.value());
    CHECK(bf16.value() == 4.0 * 2000 * 46'080);
}

TEST_CASE("memory in two views: the allocator's reserved bytes and the process's") {
    const Gpu g = toy_gpu();
    const auto t = estimate_training_memory(toy_training(), whole(g), Layout{}).breakdown;
    // training: the 1.5 GiB of CUDA context and NCCL buffers lie outside torch's allocator; the
    // fragmentation (5 % of the allocated bytes) lies inside what it reserves
    const Bytes allocated = t.weights + t.gradients + t.optimizer + t.activations;
    CHECK(t.outside_allocator.value() == gib(1.5).value());
    CHECK(t.allocator().value() == Approx((allocated * 1.05).value()));
    CHECK(t.total().value() == Approx(t.allocator().value() + gib(1.5).value()));
    // inference: all of an engine's overhead is outside the allocator
    const auto i = estimate_inference_memory(toy_inference(), whole(g), Layout{}, 1).breakdown;
    CHECK(i.allocator().value() == (i.total() - i.overhead).value());
}

TEST_CASE("encoder towers sit on the first stage, unquantised; MTP modules with the head on the last") {
    auto a = toy_architecture();
    a.encoder_parameters = 5'000'000;
    a.mtp_layers = 1;
    const auto m = layer_stack(a);
    const auto two = split_stages(m, 2);
    // Stage 0: two layers 30,412,800, the embedding 1,024,000 and the tower, 16-bit.
    const auto first = stage_parameters(m, two[0]);
    CHECK(first.unquantised == 2 * 2048.0 + 1'024'000 + 5'000'000);  // two layers' norms, embedding, tower
    CHECK(first.dense == 2 * 15'206'400.0 + 1'024'000 + 5'000'000);
    // Stage 1: two layers, final norm, head, and the MTP module: a layer (15,206,400), the
    // projection 2 x 1024 x 1024 and three norms of 1024.
    const auto last = stage_parameters(m, two[1]);
    CHECK(last.dense == 2 * 15'206'400.0 + 1024 + 1'024'000 + 15'206'400 + 2 * 1024.0 * 1024 + 3 * 1024);
    CHECK(last.experts == 0);
    // At fp8 the tower stays 2 bytes a parameter, the MTP module takes 1.
    const Calibration c;
    const Layout l{.tensor = 1, .pipeline = 2, .data = 1, .expert = 1, .context = 1};
    CHECK(weight_bytes_per_gpu(first, l, DType::fp8, c).value() == 2 * 15'206'400.0 - 2 * 2048 + (2 * 2048.0 + 1'024'000 + 5'000'000) * 2);
}

TEST_CASE("NVFP4 is 4.5 bits a weight; modules a checkpoint leaves unquantised stay 16-bit") {
    const Calibration c;
    CHECK(bytes_per_parameter(DType::nvfp4, c) == 0.5625);  // (4 + 8/16) / 8
    CHECK(bytes_per_parameter(DType::fp4, c) == 0.53125);   // MXFP4: (4 + 8/32) / 8
    auto a = toy_architecture();
    a.unquantised.attention = true;
    const auto m = layer_stack(a);
    const auto p = stage_parameters(m, whole_model(m));
    // norms 4 x 2048 + 1024, embedding and head 2 x 1,024,000, and 4 layers' attention 2,621,440.
    CHECK(p.unquantised == 4 * 2048.0 + 1024 + 2 * 1'024'000 + 4 * 2'621'440.0);
    const Layout l{};
    CHECK(weight_bytes_per_gpu(p, l, DType::nvfp4, c).value() ==
          (62'874'624.0 - p.unquantised) * 0.5625 + p.unquantised * 2);
}
