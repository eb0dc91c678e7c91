// Collective links and times (interconnect.hpp) on the toy GPU of fixtures.hpp.
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "gpusize/interconnect.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("PCIe bandwidth per direction from generation and lanes") {
    Gpu g = toy_gpu();
    // 16 GT/s * 128/130 / 8 bits * 16 lanes
    CHECK(g.pcie_bandwidth().value() == Approx(16e9 * 128 / 130 / 8 * 16));
    g.pcie_generation = 5;
    CHECK(g.pcie_bandwidth().value() == Approx(32e9 * 128 / 130 / 8 * 16));
}

TEST_CASE("groups inside the NVLink domain use NVLink, wider ones the scale-out network") {
    const Gpu g = toy_gpu();
    const auto nv = collective_link(g, 4, 1, std::nullopt);
    REQUIRE(nv);
    CHECK(nv->kind == "nvlink");
    CHECK(nv->bus.value() == Approx(8e11 * 0.5 * 0.5));  // one direction, derated
    CHECK_FALSE(nv->crosses_nodes);
    const auto ib = collective_link(g, 4, 4, std::nullopt);  // spans 16 GPUs
    REQUIRE(ib);
    CHECK(ib->kind == "infiniband");
    CHECK(ib->crosses_nodes);
    CHECK(ib->bus.value() == Approx(5e10 * 0.5));
    CHECK(collective_link(g, 4, 1, 2)->crosses_nodes);  // nodes of 2 GPUs
}

TEST_CASE("PCIe-only parts use PCIe inside a node and have no way across without a scale-out link") {
    Gpu g = toy_gpu();
    g.scale_up.reset();
    CHECK(collective_link(g, 4, 1, std::nullopt)->kind == "pcie");
    g.scale_out.reset();
    CHECK_FALSE(collective_link(g, 16, 1, std::nullopt).has_value());
    CHECK(node_size(g, std::nullopt) == 8);
}

TEST_CASE("ring all-reduce and all-gather times") {
    CHECK(allreduce_time(Bytes(1e9), 4, bytes_per_s(1e11), Seconds(0)).value() == Approx(0.015));  // 2 * 3/4 * 1e9 / 1e11
    CHECK(allgather_time(Bytes(1e9), 4, bytes_per_s(1e11), Seconds(0)).value() == Approx(0.0075));
    CHECK(allreduce_time(Bytes(1e9), 1, bytes_per_s(1e11), seconds(1)).value() == 0);  // no peers, no traffic
    // latency: 2(n - 1) ring steps
    CHECK(allreduce_time(Bytes(0), 2, bytes_per_s(1e11), microseconds(10)).value() == Approx(20e-6));
    CHECK(allreduce_time(Bytes(0), 8, bytes_per_s(1e11), microseconds(3)).value() == Approx(42e-6));
    CHECK(allgather_time(Bytes(0), 8, bytes_per_s(1e11), microseconds(3)).value() == Approx(21e-6));
}
