// Comparing a run with an earlier JSON report (baseline.hpp).
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include "gpusize/baseline.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"

using namespace gpusize;

namespace {

const Catalog& catalog() { return test::bundled_catalog(); }

Report plan_for(std::int64_t output_tokens) {
    Spec s;
    s.model.preset = "llama-3.1-8b";
    s.inference.input_tokens = 1000;
    s.inference.output_tokens = output_tokens;
    s.deployment.gpus = {"h100-sxm-80gb", "l4"};
    s.deployment.max_gpus = 2;
    const Problem p = make_problem(s, bundled_models(), std::nullopt);
    return make_plan_report(p, catalog(), plan_deployments(p, catalog()));
}

}  // namespace

TEST_CASE("the same run against itself: every deployment unchanged") {
    const Report r = plan_for(200);
    const auto d = diff_against_baseline(r, render_report_json(r), "old.json", 3);
    REQUIRE(d.changes.size() == 3);
    for (const auto& c : d.changes) {
        INFO(c.deployment);
        CHECK(c.status == "unchanged");
        CHECK(c.rank_before == c.rank_after);
    }
}

TEST_CASE("a changed workload: costs move, every candidate is compared, only those that left are dropped") {
    const Report before = plan_for(200), after = plan_for(2000);
    const auto d = diff_against_baseline(after, render_report_json(before), "old.json", 3);
    auto candidate = [](const Report& r, const Evaluation& e) {
        for (const auto& c : r.candidates)
            if (c.device.id() == e.device.id() && c.layout == e.layout) return c.rank;
        return 0;
    };
    std::size_t current_top = 0;
    for (const auto& c : d.changes) {
        INFO(c.deployment << " " << c.status);
        // Each listed deployment is in the top three of one run or the other.
        CHECK(((c.rank_before && *c.rank_before <= 3) || (c.rank_after && *c.rank_after <= 3)));
        if (c.status == "changed") CHECK(c.usd_per_unit_before != c.usd_per_unit_after);
        if (c.status == "dropped") CHECK_FALSE(c.rank_after);
        current_top += c.rank_after && *c.rank_after <= 3;
    }
    CHECK(current_top == 3);
    // A deployment of the baseline's top three that is still a candidate anywhere is compared at its
    // new rank, not dropped; one that is no candidate any more is dropped.
    for (std::size_t i = 0; i < 3; ++i) {
        const Evaluation& e = before.candidates[i];
        const int rank_now = candidate(after, e);
        bool found = false;
        for (const auto& c : d.changes) {
            if (!c.rank_before || *c.rank_before != e.rank) continue;
            found = true;
            if (rank_now) CHECK((c.status == "changed" || c.status == "unchanged"));
            else CHECK(c.status == "dropped");
            if (rank_now) CHECK(c.rank_after == std::optional<int>(rank_now));
        }
        CHECK(found);
    }
}

TEST_CASE("deployments that differ only in expert parallelism or micro batch keep their own identity") {
    // Mixtral training: layouts that share tp/pp/dp and differ in expert parallelism; with
    // micro_batch: auto, the micro batch too. Against its own JSON, every one is unchanged.
    Spec s;
    s.workload = Workload::training;
    s.model.preset = "mixtral-8x7b";
    s.training.sequence_length = 4096;
    s.training.micro_batch_auto = true;
    s.training.global_batch = 64;
    s.deployment.gpus = {"h100-sxm-80gb"};
    s.deployment.max_gpus = 16;
    const Problem p = make_problem(s, bundled_models(), std::nullopt);
    const Report r = make_plan_report(p, catalog(), plan_deployments(p, catalog()));
    const auto d = diff_against_baseline(r, render_report_json(r), "old.json", r.candidates.size());
    REQUIRE(d.changes.size() == r.candidates.size());
    bool expert = false;
    for (const auto& c : d.changes) {
        INFO(c.deployment);
        CHECK(c.status == "unchanged");
        expert |= c.deployment.find(" ep") != std::string::npos;
    }
    CHECK(expert);
}

TEST_CASE("a file that is not a gpusize report is a usage error") {
    const Report r = plan_for(200);
    try {
        diff_against_baseline(r, R"({"gpus": []})", "gpus.json", 3);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "gpus.json: error: --baseline: not a gpusize JSON report of schema 1.x\n"
                                       "hint: give the JSON output of an earlier 'gpusize plan -o json' or 'check -o json'\n");
    }
    CHECK_THROWS_AS(diff_against_baseline(r, "# yaml", "spec.yaml", 3), UsageError);
    // nlohmann reads a NUL byte as the end of the document: a report followed by one and anything
    // else was taken for the report alone.
    try {
        diff_against_baseline(r, render_report_json(r) + std::string(1, '\0') + "garbage", "old.json", 3);
        FAIL("expected a UsageError");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "old.json: error: --baseline: not a gpusize JSON report: control character 0x00 at byte " +
                                           std::to_string(render_report_json(r).size() + 1) +
                                           "\n"
                                           "hint: give the JSON output of an earlier 'gpusize plan -o json' or 'check -o json'\n");
    }
}
