// Every empirical constant the estimators use, in one table: a name (the key a spec's
// `calibration:` section overrides), a default, a unit and the source it comes from. Hardware
// efficiencies are not here: they live in the GPU catalog, per architecture or per part.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpusize {

enum class Constant : std::size_t {
    runtime_overhead_gib,
    nccl_buffers_gib,
    vllm_non_torch_gib,
    vllm_tp_buffers_gib,
    prefill_chunk_tokens,
    sampler_sequences,
    sampler_bytes_per_logit,
    activation_hidden_tensors,
    activation_mlp_tensors,
    decode_step_overhead_ms,
    prefill_overhead_ms,
    collective_step_latency_us,
    fp8_matmul_factor,
    workload_matmul_fraction,
    int8_weight_stream_factor,
    int4_weight_stream_factor,
    p2p_latency_us,
    int4_group_size,
    nf4_bits_per_parameter,
    training_runtime_overhead_gib,
    training_fragmentation,
    zero3_prefetch_layers,
    activation_offload_layers,
    dp_comm_overlap,
    tp_comm_overlap,
    cp_comm_overlap,
    host_offload_overlap,
    training_step_overhead_ms,
    interruptions_per_gpu_hour,
    checkpoint_write_gb_per_s,
    restart_minutes,
    count_
};

inline constexpr std::size_t constant_count = static_cast<std::size_t>(Constant::count_);

/// The values a constant may meaningfully take: from `min` (or, with `above_min`, anything above
/// it) up to `max`, whole numbers only when `whole`. Overlaps past 1 would make step times
/// negative, a matmul fraction of 0 infinite, a group size of 0 weights NaN.
struct ConstantRange {
    double min = 0;
    double max = 0;
    bool above_min = false;
    bool whole = false;
};

struct ConstantInfo {
    std::string_view name;
    double default_value;
    std::string_view unit;
    std::string_view source;
    ConstantRange range;
};

/// The table of constants, indexed by `Constant`.
const std::array<ConstantInfo, constant_count>& constant_table();

/// Constant values in force for one run: the defaults with the spec's overrides applied.
class Calibration {
public:
    Calibration();
    double operator[](Constant c) const { return values_[static_cast<std::size_t>(c)]; }
    bool overridden(Constant c) const { return overridden_[static_cast<std::size_t>(c)]; }
    /// Sets a constant by name; false if no constant has that name.
    bool set(std::string_view name, double value);
    /// Why `value` is outside the range of the constant `name` (a message naming the range and the
    /// unit), or nullopt when it is inside, or no constant has that name.
    static std::optional<std::string> range_problem(std::string_view name, double value);
    static std::vector<std::string> names();

private:
    std::array<double, constant_count> values_{};
    std::array<bool, constant_count> overridden_{};
};

}  // namespace gpusize
