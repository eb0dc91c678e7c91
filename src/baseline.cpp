#include "gpusize/baseline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace gpusize {
namespace {

using json = nlohmann::json;

struct Snapshot {
    std::optional<int> rank;
    double memory_gib = 0;
    std::optional<double> usd_per_hour, usd_per_unit;
    bool passes = false;
};

std::int64_t degree(const json& parallelism, const char* name) {
    return parallelism.contains(name) ? parallelism.at(name).get<std::int64_t>() : 1;
}

std::optional<double> number(const json& j, const char* a, const char* b) {
    if (!j.contains(a) || !j[a].is_object() || !j[a].contains(b) || !j[a][b].is_number()) return std::nullopt;
    return j[a][b].get<double>();
}

/// Reads one evaluation of a JSON report; throws std::exception on a missing member.
std::pair<std::string, Snapshot> read(const json& e) {
    const auto& g = e.at("gpu");
    const auto& l = e.at("parallelism");
    const std::optional<std::string> partition =
        g.at("partition").is_string() ? std::optional<std::string>(g.at("partition").get<std::string>()) : std::nullopt;
    Snapshot s;
    if (e.contains("rank")) s.rank = e.at("rank").get<int>();
    s.memory_gib = e.at("memory_per_gpu").at("total_bytes").get<double>() / (1024.0 * 1024.0 * 1024.0);
    s.usd_per_hour = number(e, "cost", "usd_per_hour");
    s.usd_per_unit = number(e, "cost", "usd_per_million_output_tokens");
    if (!s.usd_per_unit) s.usd_per_unit = number(e, "cost", "usd_per_million_training_tokens");
    s.passes = e.at("fits").get<bool>() && e.at("meets_targets").get<bool>();
    const Layout layout{.tensor = degree(l, "tensor"), .pipeline = degree(l, "pipeline"), .data = degree(l, "data"),
                        .expert = degree(l, "expert"), .context = degree(l, "context")};
    std::optional<std::int64_t> micro_batch;
    if (e.contains("training") && e.at("training").is_object() && e.at("training").contains("micro_batch"))
        micro_batch = e.at("training").at("micro_batch").get<std::int64_t>();
    return {deployment_label(DeploymentId{.gpu = g.at("id").get<std::string>(),
                                          .partition = partition.value_or(""),
                                          .gpus = e.at("gpu_count").get<std::int64_t>(),
                                          .layout = layout,
                                          .micro_batch = micro_batch.value_or(1)}),
            s};
}

std::pair<std::string, Snapshot> read(const Evaluation& e) {
    Snapshot s;
    if (e.rank > 0) s.rank = e.rank;
    s.memory_gib = to_gib(e.memory.total());
    if (e.cost.per_hour) s.usd_per_hour = e.cost.per_hour->value();
    s.usd_per_unit = e.cost_per_throughput;
    s.passes = e.fits && e.meets_targets;
    return {deployment_label(deployment_id(e)), s};
}

/// Equal within the JSON report's 6 significant digits.
bool same(const std::optional<double>& a, const std::optional<double>& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a || std::abs(*a - *b) <= 1e-5 * std::max(std::abs(*a), std::abs(*b));
}

}  // namespace

BaselineDiff diff_against_baseline(const Report& current, std::string_view baseline_json, std::string_view origin,
                                   std::size_t top) {
    auto fail = [&](const std::string& why) {
        return UsageError({Diagnostic{{std::string(origin), 0, 0, {}}, fmt::format("--baseline: {}", why),
                                      "give the JSON output of an earlier 'gpusize plan -o json' or 'check -o json'", {}}});
    };
    // nlohmann ends a document at a NUL byte: what follows one would be silently ignored.
    if (const auto nul = baseline_json.find('\0'); nul != std::string_view::npos)
        throw fail(fmt::format("not a gpusize JSON report: control character 0x00 at byte {}", nul + 1));
    std::vector<std::pair<std::string, Snapshot>> before;
    try {
        const json doc = json::parse(baseline_json);
        if (!doc.is_object() || !doc.contains("schema_version") || doc["schema_version"].get<std::string>().rfind("1.", 0) != 0)
            throw fail("not a gpusize JSON report of schema 1.x");
        if (doc.contains("candidates"))
            for (const auto& e : doc["candidates"]) before.push_back(read(e));
        else if (doc.contains("evaluation"))
            before.push_back(read(doc["evaluation"]));
        else
            throw fail("the report has neither 'candidates' nor 'evaluation'");
    } catch (const UsageError&) {
        throw;
    } catch (const std::exception& e) {
        // nlohmann's messages start with "[json.exception.<kind>.<id>] "; keep what follows.
        std::string why = e.what();
        if (const auto close = why.find("] "); why.rfind("[json.exception", 0) == 0 && close != std::string::npos) why.erase(0, close + 2);
        throw fail(fmt::format("not a gpusize JSON report: {}", why));
    }
    // Every current candidate is compared, so a deployment that moved from rank 5 to rank 12 is
    // "changed", not "dropped"; the diff lists those ranked within `top` before or after.
    std::vector<std::pair<std::string, Snapshot>> after;
    if (current.evaluation) after.push_back(read(*current.evaluation));
    for (const auto& c : current.candidates) after.push_back(read(c));
    auto shown = [top](const std::optional<int>& rank) { return !rank || static_cast<std::size_t>(*rank) <= top; };

    std::map<std::string, const Snapshot*> old;
    for (const auto& [k, s] : before) old.emplace(k, &s);
    BaselineDiff diff;
    diff.origin = std::string(origin);
    for (const auto& [k, now] : after) {
        DeploymentChange c;
        c.deployment = k;
        c.rank_after = now.rank;
        c.memory_gib_after = now.memory_gib;
        c.usd_per_hour_after = now.usd_per_hour;
        c.usd_per_unit_after = now.usd_per_unit;
        c.passes_after = now.passes;
        auto it = old.find(k);
        if (it == old.end()) {
            c.status = "new";
        } else {
            const Snapshot& was = *it->second;
            c.rank_before = was.rank;
            c.memory_gib_before = was.memory_gib;
            c.usd_per_hour_before = was.usd_per_hour;
            c.usd_per_unit_before = was.usd_per_unit;
            c.passes_before = was.passes;
            const bool unchanged = was.rank == now.rank && same(was.memory_gib, now.memory_gib) &&
                                   same(was.usd_per_hour, now.usd_per_hour) && same(was.usd_per_unit, now.usd_per_unit) &&
                                   was.passes == now.passes;
            c.status = unchanged ? "unchanged" : "changed";
            old.erase(it);
        }
        if (shown(c.rank_after) || (c.rank_before && shown(c.rank_before))) diff.changes.push_back(std::move(c));
    }
    // What the baseline ranked (within the same top) and the current run no longer has as a candidate.
    for (const auto& [k, was] : before) {
        if (!old.count(k) || !shown(was.rank)) continue;
        DeploymentChange c;
        c.deployment = k;
        c.status = "dropped";
        c.rank_before = was.rank;
        c.memory_gib_before = was.memory_gib;
        c.usd_per_hour_before = was.usd_per_hour;
        c.usd_per_unit_before = was.usd_per_unit;
        c.passes_before = was.passes;
        diff.changes.push_back(std::move(c));
    }
    return diff;
}

}  // namespace gpusize
