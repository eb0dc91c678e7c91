#include "gpusize/device.hpp"

namespace gpusize {

std::string Device::id() const { return partition ? gpu->id + ":" + partition->profile : gpu->id; }

std::string Device::name() const { return partition ? gpu->name + " (MIG " + partition->profile + ")" : gpu->name; }

Bytes Device::usable_memory() const { return partition ? partition->memory : gpu->usable_memory; }

BytesPerSecond Device::memory_bandwidth() const {
    return partition ? gpu->memory_bandwidth * partition->bandwidth_fraction : gpu->memory_bandwidth;
}

std::optional<FlopsPerSecond> Device::peak(DType t) const {
    auto p = gpu->peak(t);
    if (p && partition) *p = *p * partition->compute_fraction;
    return p;
}

double Device::share() const {
    // A slice is billed and powered by the larger of its compute and memory shares.
    if (!partition) return 1.0;
    const double memory_share = partition->memory / gpu->usable_memory;
    return std::min(1.0, std::max(partition->compute_fraction, memory_share));
}

Device whole(const Gpu& gpu) { return Device{.gpu = &gpu, .partition = std::nullopt}; }

}  // namespace gpusize
