// What one estimate runs on: a Device (a catalog GPU, or a MIG-style slice of one, with its
// resolved memory, bandwidth and compute) and a Layout (the parallel degrees over GPUs).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "gpusize/catalog.hpp"

namespace gpusize {

/// Parallel degrees. GPUs used = tensor * pipeline * data * context; expert parallelism is carved
/// out of data parallelism (Megatron's convention), so it adds no GPUs and must divide `data`.
struct Layout {
    std::int64_t tensor = 1;
    std::int64_t pipeline = 1;
    std::int64_t data = 1;
    std::int64_t expert = 1;
    std::int64_t context = 1;
    std::int64_t gpus() const { return tensor * pipeline * data * context; }
    friend auto operator<=>(const Layout&, const Layout&) = default;
};

/// A GPU or a slice of one, as the estimators see it.
struct Device {
    const Gpu* gpu = nullptr;
    std::optional<Partition> partition;

    /// `h100-sxm-80gb` or `h100-sxm-80gb:1g.10gb`.
    std::string id() const;
    std::string name() const;
    Bytes usable_memory() const;
    BytesPerSecond memory_bandwidth() const;
    /// Dense peak in `t`, scaled by the slice's compute share; nullopt if the part lacks it.
    std::optional<FlopsPerSecond> peak(DType t) const;
    /// The slice's share of the GPU for pricing and power (1 for a whole GPU).
    double share() const;
};

Device whole(const Gpu& gpu);

}  // namespace gpusize
