// Toy hardware and models for estimator tests: numbers chosen so every term can be computed by
// hand in the test's comments.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "gpusize/catalog.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/problem.hpp"

namespace gpusize::test {

/// A file of the source tree, by its path from the repository root, byte for byte.
inline std::string read_source(const std::string& relative) {
    std::ifstream f(std::string(GPUSIZE_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + relative);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

/// The bundled catalog, parsed once per test executable.
inline const Catalog& bundled_catalog() {
    static const Catalog c = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
    return c;
}

/// A GPU with round numbers: 10 GiB usable (12 GiB nominal), 1e12 B/s, 1e14 FLOP/s bf16, 2e14 fp8,
/// NVLink 8e11 B/s bidirectional in domains of 8, PCIe 4 x16, scale-out 5e10 B/s, efficiencies
/// 0.5 (memory), 0.5 (matmul), 0.5 / 0.5 (all-reduce), 300 W, 2 USD/h, 20,000 USD purchase.
inline Gpu toy_gpu() {
    Gpu g;
    g.id = "toy";
    g.name = "Toy GPU";
    g.vendor = "nvidia";
    g.architecture = "hopper";
    g.memory = gib(12);
    g.usable_memory = gib(10);
    g.memory_bandwidth = bytes_per_s(1e12);
    g.dense_flops[DType::bf16] = flops_per_s(1e14);
    g.dense_flops[DType::fp16] = flops_per_s(1e14);
    g.dense_flops[DType::fp8] = flops_per_s(2e14);
    g.scale_up = Link{.kind = "nvlink", .generation = "4", .bandwidth = bytes_per_s(8e11), .domain_size = 8};
    g.pcie_generation = 4;
    g.pcie_lanes = 16;
    g.scale_out = Link{.kind = "infiniband", .generation = "ndr", .bandwidth = bytes_per_s(5e10), .domain_size = 1};
    g.efficiency = Efficiency{.memory_bandwidth = 0.5, .matmul = 0.5, .allreduce_intra_node = 0.5, .allreduce_inter_node = 0.5,
                              .source = "test", .measured = true};
    g.tdp_watts = 300;
    g.prices.push_back(Price{"cloud-a", usd_per_hour(2.0), "2026-01-01", "test"});
    g.prices.push_back(Price{"cloud-b", usd_per_hour(3.0), "2026-01-01", "test"});
    g.purchase = PurchasePrice{usd(20000), "2026-01-01", "test"};
    return g;
}

/// 4 layers, h = 1024, 8 heads of 128, 2 KV heads, gated MLP 4096, vocabulary 1000, untied.
inline ModelArchitecture toy_architecture() {
    ModelArchitecture m;
    m.layers = 4;
    m.hidden_size = 1024;
    m.attention_heads = 8;
    m.kv_heads = 2;
    m.head_dim = 128;
    m.intermediate_size = 4096;
    m.vocab_size = 1000;
    return m;
}

/// An inference problem on the toy model: 1000 input + 200 output tokens, generic engine, bf16,
/// calibration constants zeroed where they would blur hand arithmetic.
inline Problem toy_inference(Engine engine = Engine::generic) {
    Problem p;
    p.spec.workload = Workload::inference;
    p.spec.inference.input_tokens = 1000;
    p.spec.inference.output_tokens = 200;
    p.spec.inference.engine = engine;
    p.model.id = "toy";
    p.model.architecture = toy_architecture();
    describe(p.model);
    // The toy GPU's 0.5 is meant as the end-to-end matmul efficiency: no further workload fraction.
    p.calibration.set("workload_matmul_fraction", 1.0);
    return p;
}

inline Problem toy_training() {
    Problem p = toy_inference();
    p.spec.workload = Workload::training;
    p.spec.training.sequence_length = 1000;
    p.spec.training.micro_batch = 2;
    return p;
}

}  // namespace gpusize::test
