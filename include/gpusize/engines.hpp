// Serving engines as data: one row per engine says how it turns GPU memory into a KV pool, what
// its memory profile charges, and what it costs in runtime memory (docs/estimation.md §3.4). The
// estimators and explain read the row; adding an engine is a row here, its spelling in the spec,
// and nothing in the estimators.
#pragma once

#include <optional>
#include <string_view>

#include "gpusize/calibration.hpp"
#include "gpusize/spec.hpp"

namespace gpusize {

/// How an engine sizes its KV pool from the memory it may use.
enum class KvPoolRule {
    /// share x total memory holds weights, the profiled activation peak, overhead and the pool
    /// (vLLM's --gpu-memory-utilization).
    share_of_total,
    /// the share of what is free after weights, activations and overhead (TensorRT-LLM's
    /// KvCacheConfig.free_gpu_memory_fraction).
    share_of_free,
    /// share x total memory holds weights and the pool; activations and overhead must fit in the
    /// rest (SGLang's --mem-fraction-static).
    static_share,
    /// everything usable less headroom, after weights, activations and overhead.
    remainder,
};

struct EngineProfile {
    Engine engine;
    /// The share of memory the rule takes when the spec's gpu_memory_utilization does not say,
    /// and the engine's own name for it (empty: the engine has none).
    double memory_fraction;
    std::string_view fraction_setting;
    KvPoolRule pool;
    /// The engine profiles a full prefill chunk and a full sampler batch at start-up and reserves
    /// the larger (vLLM, SGLang); otherwise it holds the prompts and logits actually in flight.
    bool profiles_peak;
    /// Sliding-window layers get a full-length cache (vLLM 0.19's bytes per token for Gemma 2 and
    /// gpt-oss match the full-attention count; shared/validation llm-d-planner logs).
    bool windowed_kv_at_full_length;
    /// Runtime memory per GPU outside the pool.
    Constant overhead;
    /// More of it when tensor parallel > 1 (vLLM's custom all-reduce buffers).
    std::optional<Constant> tensor_parallel_overhead;
    /// NCCL buffers when the GPUs of a replica communicate (tensor x pipeline > 1).
    bool nccl_buffers;
    /// explain: the formula ids and texts of the budget and the pool, and the overhead's text.
    std::string_view budget_formula, budget_text, pool_formula, pool_text, overhead_text;
};

/// The row of `e`.
const EngineProfile& engine_profile(Engine e);

/// The share of memory an engine's rule takes when the spec's gpu_memory_utilization does not
/// say: vLLM's --gpu-memory-utilization (0.9), TensorRT-LLM's free_gpu_memory_fraction (0.9),
/// SGLang's --mem-fraction-static for 80 GB-class GPUs (0.88); generic takes all (1.0).
inline double engine_memory_fraction(Engine e) { return engine_profile(e).memory_fraction; }

}  // namespace gpusize
