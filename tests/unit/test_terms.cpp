// explain's terms (terms.hpp): every value recomputes from the inputs printed next to it.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "fixtures.hpp"
#include "gpusize/terms.hpp"

using namespace gpusize;
using namespace gpusize::test;

namespace {

const Catalog& catalog() { return bundled_catalog(); }

/// Candidates and rejected options with an estimate, a spread of each.
std::vector<Evaluation> sample(const Plan& plan) {
    std::vector<Evaluation> out;
    for (std::size_t i = 0; i < plan.candidates.size(); i += 11) out.push_back(plan.candidates[i]);
    for (std::size_t i = 0; i < plan.rejected.size(); i += 13)
        if (plan.rejected[i].inference || plan.rejected[i].training) out.push_back(plan.rejected[i]);
    return out;
}

}  // namespace

TEST_CASE("every explain term recomputes from its listed inputs") {
    std::size_t checked = 0, training = 0;
    for (const char* file : {"examples/chat-llama-3.1-8b.yaml", "examples/chat-llama-3.1-70b.yaml", "examples/moe-mixtral-8x7b.yaml",
                             "examples/batch-offline-llama-3.1-70b-int4.yaml", "examples/rag-long-context-qwen2.5-72b.yaml",
                             "examples/edge-llama-3.2-3b.yaml", "examples/pretrain-llama-3.1-70b.yaml",
                             "examples/finetune-lora-llama-3.1-8b.yaml", "examples/finetune-qlora-llama-3.1-70b.yaml"}) {
        for (const Engine engine : {Engine::vllm, Engine::trtllm, Engine::sglang, Engine::generic}) {
            Spec spec = parse_spec(read_source(file), file);
            if (spec.workload == Workload::training && engine != Engine::vllm) continue;
            spec.inference.engine = engine;
            Problem p = make_problem(spec, bundled_models(), std::nullopt);
            resolve_gpu_names(p, catalog());
            for (const Evaluation& e : sample(plan_deployments(p, catalog()))) {
                for (const Term& t : explain_terms(p, e)) {
                    INFO(fmt::format("{} {} {}: {} ({})", file, to_string(engine), deployment_label(deployment_id(e)), t.name,
                                     t.formula_id));
                    if (t.formula_id == "choice" || !t.value) continue;
                    const auto again = recompute(t);
                    REQUIRE(again.has_value());
                    CHECK(*again == Approx(*t.value).epsilon(1e-9).margin(1e-9));
                    ++checked;
                    training += t.name.rfind("memory_per_gpu.", 0) == 0 && p.spec.workload == Workload::training;
                }
            }
        }
    }
    CHECK(checked > 2000);
    CHECK(training > 100);  // the training peak's terms, every one recomputed
}

TEST_CASE("recompute: a formula over named inputs, nothing for a choice or a missing input") {
    Term t{.name = "inference.requests_per_s", .formula_id = "requests", .formula = "", .inputs = {}, .value = 2.0, .unit = "",
           .source = ""};
    t.inputs = {{"output_tokens_per_s", 512.0, {}}, {"output_tokens", 256.0, {}}, {"engine", std::nullopt, "vllm"}};
    CHECK(recompute(t) == 2.0);
    t.inputs.pop_back();
    t.inputs.pop_back();
    CHECK_FALSE(recompute(t).has_value());
    t.formula_id = "choice";
    CHECK_FALSE(recompute(t).has_value());
    // A decode step of two kernels: the weights memory-bound, attention compute-bound.
    Term phase{.name = "inference.tpot_s", .formula_id = "phase.total", .formula = "", .inputs = {}, .value = std::nullopt, .unit = "s",
               .source = ""};
    phase.inputs = {{"weights_compute_s", 0.001, {}},   {"weights_memory_s", 0.004, {}}, {"attention_compute_s", 0.003, {}},
                    {"attention_memory_s", 0.002, {}}, {"communication_s", 0.0005, {}}, {"overhead_s", 0.0002, {}}};
    CHECK(*recompute(phase) == Approx(0.004 + 0.003 + 0.0005 + 0.0002));
}

TEST_CASE("the load model's explain terms recompute from their inputs, open and closed loop") {
    std::size_t loaded = 0;
    for (const char* file : {"examples/chat-llama-3.1-8b.yaml", "examples/chat-llama-3.1-70b.yaml", "examples/moe-mixtral-8x7b.yaml"}) {
        for (const Arrival& a : {Arrival{.requests_per_s = 0.5, .burstiness = 1, .users = std::nullopt},
                                 Arrival{.requests_per_s = 8, .burstiness = 2.5, .users = std::nullopt},
                                 Arrival{.requests_per_s = 1e6, .burstiness = 1, .users = std::nullopt},
                                 Arrival{.requests_per_s = std::nullopt, .burstiness = 1, .users = 3},
                                 Arrival{.requests_per_s = std::nullopt, .burstiness = 1, .users = 5000}}) {
            Spec spec = parse_spec(read_source(file), file);
            spec.inference.arrival = a;
            Problem p = make_problem(spec, bundled_models(), std::nullopt);
            resolve_gpu_names(p, catalog());
            for (const Evaluation& e : sample(plan_deployments(p, catalog()))) {
                for (const Term& t : explain_terms(p, e)) {
                    if (t.name.rfind("inference.loaded.", 0) != 0) continue;
                    INFO(fmt::format("{} {}: {} ({})", file, deployment_label(deployment_id(e)), t.name, t.formula_id));
                    REQUIRE(t.value);
                    const auto again = recompute(t);
                    REQUIRE(again.has_value());
                    CHECK(*again == Approx(*t.value).epsilon(1e-9).margin(1e-9));
                    ++loaded;
                }
            }
        }
    }
    CHECK(loaded > 300);
}
