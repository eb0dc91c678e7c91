// Time estimates from the roofline (docs/estimation.md §5-§6): each phase takes
// `max(FLOPs / (peak * eta_matmul), bytes / (bandwidth * eta_memory))` plus communication that is
// not overlapped plus a fixed overhead. Efficiencies come from the catalog (per architecture or
// per part), fixed overheads from the calibration table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gpusize/device.hpp"
#include "gpusize/interconnect.hpp"
#include "gpusize/load.hpp"
#include "gpusize/memory.hpp"
#include "gpusize/problem.hpp"

namespace gpusize {

enum class Bound { compute, memory, communication };
std::string_view to_string(Bound b);

/// One kernel of a phase on its own roofline: its FLOPs at the matmul efficiency, its bytes at the
/// memory efficiency of what it streams (weights stored in int8/int4 de-quantise as they stream;
/// the KV cache does not).
struct KernelTime {
    Flops flops;          ///< per GPU
    Bytes bytes;          ///< read from memory per GPU
    double eta_matmul = 0;
    double eta_memory = 0;
    Seconds compute;      ///< flops / (peak * eta_matmul)
    Seconds memory;       ///< bytes / (bandwidth * eta_memory)
    Seconds time() const { return max(compute, memory); }
};

/// One phase on the roofline, per GPU: its weight matmuls and its attention are kernels that run
/// one after the other, each taking the larger of its compute and memory time.
struct PhaseTime {
    KernelTime weights;   ///< the weight matmuls (GEMMs) and the weight reads
    KernelTime attention; ///< attention scores over the KV cache
    Flops flops;          ///< per GPU, both kernels
    Bytes bytes;          ///< moved from memory per GPU, both kernels
    Seconds compute;      ///< both kernels' compute times
    Seconds memory;       ///< both kernels' memory times
    Seconds communication;
    Seconds overhead;
    Seconds total;        ///< weights.time() + attention.time() + communication + overhead
    Bound bound = Bound::memory;
};

/// The share of the catalog's matmul efficiency GEMMs reach at a compute precision: FP8 and FP4
/// `calibration.fp8_matmul_factor`, others 1.
double precision_matmul_factor(DType compute, const Calibration& c);
/// The share of the catalog's memory efficiency weights stored in `weights` stream at: int8 and
/// int4/nf4 de-quantise as they stream (`calibration.int8_weight_stream_factor`,
/// `int4_weight_stream_factor`), others 1. The KV cache does not pay it.
double weight_stream_factor(DType weights, const Calibration& c);

/// Routed experts a batch of `tokens` tokens touches in one MoE layer: `E * (1 - (1 - k/E)^tokens)`.
double experts_touched(double experts, double active, double tokens);

struct InferencePerformance {
    PhaseTime prefill;            ///< one request's prompt
    PhaseTime decode;             ///< one decode step of the whole batch
    Seconds ttft;                 ///< prefill time, no queueing
    Seconds tpot;                 ///< decode step time: time per output token after the first
    double output_tokens_per_s = 0;   ///< all replicas
    double requests_per_s = 0;        ///< all replicas
    std::int64_t concurrency = 0;     ///< sequences in flight per replica
    /// A request's share of prefill time: its packed step (prefill_chunk_tokens / input prompts
    /// sharing one read of the weights) over the prompts packed.
    Seconds prefill_share;
    double prompts_per_prefill_step = 1;
    Seconds packed_prefill_step;  ///< the step of `prompts_per_prefill_step` prompts
};

/// Prefill and decode of `concurrency` sequences per replica (a replica is one tensor x pipeline
/// group; `layout.data` replicas serve in parallel). Decode runs at the average context
/// `input + output/2` (continuous batching); a request's share of engine time is its prefill (in a
/// step packing `prefill_chunk_tokens / input` prompts, which share one read of the weights) plus
/// `output * tpot / concurrency`, which gives throughput. TTFT is one prompt's prefill. nullopt when the device lacks a
/// dense rate for the activation precision, or the layout needs a link the catalog lacks.
std::optional<InferencePerformance> estimate_inference_performance(const Problem& p, const Device& d, const Layout& l,
                                                                   std::int64_t concurrency);
/// The same with the most loaded pipeline stage already known (InferenceMemory::stage).
std::optional<InferencePerformance> estimate_inference_performance(const Problem& p, const Device& d, const Layout& l,
                                                                   std::int64_t concurrency, std::size_t stage);

/// The spec's `inference.arrival` served by this deployment (docs/estimation.md §6.7): the load
/// split evenly over the `layout.data` replicas, each replica's engine described by `full` (the
/// estimate at its slots, `full.concurrency`) and its decode step at smaller batches, taken from
/// the roofline at 1, 2, 4, ... sequences and B and interpolated linearly between them. Rates,
/// users and in-flight counts in the result are of all replicas; nullopt without an arrival.
std::optional<LoadedPerformance> estimate_loaded_performance(const Problem& p, const Device& d, const Layout& l,
                                                             const InferencePerformance& full, std::size_t stage);

/// Interruptions over a run and the checkpointing that bounds their cost (docs/estimation.md §9):
/// the job's mean time between interruptions `MTBF = 1 / (rate * N)`, checkpoint time
/// `delta = checkpoint bytes / write bandwidth`, Young/Daly interval `tau = sqrt(2 * delta * MTBF)`,
/// and the share of wall time lost `delta/tau + tau/(2 MTBF) + restart/MTBF`.
struct FailureEstimate {
    double interruptions_per_gpu_hour = 0;
    Seconds mtbf;
    Bytes checkpoint;            ///< weights and optimizer states of the whole job
    Seconds checkpoint_write;
    Seconds checkpoint_interval;
    Seconds restart;
    double goodput_loss = 0;     ///< share of wall time lost; 1 or more: the job cannot progress
    double expected_interruptions = 0;  ///< over the run, when a token budget is given
};

FailureEstimate estimate_failures(const Problem& p, std::int64_t gpus, std::optional<Seconds> ideal_time);

/// What a fused attention kernel reaches of the 16-bit dense peak on one GPU architecture, in the
/// forward and the backward pass, as its authors measured it. One row per kernel family and
/// architecture (attention_kernel_efficiency); `source` names the measurement.
struct AttentionEfficiency {
    double forward = 0;
    double backward = 0;
    std::string_view source;
};

/// The row for `kernel` on `architecture` (catalog spelling: `ampere`, `hopper`), or nullopt where
/// no measurement is on record; the estimator then prices attention at the GEMM efficiency.
std::optional<AttentionEfficiency> attention_kernel_efficiency(AttentionKernel kernel, std::string_view architecture);

/// Attention FLOPs a causal kernel executes per token in one forward pass: QK^T and AV over the
/// positions each query attends, `(s + 1) / 2` on average for full attention and
/// `w - w (w - 1) / (2 s)` for a sliding window `w < s`, `(w + 1) / 2` within chunks of `w`
/// (sequences a whole number of chunks; FlashAttention skips masked blocks). The
/// model-FLOPs convention (training_flops_per_token) counts all `s` positions instead.
Flops causal_attention_flops_per_token(const LayerStack& m, double sequence_length);

/// A training step's attention kernels, priced apart from the weight GEMMs: the causal FLOPs they
/// execute (forward, backward = 2.5 x forward: FlashAttention's backward runs five matmuls to the
/// forward's two, and the forward again under full recomputation), at the 16-bit peak (FP8
/// recipes keep attention in bf16) and the kernel family's efficiency on the GPU's architecture.
struct AttentionTime {
    AttentionKernel kernel = AttentionKernel::sdpa;
    Flops forward;   ///< executed, per step (all GPUs), recomputation included
    Flops backward;  ///< executed, per step (all GPUs)
    FlopsPerSecond peak{0};  ///< one GPU's 16-bit dense peak
    double eta_forward = 0;
    double eta_backward = 0;
    bool measured = false;  ///< false: no row for this kernel and architecture, GEMM efficiency used
    Seconds time;
};

struct TrainingPerformance {
    Seconds step_time;
    Seconds compute;                ///< weight-GEMM time plus attention time, with recomputation
    AttentionTime attention;        ///< the attention part of `compute`
    Flops convention_attention;     ///< per step: the model-FLOPs convention's attention inside `hardware_flops`
    Seconds communication;          ///< exposed (not overlapped) communication
    Seconds bubble;                 ///< pipeline bubble
    Seconds host_transfer;          ///< exposed PCIe copies of what `offload` keeps on the host
    Seconds tensor_communication;   ///< exposed parts of `communication`, by kind
    Seconds data_communication;
    Seconds pipeline_communication;
    Seconds context_communication;
    Flops model_flops;              ///< per step
    Flops hardware_flops;           ///< per step, with recomputation
    double micro_batches = 1;       ///< per data-parallel replica per step
    double tokens_per_step = 0;
    double tokens_per_s = 0;
    double tokens_per_s_per_gpu = 0;
    double mfu = 0;                 ///< model FLOPs/s over N * dense bf16 (or compute precision) peak
    double hfu = 0;                 ///< hardware FLOPs (with recomputation) over the same peak
    std::int64_t gradient_accumulation = 1;
    std::optional<Seconds> time_to_train;        ///< including the goodput lost to interruptions
    std::optional<Seconds> time_to_train_ideal;  ///< without interruptions
    FailureEstimate failures;
    Bound bound = Bound::compute;
};

/// Model FLOPs per trained token: `6 * P_active_matmul + 12 * L * s * a * d_h` (attention counted
/// without the causal saving, as PaLM's MFU and llm-foundry do). LoRA/QLoRA skip weight gradients
/// of the frozen base: `4 * P` instead of `6 * P`.
Flops training_flops_per_token(const ModelArchitecture& m, double sequence_length, TrainingMethod method);
/// The same from the model's layer stack and its parameters already counted (the estimators pass
/// the problem's).
Flops training_flops_per_token(const LayerStack& m, double sequence_length, TrainingMethod method);

std::optional<TrainingPerformance> estimate_training_performance(const Problem& p, const Device& d, const Layout& l);
/// The same on a recipe already resolved for `l` (memory.hpp training_recipe).
std::optional<TrainingPerformance> estimate_training_performance(const Problem& p, const Device& d, const Layout& l,
                                                                 const TrainingRecipe& recipe);

}  // namespace gpusize
