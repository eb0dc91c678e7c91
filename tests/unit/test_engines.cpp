// The serving-engine table (engines.hpp): one row per engine the spec can name, with the defaults
// each engine documents, and the memory estimate following the row's rule.
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "gpusize/engines.hpp"
#include "gpusize/memory.hpp"
#include "gpusize/vocabulary.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("every engine the spec accepts has its own row") {
    const auto names = spellings("inference.engine");
    REQUIRE(names.size() == 4);
    for (const Engine e : {Engine::vllm, Engine::trtllm, Engine::sglang, Engine::generic}) {
        const auto& row = engine_profile(e);
        CHECK(row.engine == e);
        CHECK(std::find(names.begin(), names.end(), std::string(to_string(e))) != names.end());
        CHECK(row.memory_fraction > 0);
        CHECK(row.memory_fraction <= 1);
        CHECK_FALSE(row.pool_text.empty());
        CHECK_FALSE(row.budget_text.empty());
    }
    // The documented defaults: vLLM --gpu-memory-utilization, TensorRT-LLM free_gpu_memory_fraction,
    // SGLang --mem-fraction-static (80 GB class), generic all.
    CHECK(engine_memory_fraction(Engine::vllm) == 0.9);
    CHECK(engine_memory_fraction(Engine::trtllm) == 0.9);
    CHECK(engine_memory_fraction(Engine::sglang) == 0.88);
    CHECK(engine_memory_fraction(Engine::generic) == 1.0);
}

TEST_CASE("each pool rule on the toy model, by hand") {
    // Toy GPU: 10 GiB usable. Weights 125,749,248 bytes; runtime overhead 0.75 GiB (805,306,368).
    const Gpu g = toy_gpu();
    const double usable = 10737418240.0, weights = 125'749'248, overhead = 805'306'368;
    SECTION("generic: everything left after weights, activations and overhead") {
        const Problem p = toy_inference(Engine::generic);
        const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
        CHECK(r.kv_pool.value() == Approx(usable - weights - r.breakdown.activations.value() - overhead));
        CHECK(r.forward == r.breakdown.activations - r.sampler);  // in flight: forward + logits
    }
    SECTION("TensorRT-LLM: its fraction of what is free") {
        const Problem p = toy_inference(Engine::trtllm);
        const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
        CHECK(r.kv_pool.value() == Approx(0.9 * (usable - weights - r.breakdown.activations.value() - overhead)));
    }
    SECTION("SGLang: the static share holds weights and pool") {
        const Problem p = toy_inference(Engine::sglang);
        const auto r = estimate_inference_memory(p, whole(g), Layout{}, 1);
        const double left = usable - weights - r.breakdown.activations.value() - overhead;
        CHECK(r.kv_pool.value() == Approx(std::min(0.88 * usable - weights, left)));
        CHECK(r.breakdown.activations == max(r.forward, r.sampler));  // profiled: the larger peak
    }
}
