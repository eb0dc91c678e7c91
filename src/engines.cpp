#include "gpusize/engines.hpp"

#include <array>

namespace gpusize {
namespace {

constexpr std::string_view remainder_pool = "memory budget - weights - activation peak - runtime overhead";
constexpr std::string_view capacity_budget = "usable memory x (1 - headroom); the engine's fraction applies to what is left";
constexpr std::string_view runtime_overhead = "CUDA context and runtime (+ NCCL buffers when GPUs communicate), in GiB";

const std::array<EngineProfile, 4> profiles{{
    {.engine = Engine::vllm,
     .memory_fraction = 0.9,  // vLLM --gpu-memory-utilization default
     .fraction_setting = "--gpu-memory-utilization",
     .pool = KvPoolRule::share_of_total,
     .profiles_peak = true,
     .windowed_kv_at_full_length = true,
     .overhead = Constant::vllm_non_torch_gib,
     .tensor_parallel_overhead = Constant::vllm_tp_buffers_gib,
     .nccl_buffers = false,
     .budget_formula = "budget.vllm",
     .budget_text = "min(usable memory x gpu_memory_utilization, usable memory x (1 - headroom))",
     .pool_formula = "kv_pool.remainder",
     .pool_text = remainder_pool,
     .overhead_text = "vLLM's non-torch memory (+ its all-reduce buffers under tensor parallel), in GiB"},
    {.engine = Engine::trtllm,
     .memory_fraction = 0.9,  // TensorRT-LLM KvCacheConfig.free_gpu_memory_fraction default
     .fraction_setting = "free_gpu_memory_fraction",
     .pool = KvPoolRule::share_of_free,
     .profiles_peak = false,
     .windowed_kv_at_full_length = false,
     .overhead = Constant::runtime_overhead_gib,
     .tensor_parallel_overhead = std::nullopt,
     .nccl_buffers = true,
     .budget_formula = "capacity",
     .budget_text = capacity_budget,
     .pool_formula = "kv_pool.trtllm",
     .pool_text = "(memory budget - weights - activations - overhead) x free_gpu_memory_fraction",
     .overhead_text = runtime_overhead},
    {.engine = Engine::sglang,
     .memory_fraction = 0.88,  // SGLang --mem-fraction-static for 80 GB-class GPUs
     .fraction_setting = "--mem-fraction-static",
     .pool = KvPoolRule::static_share,
     .profiles_peak = true,
     .windowed_kv_at_full_length = false,
     .overhead = Constant::runtime_overhead_gib,
     .tensor_parallel_overhead = std::nullopt,
     .nccl_buffers = true,
     .budget_formula = "capacity",
     .budget_text = capacity_budget,
     .pool_formula = "kv_pool.sglang",
     .pool_text = "min(usable memory x mem_fraction_static - weights, memory budget - weights - activations - overhead)",
     .overhead_text = runtime_overhead},
    {.engine = Engine::generic,
     .memory_fraction = 1.0,
     .fraction_setting = "",
     .pool = KvPoolRule::remainder,
     .profiles_peak = false,
     .windowed_kv_at_full_length = false,
     .overhead = Constant::runtime_overhead_gib,
     .tensor_parallel_overhead = std::nullopt,
     .nccl_buffers = true,
     .budget_formula = "capacity",
     .budget_text = capacity_budget,
     .pool_formula = "kv_pool.remainder",
     .pool_text = remainder_pool,
     .overhead_text = runtime_overhead},
}};

}  // namespace

const EngineProfile& engine_profile(Engine e) {
    for (const auto& p : profiles)
        if (p.engine == e) return p;
    return profiles.back();
}

}  // namespace gpusize
