#include "gpusize/calibration.hpp"

#include <fmt/format.h>

#include <cmath>

namespace gpusize {

const std::array<ConstantInfo, constant_count>& constant_table() {
    static const std::array<ConstantInfo, constant_count> table{{
        {"runtime_overhead_gib", 0.75, "GiB per GPU",
         "CUDA context and cuBLAS/cuDNN workspaces outside the engine's accounting; docs/estimation.md §3.5 gives 0.3-1 GiB", {0, 1024}},
        {"nccl_buffers_gib", 0.5, "GiB per GPU when it communicates",
         "NCCL channel buffers, several hundred MiB per communicator (docs/estimation.md §3.5)", {0, 1024}},
        {"vllm_non_torch_gib", 0.25, "GiB per GPU",
         "vLLM 0.19 'non-torch forward increase memory' at TP=1 on H100 (shared/validation llm-d-planner logs)", {0, 1024}},
        {"vllm_tp_buffers_gib", 1.85, "GiB per GPU when tensor parallel > 1",
         "vLLM 0.19 non-torch memory rises from 0.25 GiB at TP=1 to 2.07-2.21 GiB at TP 2-4 on H100: NCCL and custom "
         "all-reduce buffers (shared/validation llm-d-planner logs)", {0, 1024}},
        {"prefill_chunk_tokens", 8192, "tokens",
         "vLLM V1 default max_num_batched_tokens; bounds the tokens of one forward step", {1, 1e8, false, true}},
        {"sampler_sequences", 1024, "sequences",
         "vLLM V1 default max_num_seqs, the batch its profiling run samples logits for", {1, 1e7, false, true}},
        {"sampler_bytes_per_logit", 16, "bytes per sequence per vocabulary entry",
         "vLLM's profiling sampler holds fp32 logits (4), fp32 probabilities (4) and int64 sort indices (8) for the whole "
         "vocabulary; its peak tracks vocabulary size and not TP in the vLLM 0.19 logs (shared/validation)", {0, 1024}},
        {"activation_hidden_tensors", 4, "hidden-sized 16-bit tensors per token live at the peak",
         "residual, norm output, attention output and MLP output of the layer in flight", {0, 1000}},
        {"activation_mlp_tensors", 3, "intermediate-sized tensors per token live at the peak",
         "gate/up output (2 for a gated MLP) and the activation's output of the layer in flight", {0, 1000}},
        {"decode_step_overhead_ms", 1.0, "ms per decode step",
         "scheduling, sampling and kernel-launch gaps not hidden by CUDA graphs; fitted on gpt-fast batch-1 decode", {0, 1e5}},
        {"prefill_overhead_ms", 5.0, "ms per prefill",
         "tokenisation, scheduling and launch overhead of a prefill step", {0, 1e5}},
        {"collective_step_latency_us", 3.0, "us per ring step",
         "latency of one step of a ring collective (an all-reduce over n GPUs takes 2(n-1) steps: 6 us on 2 GPUs, 42 us "
         "on 8, the range of NCCL small-message all-reduce latencies); fitted on gpt-fast's TP 2-8 batch-1 decode "
         "(shared/validation: median error 12.5% -> 9.7%)", {0, 1e6}},
        {"fp8_matmul_factor", 0.8, "fraction of the bf16 matmul efficiency",
         "FP8 GEMMs reach about 65% of the FP8 peak on H100 where BF16 reaches about 80% of its own (cuBLASLt and "
         "Transformer Engine benchmarks); the scaling, quantisation and cast kernels around them add to it", {0, 1, true}},
        {"workload_matmul_fraction", 0.8, "fraction of the catalog's best-shape matmul efficiency",
         "whole transformer steps (real GEMM shapes, norms, rotary, activations, attention kernels) reach less than a "
         "best-shape GEMM benchmark; fitted on the 83 llm-foundry training rows of shared/validation (median measured/"
         "estimated 0.80 before), and checked out of sample on the TensorRT-LLM serving rows", {0, 1, true}},
        {"int8_weight_stream_factor", 0.85, "fraction of the memory efficiency",
         "weight-only int8 decode is bounded by de-quantisation as much as by bandwidth: gpt-fast reports 1,031 GB/s "
         "achieved for int8 against 1,397 GB/s for bf16 on A100 (shared/validation)", {0, 1, true}},
        {"int4_weight_stream_factor", 0.75, "fraction of the memory efficiency",
         "gpt-fast reports 862 GB/s achieved for int4 (group 32) against 1,397 GB/s for bf16 on A100 (shared/validation); "
         "production int4 kernels (Marlin, AWQ) do better at larger batch", {0, 1, true}},
        {"p2p_latency_us", 10.0, "us per pipeline hop", "NCCL send/recv latency between stages", {0, 1e6}},
        {"int4_group_size", 128, "weights per quantisation group",
         "GPTQ/AWQ default group size; adds a 16-bit scale and zero point per group (docs/estimation.md §2.2)", {1, 1 << 20, false, true}},
        {"nf4_bits_per_parameter", 4.127, "bits", "QLoRA paper (Dettmers et al., 2023): NF4 with double quantisation", {4, 16}},
        {"training_runtime_overhead_gib", 1.5, "GiB per GPU",
         "CUDA context, NCCL buffers and framework workspaces during training", {0, 1024}},
        {"training_fragmentation", 0.05, "fraction of allocated memory",
         "PyTorch caching-allocator fragmentation between allocated and reserved memory", {0, 1}},
        {"zero3_prefetch_layers", 2, "layers", "FSDP/ZeRO-3 gathers the layer in flight and prefetches the next", {1, 10000, false, true}},
        {"activation_offload_layers", 2, "layers per micro-batch",
         "activation offloading keeps the saved activations of the layer being computed on the GPU while the previous "
         "layer's are copied to (or back from) the host on a side stream (torchtune's OffloadActivations)", {1, 10000, false, true}},
        {"dp_comm_overlap", 0.8, "fraction hidden", "gradient reduction overlapped with backward (DDP buckets, FSDP)", {0, 1}},
        {"tp_comm_overlap", 0.0, "fraction hidden", "Megatron TP all-reduces sit on the critical path unless overlap is enabled", {0, 1}},
        {"cp_comm_overlap", 0.5, "fraction hidden",
         "documented default: ring attention overlaps each K/V block's transfer with the previous block's attention "
         "(Liu et al., 2023, 'Ring Attention'); half is assumed hidden where measurements are lacking", {0, 1}},
        {"host_offload_overlap", 0.5, "fraction hidden",
         "host transfers of offloaded parameters, gradients, optimizer states and activations run on a side stream and are "
         "partly hidden behind compute (FSDP CPU offload, DeepSpeed ZeRO-Offload, torchtune activation offloading); an "
         "assumption, not a measurement", {0, 1}},
        {"training_step_overhead_ms", 20.0, "ms per optimizer step", "optimizer step, data loading and synchronisation", {0, 1e6}},
        {"interruptions_per_gpu_hour", 419.0 / (16384.0 * 54.0 * 24.0), "interruptions per GPU-hour",
         "Llama 3 405B pre-training: 419 unexpected interruptions in 54 days on 16,384 H100 GPUs (Meta, 2024)", {0, 1}},
        {"checkpoint_write_gb_per_s", 20, "GB/s aggregate",
         "documented default: a parallel file system's share for one job; Meta's Tectonic sustained 2 TB/s for Llama 3 on "
         "16k GPUs (Llama 3 paper), a typical 64-512 GPU cluster's NFS or Lustre slice 10-50 GB/s; set "
         "training.checkpoint.write_gb_per_s", {0.001, 1e6}},
        {"restart_minutes", 10, "minutes per interruption",
         "documented default: detect the failure, reschedule, reload the last checkpoint and warm up; set "
         "training.checkpoint.restart_minutes", {0, 1e5}},
    }};
    return table;
}

Calibration::Calibration() {
    for (std::size_t i = 0; i < constant_count; ++i) values_[i] = constant_table()[i].default_value;
}

bool Calibration::set(std::string_view name, double value) {
    for (std::size_t i = 0; i < constant_count; ++i) {
        if (constant_table()[i].name == name) {
            values_[i] = value;
            overridden_[i] = true;
            return true;
        }
    }
    return false;
}

std::optional<std::string> Calibration::range_problem(std::string_view name, double value) {
    for (const auto& c : constant_table()) {
        if (c.name != name) continue;
        const ConstantRange& r = c.range;
        const bool low = r.above_min ? value <= r.min : value < r.min;
        if (!low && value <= r.max && (!r.whole || std::floor(value) == value)) return std::nullopt;
        if (r.whole)
            return fmt::format("'{}' must be a whole number from {:.0f} to {:.0f} ({}), got {:g}", name, r.min, r.max, c.unit, value);
        if (r.above_min)
            return fmt::format("'{}' must be above {:g} and at most {:g} ({}), got {:g}", name, r.min, r.max, c.unit, value);
        return fmt::format("'{}' must be between {:g} and {:g} ({}), got {:g}", name, r.min, r.max, c.unit, value);
    }
    return std::nullopt;
}

std::vector<std::string> Calibration::names() {
    std::vector<std::string> out;
    for (const auto& c : constant_table()) out.emplace_back(c.name);
    return out;
}

}  // namespace gpusize
