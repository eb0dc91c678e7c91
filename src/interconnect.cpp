#include "gpusize/interconnect.hpp"

namespace gpusize {

std::int64_t node_size(const Gpu& g, std::optional<std::int64_t> gpus_per_node) {
    if (gpus_per_node) return *gpus_per_node;
    if (g.scale_up && g.scale_up->domain_size > 8) return g.scale_up->domain_size;
    return 8;
}

std::optional<CollectiveLink> collective_link(const Gpu& g, std::int64_t group, std::int64_t stride,
                                              std::optional<std::int64_t> gpus_per_node) {
    if (group <= 1) return CollectiveLink{.kind = "none", .bus = BytesPerSecond(1e30), .crosses_nodes = false};
    const std::int64_t node = node_size(g, gpus_per_node);
    const std::int64_t span = group * stride;
    if (span > node) {
        if (!g.scale_out) return std::nullopt;
        return CollectiveLink{.kind = g.scale_out->kind,
                              .bus = g.scale_out->bandwidth * g.efficiency.allreduce_inter_node,
                              .crosses_nodes = true};
    }
    if (g.scale_up && span <= g.scale_up->domain_size)
        return CollectiveLink{.kind = g.scale_up->kind,
                              .bus = g.scale_up->bandwidth * 0.5 * g.efficiency.allreduce_intra_node,
                              .crosses_nodes = false};
    return CollectiveLink{.kind = "pcie", .bus = g.pcie_bandwidth() * g.efficiency.allreduce_intra_node, .crosses_nodes = false};
}

Seconds allreduce_time(Bytes size, std::int64_t n, BytesPerSecond bus, Seconds latency) {
    if (n <= 1) return Seconds(0);
    const double steps = 2.0 * static_cast<double>(n - 1);
    return size * (steps / static_cast<double>(n)) / bus + latency * steps;
}

Seconds allgather_time(Bytes size, std::int64_t n, BytesPerSecond bus, Seconds latency) {
    if (n <= 1) return Seconds(0);
    const double steps = static_cast<double>(n - 1);
    return size * (steps / static_cast<double>(n)) / bus + latency * steps;
}

}  // namespace gpusize
