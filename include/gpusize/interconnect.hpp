// Collective communication time on the links a layout actually uses (docs/estimation.md §7):
// inside a node over the scale-up link (NVLink, Infinity Fabric) or PCIe, across nodes over the
// scale-out network, each derated by the catalog's measured all-reduce efficiency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gpusize/device.hpp"

namespace gpusize {

/// The link a group of `group` consecutive GPUs communicates over.
struct CollectiveLink {
    std::string kind;       ///< "nvlink", "pcie", "infiniband", ...
    BytesPerSecond bus;     ///< achieved all-reduce bus bandwidth
    bool crosses_nodes = false;
};

/// GPUs that share a node's fast link: the scale-up domain where the part has one (NVL72: 72),
/// otherwise `gpus_per_node`.
std::int64_t node_size(const Gpu& g, std::optional<std::int64_t> gpus_per_node);

/// The link for a group of `group` GPUs whose members are `stride` GPUs apart (TP: 1; DP: t*p).
/// nullopt when the group must cross nodes and the part has no scale-out link in the catalog.
std::optional<CollectiveLink> collective_link(const Gpu& g, std::int64_t group, std::int64_t stride,
                                              std::optional<std::int64_t> gpus_per_node);

/// Ring all-reduce of `size` bytes among `n` GPUs in 2(n-1) steps:
/// `2*(n-1)/n * size / bus + 2*(n-1) * step_latency`.
Seconds allreduce_time(Bytes size, std::int64_t n, BytesPerSecond bus, Seconds step_latency);

/// All-gather or reduce-scatter: half an all-reduce, `(n-1)/n * size / bus + (n-1) * step_latency`.
Seconds allgather_time(Bytes size, std::int64_t n, BytesPerSecond bus, Seconds step_latency);

}  // namespace gpusize
