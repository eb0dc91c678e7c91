// Comparing a run with an earlier JSON report (baseline.hpp).
#include <catch2/catch.hpp>

#include "gpusize/baseline.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"

using namespace gpusize;

namespace {

const Catalog& catalog() {
    static const Catalog c = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
    return c;
}

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

TEST_CASE("a changed workload: costs move, ranks are compared, deployments that left are dropped") {
    const Report before = plan_for(200), after = plan_for(2000);
    const auto d = diff_against_baseline(after, render_report_json(before), "old.json", 3);
    std::size_t changed = 0, added = 0, dropped = 0;
    for (const auto& c : d.changes) {
        changed += c.status == "changed";
        added += c.status == "new";
        dropped += c.status == "dropped";
        if (c.status == "changed") CHECK(c.usd_per_unit_before != c.usd_per_unit_after);
    }
    CHECK(changed + added == 3);  // the current top three, each matched or new
    // dropped: in the baseline's top three and not in the current one
    std::size_t left = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto& e = before.candidates[i];
        bool still = false;
        for (std::size_t j = 0; j < 3; ++j) still |= after.candidates[j].device.id() == e.device.id() && after.candidates[j].layout == e.layout;
        left += !still;
    }
    CHECK(dropped == left);
    for (const auto& c : d.changes)
        if (c.status == "dropped") CHECK((c.rank_before && *c.rank_before <= 3 && !c.rank_after));
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
}
