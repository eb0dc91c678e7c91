// The Report: a plain value holding everything a renderer shows for `plan` and `check` (the
// workload, the resolved model, assumptions with their sources, candidates, rejected options and
// what is not modelled). Renderers see only this.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gpusize/planner.hpp"
#include "gpusize/problem.hpp"

namespace gpusize {

/// Version of the JSON output contract: minor = additive, major = breaking.
inline constexpr const char* report_schema_version = "1.3";

struct Assumption {
    std::string name;    ///< the key that overrides it (`calibration.decode_step_overhead_ms`, `inference.engine`)
    std::string value;
    std::string source;
};

/// One deployment compared across the two runs; a deployment is its GPU (and slice), GPU count and
/// parallel layout.
struct DeploymentChange {
    std::string deployment;                 ///< "2 x h100-sxm-80gb (2/1/1)"
    std::string status;                     ///< "changed", "unchanged", "new", "dropped"
    std::optional<int> rank_before, rank_after;
    std::optional<double> memory_gib_before, memory_gib_after;      ///< per GPU
    std::optional<double> usd_per_hour_before, usd_per_hour_after;
    std::optional<double> usd_per_unit_before, usd_per_unit_after;  ///< per 1M output (or trained) tokens
    std::optional<bool> passes_before, passes_after;                ///< fits and meets targets
};

struct BaselineDiff {
    std::string origin;
    std::vector<DeploymentChange> changes;  ///< current deployments first (by rank), then dropped ones
};

struct Report {
    std::string command;  ///< "plan" or "check"
    Problem problem;
    std::vector<std::string> catalogs;
    std::vector<Assumption> assumptions;
    std::vector<std::string> unmodelled;  ///< spec keys parsed but not modelled yet, said plainly
    std::vector<Evaluation> candidates;   ///< plan: ranked
    std::vector<Evaluation> rejected;     ///< plan
    /// plan: for each GPU type with no candidate, the index in `rejected` of its option closest to
    /// passing (advice.hpp closest_per_gpu), in GPU id order.
    std::vector<std::size_t> closest;
    std::optional<Evaluation> evaluation; ///< check
    std::size_t evaluated = 0;
    std::size_t invalid = 0;  ///< plan: layouts skipped as invalid for this model
    std::vector<std::string> invalid_reasons;
    std::vector<std::string> suggestions;  ///< plan with no candidate: what would fit
    std::optional<BaselineDiff> baseline;  ///< --baseline: what changed since an earlier run
};

Report make_plan_report(const Problem& p, const Catalog& catalog, Plan plan);
Report make_check_report(const Problem& p, const Catalog& catalog, Evaluation evaluation);

/// The exit status the report implies: 0 ok, 1 does not fit / nothing fits, 2 fits but misses a target.
int report_status(const Report& r);

}  // namespace gpusize
