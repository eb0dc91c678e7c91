// Advice apart from the search (advice.hpp): check's choice of one deployment, explain's default,
// and --solve gpus for training. Closest-to-passing, serving limits and what-would-fit are covered
// with the search in test_planner.cpp.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "fixtures.hpp"
#include "gpusize/advice.hpp"

using namespace gpusize;
using namespace gpusize::test;

namespace {

Problem eight_b(Workload w, std::vector<std::string> gpus) {
    Spec s;
    s.model.preset = "llama-3.1-8b";
    s.workload = w;
    s.inference.input_tokens = 2048;
    s.inference.output_tokens = 256;
    s.training.sequence_length = 4096;
    s.training.micro_batch = 1;
    s.deployment.gpus = std::move(gpus);
    return make_problem(s, bundled_models(), std::nullopt);
}

std::string usage_message(const Problem& p) {
    try {
        check_deployment(p, bundled_catalog());
    } catch (const UsageError& e) {
        return e.diagnostics().front().message;
    }
    return "no error";
}

}  // namespace

TEST_CASE("check: a layout pinned whole is evaluated as given") {
    Problem p = eight_b(Workload::inference, {"h100-sxm-80gb"});
    p.spec.deployment.tensor_parallel = 2;
    p.spec.deployment.pipeline_parallel = 1;
    p.spec.deployment.data_parallel = 3;
    const Evaluation e = check_deployment(p, bundled_catalog());
    CHECK(e.gpu_count == 6);
    CHECK(e.layout.tensor == 2);
    CHECK(e.layout.data == 3);
}

TEST_CASE("check: impossible or inconsistent pins are usage errors that say why") {
    Problem p = eight_b(Workload::inference, {"h100-sxm-80gb"});
    p.spec.deployment.tensor_parallel = 3;
    p.spec.deployment.pipeline_parallel = 1;
    p.spec.deployment.data_parallel = 1;
    CHECK(usage_message(p) == "impossible layout tp 3 x pp 1 x dp 1 on 'h100-sxm-80gb': tensor parallel 3 does not divide 32 "
                              "attention heads");
    p.spec.deployment.tensor_parallel = 2;
    p.spec.deployment.data_parallel.reset();
    p.spec.deployment.gpu_count = 3;
    CHECK(usage_message(p) == "gpu count 3 does not equal tp 2 x pp 1 x dp 1 = 2");
    p.spec.deployment.gpus = {"h100-sxm-80gb", "l40s"};
    CHECK(usage_message(p) == "check evaluates one GPU type: give --gpu ID or a single id in the spec's deployment.gpus");
}

TEST_CASE("check: without pins, one GPU; with a count, the search's best layout of that count") {
    Problem p = eight_b(Workload::inference, {"l40s"});
    CHECK(check_deployment(p, bundled_catalog()).gpu_count == 1);
    p.spec.deployment.gpu_count = 4;
    const Evaluation e = check_deployment(p, bundled_catalog());
    CHECK(e.gpu_count == 4);
    CHECK(e.device.id() == "l40s");
}

TEST_CASE("explain's default is the plan's best candidate, unranked") {
    const Problem p = eight_b(Workload::inference, {"h100-sxm-80gb", "l40s"});
    const Evaluation e = best_or_closest(p, bundled_catalog());
    const Plan plan = plan_deployments(p, bundled_catalog());
    REQUIRE_FALSE(plan.candidates.empty());
    CHECK(e.rank == 0);
    CHECK(deployment_id(e) == deployment_id(plan.candidates.front()));
}

TEST_CASE("solve gpus for training drops the pinned count and degrees") {
    Problem p = eight_b(Workload::training, {"h100-sxm-80gb"});
    p.spec.deployment.gpu_count = 16;
    p.spec.deployment.tensor_parallel = 8;
    const Evaluation e = check_deployment(p, bundled_catalog());
    REQUIRE(e.gpu_count == 16);
    const auto fewest = fewest_training_gpus(p, bundled_catalog(), e);
    REQUIRE(fewest);
    // Full training of 8B with AdamW needs about 16 bytes per parameter: more than one 80 GB GPU,
    // far fewer than 16.
    CHECK(*fewest > 1);
    CHECK(*fewest < 16);
}

TEST_CASE("solve rate: the rate returned meets every target, 10% more does not, and it is below capacity") {
    Problem p = eight_b(Workload::inference, {"h100-sxm-80gb"});
    p.spec.deployment.gpu_count = 1;
    p.spec.inference.targets.ttft_p90 = milliseconds(300);
    p.spec.inference.arrival = Arrival{.requests_per_s = 1, .burstiness = 1.5, .users = std::nullopt};
    const Evaluation e = check_deployment(p, bundled_catalog());
    const auto rate = solve_max_rate(p, e);
    REQUIRE(rate);
    auto at = [&](double r) {
        Problem q = p;
        q.spec.inference.arrival->requests_per_s = r;
        return evaluate(q, e.device, e.layout);
    };
    const Evaluation ok = at(*rate), over = at(*rate * 1.1);
    CHECK(ok.meets_targets);
    CHECK_FALSE(over.meets_targets);
    REQUIRE(ok.inference->loaded);
    CHECK(ok.inference->loaded->ttft->p90 <= milliseconds(300));
    CHECK(*rate < e.inference->performance.requests_per_s);
    CHECK(fmt::format("{}", *rate).size() <= 5);  // 3 significant digits, as printed

    // Without a percentile target, the limit is the capacity itself.
    p.spec.inference.targets.ttft_p90.reset();
    const auto unbounded = solve_max_rate(p, e);
    REQUIRE(unbounded);
    CHECK(*unbounded < e.inference->performance.requests_per_s);
    CHECK(*unbounded * 1.1 > e.inference->performance.requests_per_s);

    // An unloaded target no rate can meet: none.
    p.spec.inference.targets.ttft = milliseconds(0.001);
    CHECK_FALSE(solve_max_rate(p, e));

    p.spec.inference.arrival = Arrival{.requests_per_s = std::nullopt, .burstiness = 1, .users = 10};
    CHECK_THROWS_AS(solve_max_rate(p, e), UsageError);
}
