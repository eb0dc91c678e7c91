// Roofline time estimates (performance.hpp) on the toy model and GPU of fixtures.hpp.
//
// Toy model: 62,874,624 parameters, 61,850,624 in matmuls (all but the embedding lookup);
// attention FLOPs per token at context c: 2 * 8 heads * (128 + 128) * 4 layers * c = 16,384 c.
// Toy GPU: 1e14 FLOP/s bf16 and 1e12 B/s, both at efficiency 0.5.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"
#include "gpusize/interconnect.hpp"
#include "gpusize/memory.hpp"
#include "gpusize/performance.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("experts touched by a batch") {
    CHECK(experts_touched(8, 2, 1) == Approx(2));
    CHECK(experts_touched(8, 2, 2) == Approx(8 * (1 - 0.75 * 0.75)));
    CHECK(experts_touched(256, 8, 1e6) == Approx(256));
}

TEST_CASE("decode step of one sequence is memory-bound: weights plus its KV cache") {
    const Problem p = toy_inference();
    const Gpu g = toy_gpu();
    const auto r = estimate_inference_performance(p, whole(g), Layout{}, 1);
    REQUIRE(r);
    // context 1000 + 200/2 = 1100; FLOPs 2 * 61,850,624 + 16,384 * 1100 = 141,723,648
    CHECK(r->decode.flops.value() == 141'723'648);
    CHECK(r->decode.compute.value() == Approx(141'723'648 / 5e13));
    // bytes: weights 125,749,248 + KV 1100 * 4,096 = 130,254,848, at 5e11 B/s
    CHECK(r->decode.bytes.value() == 130'254'848);
    CHECK(r->decode.memory.value() == Approx(130'254'848 / 5e11));
    CHECK(r->decode.bound == Bound::memory);
    CHECK(r->tpot.value() == Approx(130'254'848 / 5e11 + 1e-3));  // + 1 ms step overhead
}

TEST_CASE("prefill of the prompt is compute-bound; ttft is its time") {
    const Problem p = toy_inference();
    const Gpu g = toy_gpu();
    const auto r = estimate_inference_performance(p, whole(g), Layout{}, 1);
    REQUIRE(r);
    // 1000 tokens * (2 * 61,850,624 - 2 * 1024 * 1000) + logits of the last token 2 * 1024 * 1000
    // + causal attention 1000 * 16,384 * 500
    const double flops = 1000.0 * (123'701'248 - 2'048'000) + 2'048'000 + 1000.0 * 16'384 * 500;
    CHECK(r->prefill.flops.value() == flops);
    CHECK(r->prefill.bound == Bound::compute);
    CHECK(r->ttft.value() == Approx(flops / 5e13 + 5e-3));  // + 5 ms prefill overhead
}

TEST_CASE("throughput: a request costs its prefill plus its share of decode steps") {
    const Problem p = toy_inference();
    const Gpu g = toy_gpu();
    const auto one = *estimate_inference_performance(p, whole(g), Layout{}, 1);
    const double per_request = one.ttft.value() + one.tpot.value() * 200;
    CHECK(one.requests_per_s == Approx(1 / per_request));
    CHECK(one.output_tokens_per_s == Approx(200 / per_request));
    const auto replicas = *estimate_inference_performance(p, whole(g), Layout{.data = 3}, 1);
    CHECK(replicas.output_tokens_per_s == Approx(3 * one.output_tokens_per_s));
}

TEST_CASE("tensor parallel decode pays two all-reduces per layer on NVLink") {
    const Problem p = toy_inference();
    const Gpu g = toy_gpu();
    const auto r = *estimate_inference_performance(p, whole(g), Layout{.tensor = 2}, 1);
    // 2 all-reduces x 4 layers of 1 token * 1024 * 2 bytes over 2 GPUs at 8e11 * 0.5 * 0.5 B/s,
    // + 2 ring steps of 3 us each
    const double one = 2048.0 * (2.0 * 1 / 2) / 2e11 + 6e-6;
    CHECK(r.decode.communication.value() == Approx(8 * one));
}

TEST_CASE("whole-workload and FP8 matmul efficiency fractions scale the weight GEMMs' time, not attention's") {
    Problem p = toy_training();
    const Gpu g = toy_gpu();
    const auto base = *estimate_training_performance(p, whole(g), Layout{});
    const double gemm = base.compute.value() - base.attention.time.value();
    p.calibration.set("workload_matmul_fraction", 0.8);
    CHECK(estimate_training_performance(p, whole(g), Layout{})->compute.value() ==
          Approx(gemm / 0.8 + base.attention.time.value()));
    p.spec.precision.activations = DType::fp8;  // twice the peak at 0.8 of the efficiency
    CHECK(estimate_training_performance(p, whole(g), Layout{})->compute.value() ==
          Approx(gemm / 0.8 / 2 / 0.8 + base.attention.time.value()));
}

TEST_CASE("weight-only integer formats stream below the bandwidth efficiency; the KV cache does not") {
    Problem p = toy_inference();
    const Gpu g = toy_gpu();
    p.spec.precision.weights = DType::int8;
    const auto r = *estimate_inference_performance(p, whole(g), Layout{}, 1);
    // Weights de-quantise as they stream (int8 factor 0.85); the bf16 KV cache streams at 0.5.
    CHECK(r.decode.weights.memory.value() == Approx(r.decode.weights.bytes.value() / (1e12 * 0.5 * 0.85)));
    CHECK(r.decode.attention.memory.value() == Approx(r.decode.attention.bytes.value() / (1e12 * 0.5)));
    CHECK(r.decode.memory.value() == Approx((r.decode.weights.memory + r.decode.attention.memory).value()));
}

TEST_CASE("a part without the compute precision is refused, not guessed") {
    Problem p = toy_inference();
    p.spec.precision.activations = DType::fp32;  // the toy GPU lists no fp32 rate
    const Gpu g = toy_gpu();
    CHECK_FALSE(estimate_inference_performance(p, whole(g), Layout{}, 1).has_value());
}

TEST_CASE("training step: 6 P FLOPs per token plus attention, step overhead, MFU") {
    const Problem p = toy_training();
    const Gpu g = toy_gpu();
    // 6 * 61,850,624 + 3 * 16,384 * 1000 = 420,255,744 per token
    CHECK(training_flops_per_token(p.model.architecture, 1000, TrainingMethod::full).value() == 420'255'744);
    CHECK(training_flops_per_token(p.model.architecture, 1000, TrainingMethod::lora).value() == 4.0 * 61'850'624 + 49'152'000);
    const auto r = *estimate_training_performance(p, whole(g), Layout{});
    const double flops = 2000.0 * 420'255'744;  // micro batch 2 x 1000 tokens, one micro-batch
    // The weight GEMMs at 5e13 FLOP/s; attention apart: causal 16,384 x 500.5 per token forward,
    // 2.5x that backward, on the toy Hopper GPU's default kernel (sdpa: FlashAttention-2, 35 %).
    const double gemm = 2000.0 * 6 * 61'850'624 / 5e13;
    const double attention = 2000.0 * 16'384 * 500.5 * 3.5 / (1e14 * 0.35);
    CHECK(r.tokens_per_step == 2000);
    CHECK(r.attention.time.value() == Approx(attention));
    CHECK(r.compute.value() == Approx(gemm + attention));
    CHECK(r.step_time.value() == Approx(gemm + attention + 0.020));
    CHECK(r.tokens_per_s == Approx(2000 / (gemm + attention + 0.020)));
    CHECK(r.mfu == Approx(flops / r.step_time.value() / 1e14));
    CHECK(r.hfu == Approx(r.mfu));
}

TEST_CASE("full recomputation adds the blocks' forward pass to hardware FLOPs, not to model FLOPs") {
    Problem p = toy_training();
    p.spec.training.activation_checkpointing = Recompute::full;
    const Gpu g = toy_gpu();
    const auto r = *estimate_training_performance(p, whole(g), Layout{});
    // per token: the blocks' matmuls 2 x (61,850,624 - the 1000 x 1024 head) + attention 16,384,000
    // on top of the model's 420,255,744
    CHECK(r.hfu == Approx(r.mfu * (420'255'744.0 + 2 * 60'826'624.0 + 16'384'000) / 420'255'744.0));
}

TEST_CASE("data parallel moves the trainable gradients, and ZeRO-3 the weights as well") {
    const Gpu g = toy_gpu();
    const Layout l{.data = 2};
    const auto link = *collective_link(g, 2, 1, std::nullopt);
    // one layout of one stage: communication is the exposed data-parallel part, 20% of it
    const auto exposed = [&](double bytes) { return allreduce_time(Bytes(bytes), 2, link.bus, microseconds(3)).value() * 0.2; };
    const double params = 62'874'624;
    Problem p = toy_training();
    CHECK(estimate_training_performance(p, whole(g), l)->communication.value() == Approx(exposed(2 * params)));
    p.spec.training.gradient_precision = DType::fp32;  // fp32 gradients all-reduced
    CHECK(estimate_training_performance(p, whole(g), l)->communication.value() == Approx(exposed(4 * params)));
    p.spec.training.sharding = Sharding::zero1;  // reduce-scatter fp32 gradients, all-gather bf16 weights
    CHECK(estimate_training_performance(p, whole(g), l)->communication.value() == Approx(exposed((4 + 2) * params / 2)));
    p.spec.training.gradient_precision.reset();
    p.spec.training.sharding = Sharding::zero3;  // and the weights gathered twice
    CHECK(estimate_training_performance(p, whole(g), l)->communication.value() == Approx(exposed(1.5 * 2 * params)));
    p.spec.training.sharding = Sharding::none;
    p.spec.training.method = TrainingMethod::lora;  // only the adapters' gradients
    p.spec.training.lora = LoraSpec{.rank = 8, .targets = {"q", "v"}};
    CHECK(estimate_training_performance(p, whole(g), l)->communication.value() == Approx(exposed(2.0 * 4 * 8 * (2048 + 1280))));
}

TEST_CASE("gradient precision: fp32 with fp32 weights or Megatron's buffer, else 16-bit, unless the spec says") {
    Problem p = toy_training();
    CHECK(gradient_bytes_per_parameter(p) == 2);
    p.spec.training.sharding = Sharding::distributed_optimizer;
    CHECK(gradient_bytes_per_parameter(p) == 4);
    p.spec.training.gradient_precision = DType::bf16;
    CHECK(gradient_bytes_per_parameter(p) == 2);
    p = toy_training();
    p.spec.precision.weights = DType::fp32;
    CHECK(gradient_bytes_per_parameter(p) == 4);
}

TEST_CASE("offload adds the PCIe copies a side stream does not hide") {
    const Gpu g = toy_gpu();
    const Problem base = toy_training();
    const double step = estimate_training_performance(base, whole(g), Layout{})->step_time.value();
    const double pcie = g.pcie_bandwidth().value();
    const double overlap = 0.5;  // host_offload_overlap
    Problem p = base;
    p.spec.training.offload.optimizer = true;
    // gradients out and updated weights back, 2 bytes each, 62,874,624 parameters, once per step
    auto r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(r.host_transfer.value() == Approx(4.0 * 62'874'624 / pcie * overlap));
    CHECK(r.step_time.value() == Approx(step + r.host_transfer.value()));
    p = base;
    p.spec.training.offload.parameters = true;
    // weights in for forward and for backward, gradients out: 3 x 2 bytes per parameter per micro-batch
    r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(r.host_transfer.value() == Approx(6.0 * 62'874'624 / pcie * overlap));
    p = base;
    p.spec.training.offload.activations = true;
    // 2000 tokens x 46,080 bytes x 4 layers, out and back
    r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(r.host_transfer.value() == Approx(2.0 * 2000 * 46'080 * 4 / pcie * overlap));
}

TEST_CASE("pipeline bubble is (p - 1) / m of the busy time") {
    Problem p = toy_training();
    p.spec.training.global_batch = 8;  // 4 micro-batches of 2 on one data-parallel rank
    const Gpu g = toy_gpu();
    const auto r = *estimate_training_performance(p, whole(g), Layout{.pipeline = 2});
    CHECK(r.gradient_accumulation == 4);
    CHECK(r.bubble.value() == Approx((r.step_time - r.bubble - seconds(0.020)).value() * 0.25));
}

TEST_CASE("time to train the token budget") {
    Problem p = toy_training();
    p.spec.training.tokens = 1e9;
    const Gpu g = toy_gpu();
    const auto r = *estimate_training_performance(p, whole(g), Layout{});
    REQUIRE(r.time_to_train_ideal);
    CHECK(r.time_to_train_ideal->value() == Approx(1e9 / r.tokens_per_s));
}

TEST_CASE("interleaving v virtual stages divides the pipeline bubble by v") {
    Problem p = toy_training();
    p.spec.training.global_batch = 8;  // 4 micro-batches of 2
    const Gpu g = toy_gpu();
    p.spec.training.pipeline_interleave = 2;
    const auto r = *estimate_training_performance(p, whole(g), Layout{.pipeline = 2});
    // bubble = busy * (p - 1)/(v m) = busy / 8, busy = step - bubble - 20 ms overhead
    CHECK(r.bubble.value() == Approx((r.step_time - r.bubble - seconds(0.020)).value() / 8));
}

TEST_CASE("failures: MTBF over the job, Young/Daly interval, goodput lost") {
    Problem p = toy_training();
    p.calibration.set("interruptions_per_gpu_hour", 1e-4);
    p.calibration.set("checkpoint_write_gb_per_s", 1.0);
    p.calibration.set("restart_minutes", 10);
    const auto f = estimate_failures(p, 1000, hours(100));
    CHECK(f.mtbf.value() == Approx(36000));  // 1 / (1e-4 * 1000) h = 10 h
    // 62,874,624 parameters * (2 + 12) bytes at 1 GB/s
    CHECK(f.checkpoint.value() == Approx(62'874'624.0 * 14));
    CHECK(f.checkpoint_write.value() == Approx(62'874'624.0 * 14 / 1e9));
    const double delta = 62'874'624.0 * 14 / 1e9, tau = std::sqrt(2 * delta * 36000);
    CHECK(f.checkpoint_interval.value() == Approx(tau));
    const double loss = delta / tau + tau / 72000 + 600.0 / 36000;
    CHECK(f.goodput_loss == Approx(loss));
    CHECK(f.expected_interruptions == Approx(100 / (1 - loss) * 1e-4 * 1000));
}

TEST_CASE("time to train includes the goodput lost to interruptions") {
    Problem p = toy_training();
    p.spec.training.tokens = 1e9;
    const Gpu g = toy_gpu();
    const auto r = *estimate_training_performance(p, whole(g), Layout{});
    REQUIRE(r.time_to_train);
    CHECK(r.time_to_train->value() == Approx(r.time_to_train_ideal->value() / (1 - r.failures.goodput_loss)));
}

TEST_CASE("causal attention executes (s + 1) / 2 positions per query, windows and chunks fewer") {
    const Problem p = toy_training();
    // 4 layers x 2 x 8 heads x (128 + 128) = 16,384 FLOPs per attended position
    CHECK(causal_attention_flops_per_token(p.model.stack, 1000).value() == 16'384.0 * 500.5);
    CHECK(causal_attention_flops_per_token(p.model.stack, 1).value() == 16'384.0);
    ModelArchitecture windowed = toy_architecture();
    windowed.sliding_window = 100;
    const LayerStack w = layer_stack(windowed);
    // a query at position i attends min(i, 100): (100 x 101 / 2 + 900 x 100) / 1000 = 95.05
    CHECK(causal_attention_flops_per_token(w, 1000).value() == Approx(16'384.0 * 95.05));
}

TEST_CASE("attention kernels: efficiency by family and architecture, none guessed") {
    const auto fa3 = attention_kernel_efficiency(AttentionKernel::flash3, "hopper");
    REQUIRE(fa3);
    CHECK(fa3->forward == 0.75);
    CHECK(fa3->backward == 0.56);
    CHECK(attention_kernel_efficiency(AttentionKernel::sdpa, "hopper")->forward == 0.35);
    CHECK(attention_kernel_efficiency(AttentionKernel::flash2, "ampere")->backward == 0.63);
    CHECK_FALSE(attention_kernel_efficiency(AttentionKernel::flash3, "ampere"));
    CHECK_FALSE(attention_kernel_efficiency(AttentionKernel::flash2, "cdna3"));
}

TEST_CASE("attention time: the kernel's efficiency, bf16 under FP8, the GEMM efficiency where none is on record") {
    Problem p = toy_training();
    Gpu g = toy_gpu();
    const double causal = 2000.0 * 16'384 * 500.5;  // per step, forward
    p.spec.training.attention_kernel = AttentionKernel::flash3;
    auto r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(r.attention.time.value() == Approx(causal / (1e14 * 0.75) + 2.5 * causal / (1e14 * 0.56)));
    // FP8 doubles the GEMM rate, not attention's: the frameworks' FP8 recipes keep it in bf16.
    p.spec.precision.activations = DType::fp8;
    const auto fp8 = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(fp8.attention.time.value() == Approx(r.attention.time.value()));
    CHECK(fp8.attention.peak.value() == 1e14);
    // Full recomputation runs the forward kernel again.
    p.spec.precision.activations = DType::bf16;
    p.spec.training.activation_checkpointing = Recompute::full;
    r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK(r.attention.time.value() == Approx(2 * causal / (1e14 * 0.75) + 2.5 * causal / (1e14 * 0.56)));
    // No published row for FlashAttention-3 on Ampere: the GEMM efficiency (toy 0.5 x 1 x 1).
    p.spec.training.activation_checkpointing = Recompute::none;
    g.architecture = "ampere";
    r = *estimate_training_performance(p, whole(g), Layout{});
    CHECK_FALSE(r.attention.measured);
    CHECK(r.attention.time.value() == Approx(3.5 * causal / 5e13));
}

TEST_CASE("long sequences slow training down: attention grows with the context") {
    Problem p = toy_training();
    const Gpu g = toy_gpu();
    const auto short_seq = *estimate_training_performance(p, whole(g), Layout{});
    p.spec.training.sequence_length = 8000;
    p.spec.training.micro_batch = 1;
    const auto long_seq = *estimate_training_performance(p, whole(g), Layout{});
    // per token: GEMMs 6 x 61,850,624 / 5e13 the same; attention 16,384 x (s + 1) / 2 x 3.5 / 3.5e13
    const double per_token_short = 6 * 61'850'624 / 5e13 + 16'384 * 500.5 * 3.5 / 3.5e13;
    const double per_token_long = 6 * 61'850'624 / 5e13 + 16'384 * 4000.5 * 3.5 / 3.5e13;
    CHECK(short_seq.compute.value() / 2000 == Approx(per_token_short));
    CHECK(long_seq.compute.value() / 8000 == Approx(per_token_long));
    CHECK(long_seq.compute.value() / 8000 > short_seq.compute.value() / 2000);
}

TEST_CASE("op-level checkpointing recomputes half the blocks' matmuls, not attention") {
    Problem p = toy_training();
    p.spec.training.activation_checkpointing = Recompute::op;
    const Gpu g = toy_gpu();
    const auto r = *estimate_training_performance(p, whole(g), Layout{});
    // per token: half of the blocks' forward matmuls 2 x (61,850,624 - the 1000 x 1024 head) / 2
    CHECK(r.hardware_flops.value() == Approx(2000.0 * (420'255'744.0 + 60'826'624.0)));
    CHECK(r.model_flops.value() == Approx(2000.0 * 420'255'744.0));
    CHECK(r.attention.forward.value() == Approx(2000.0 * 16'384 * 500.5));
}

TEST_CASE("under load on the toy GPU: capacity is the unloaded rate, Little's law holds, replicas share the load") {
    Problem p = toy_inference();
    const Gpu g = toy_gpu();
    const auto full = *estimate_inference_performance(p, whole(g), Layout{}, 8);
    CHECK_FALSE(estimate_loaded_performance(p, whole(g), Layout{}, full, 0));  // no arrival, no loaded figures
    p.spec.inference.arrival = Arrival{.requests_per_s = 0.5 * full.requests_per_s, .burstiness = 1, .users = std::nullopt};
    const auto half = *estimate_loaded_performance(p, whole(g), Layout{}, full, 0);
    CHECK(half.capacity_requests_per_s == Approx(full.requests_per_s));
    CHECK(half.utilization == Approx(0.5));
    CHECK(*half.in_flight == Approx(half.requests_per_s * half.e2e->mean.value()).epsilon(0.05));
    // The decode step at n sequences lies between the roofline's at 1 and at 8.
    const auto one = *estimate_inference_performance(p, whole(g), Layout{}, 1);
    CHECK(half.decode_step >= one.tpot);
    CHECK(half.decode_step <= full.tpot);
    // Three replicas at three times the rate: each replica sees the same load.
    const auto three = *estimate_inference_performance(p, whole(g), Layout{.data = 3}, 8);
    p.spec.inference.arrival->requests_per_s = 1.5 * full.requests_per_s;
    const auto spread = *estimate_loaded_performance(p, whole(g), Layout{.data = 3}, three, 0);
    CHECK(spread.utilization == Approx(0.5));
    CHECK(spread.ttft->p99.value() == Approx(half.ttft->p99.value()));
    CHECK(*spread.in_flight == Approx(3 * *half.in_flight));
    // Past capacity: saturated.
    p.spec.inference.arrival->requests_per_s = 3.3 * full.requests_per_s;
    CHECK(estimate_loaded_performance(p, whole(g), Layout{.data = 3}, three, 0)->saturated);
}
