// The table renderer's terminal behaviour (render.hpp): colour only when asked, prose wrapped to
// the terminal's width; and the planner's progress callback the CLI uses for long searches.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include <sstream>

#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"

using namespace gpusize;

namespace {

const Catalog& catalog() { return test::bundled_catalog(); }

Problem problem() {
    Spec s;
    s.model.preset = "llama-3.1-8b";
    s.inference.input_tokens = 1000;
    s.inference.output_tokens = 200;
    s.deployment.gpus = {"h100-sxm-80gb"};
    s.deployment.max_gpus = 2;
    return make_problem(s, bundled_models(), std::nullopt);
}

}  // namespace

TEST_CASE("colour only when asked: the verdict is green, red or yellow") {
    const Problem p = problem();
    const Report r = make_check_report(p, catalog(), evaluate(p, whole(*catalog().find_id("h100-sxm-80gb")), Layout{}));
    const std::string plain = render_report_table(r, RenderOptions{});
    CHECK(plain.find("verdict: OK\n") != std::string::npos);
    CHECK(plain.find('\033') == std::string::npos);
    RenderOptions coloured;
    coloured.color = true;
    CHECK(render_report_table(r, coloured).find("verdict: \033[1;32mOK\033[0m\n") != std::string::npos);
}

TEST_CASE("prose wraps to the width, continuation lines indented under the text") {
    const Problem p = problem();
    const Report r = make_plan_report(p, catalog(), plan_deployments(p, catalog()));
    RenderOptions narrow;
    narrow.width = 60;
    std::istringstream lines(render_report_table(r, narrow));
    bool in_assumptions = false, wrapped = false;
    for (std::string line; std::getline(lines, line);) {
        if (line == "assumptions:") in_assumptions = true;
        if (!in_assumptions || line.rfind("  (", 0) == 0) continue;
        INFO(line);
        CHECK(line.size() <= 60);
        if (line.rfind("    ", 0) == 0) wrapped = true;
    }
    CHECK(wrapped);
}

TEST_CASE("the planner reports progress after every evaluated layout") {
    const Problem p = problem();
    std::size_t calls = 0, last = 0;
    PlanOptions o;
    o.progress = [&](std::size_t n) {
        ++calls;
        last = n;
    };
    const Plan plan = plan_deployments(p, catalog(), o);
    CHECK(calls == plan.evaluated);
    CHECK(last == plan.evaluated);
}

TEST_CASE("a small negative headroom reads as such, not as -0%") {
    const Problem p = problem();
    Evaluation e = evaluate(p, whole(*catalog().find_id("h100-sxm-80gb")), Layout{});
    REQUIRE(e.inference);
    e.inference->headroom = -0.003;
    const std::string text = render_report_table(make_check_report(p, catalog(), e), RenderOptions{});
    CHECK(text.find("throughput headroom -0.3%\n") != std::string::npos);
    e.inference->headroom = 0.25;
    CHECK(render_report_table(make_check_report(p, catalog(), e), RenderOptions{}).find("throughput headroom 25%\n") != std::string::npos);
}
