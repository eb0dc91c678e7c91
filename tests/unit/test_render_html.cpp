// The HTML report (render.hpp): self-contained, with the three charts drawn from the report.
#include <catch2/catch.hpp>

#include <regex>

#include "gpusize/model_library.hpp"
#include "gpusize/planner.hpp"
#include "gpusize/render.hpp"

using namespace gpusize;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

/// The part of the page inside one chart's <svg>.
std::string chart(const std::string& html, const std::string& id) {
    const auto start = html.find("<svg id=\"" + id + "\"");
    REQUIRE(start != std::string::npos);
    return html.substr(start, html.find("</svg>", start) - start);
}

Report plan_report() {
    // Evaluations point into the catalog: it must outlive the report.
    static const Catalog catalog = parse_catalogs({{bundled_catalog_text(), "data/gpus.json"}});
    Spec s;
    s.name = "chat <8b> & co";
    s.model.preset = "llama-3.1-8b";
    s.inference.input_tokens = 1000;
    s.inference.output_tokens = 200;
    s.deployment.gpus = {"h100-sxm-80gb", "l4"};
    s.deployment.max_gpus = 4;
    const Problem p = make_problem(s, bundled_models(), std::nullopt);
    return make_plan_report(p, catalog, plan_deployments(p, catalog));
}

}  // namespace

TEST_CASE("the HTML report is one self-contained page with three charts") {
    const Report r = plan_report();
    REQUIRE(r.candidates.size() >= 3);
    const std::string html = render_report_html(r, RenderOptions{.top = 3, .verbose = false, .color = false, .width = std::nullopt});
    CHECK(html.rfind("<!doctype html>", 0) == 0);
    CHECK(count(html, "<script") == 0);
    // nothing is fetched: no external scripts, styles, images or fonts
    CHECK(count(html, "src=") == 0);
    CHECK(count(html, "<link") == 0);
    CHECK(count(html, "@import") == 0);
    CHECK(count(html, "url(") == 0);
    CHECK(count(html, "chat &lt;8b&gt; &amp; co") == 1);

    // memory: one row per shown deployment, a stacked rect per non-zero part, a capacity line each
    const std::string memory = chart(html, "memory-chart");
    CHECK(count(memory, "class=\"capacity\"") == 3 + 1);  // three rows and the legend
    CHECK(count(memory, "<title>weights:") == 3);

    // cost vs throughput: a point per priced candidate, and a frontier
    std::size_t priced = 0;
    for (const auto& e : r.candidates) priced += e.cost.per_hour && e.throughput > 0;
    const std::string pareto = chart(html, "pareto-chart");
    CHECK(count(pareto, "<circle") == priced);
    std::smatch m;
    const std::regex frontier(R"re(<polyline points="([^"]+)" class="frontier")re");
    REQUIRE(std::regex_search(pareto, m, frontier));
    CHECK(count(m[1].str(), ",") >= 1);

    // roofline: the roof and the prefill and decode of the best deployment
    const std::string roof = chart(html, "roofline-chart");
    CHECK(count(roof, "class=\"roof\"") == 1);
    CHECK(count(roof, "class=\"phase\"") == 2);
    CHECK(count(roof, "<title>prefill:") == 1);
    CHECK(count(roof, "<title>decode:") == 1);
}

TEST_CASE("the HTML report says when nothing fits, with what would") {
    Report r = plan_report();
    r.candidates.clear();
    r.suggestions = {"with precision.weights: int4: fits on 1 x l4"};
    const std::string html = render_report_html(r);
    CHECK(count(html, "Nothing fits.") == 1);
    CHECK(count(html, "with precision.weights: int4: fits on 1 x l4") == 1);
    CHECK(count(html, "<svg") == 0);
}

TEST_CASE("a free deployment stays off the log-scale cost chart") {
    // log10(0) is minus infinity: the axis labels ran from INT_MIN and the page never finished.
    Report r = plan_report();
    REQUIRE(!r.candidates.empty());
    for (auto& e : r.candidates) e.cost.per_hour = usd_per_hour(0);
    const std::string html = render_report_html(r);
    CHECK(chart(html, "pareto-chart").find("no candidate with a price above zero") != std::string::npos);
    CHECK(html.size() < 1'000'000);
}
