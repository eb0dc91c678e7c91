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
inline constexpr const char* report_schema_version = "1.0";

struct Assumption {
    std::string name;    ///< the key that overrides it (`calibration.decode_step_overhead_ms`, `inference.engine`)
    std::string value;
    std::string source;
};

struct Report {
    std::string command;  ///< "plan" or "check"
    Problem problem;
    std::vector<std::string> catalogs;
    std::vector<Assumption> assumptions;
    std::vector<std::string> unmodelled;  ///< spec keys parsed but not modelled yet, said plainly
    std::vector<Evaluation> candidates;   ///< plan: ranked
    std::vector<Evaluation> rejected;     ///< plan
    std::optional<Evaluation> evaluation; ///< check
    std::size_t evaluated = 0;
    std::size_t invalid = 0;  ///< plan: layouts skipped as invalid for this model
    std::vector<std::string> invalid_reasons;
    std::vector<std::string> suggestions;  ///< plan with no candidate: what would fit
};

Report make_plan_report(const Problem& p, const Catalog& catalog, Plan plan);
Report make_check_report(const Problem& p, const Catalog& catalog, Evaluation evaluation);

/// The exit status the report implies: 0 ok, 1 does not fit / nothing fits, 2 fits but misses a target.
int report_status(const Report& r);

}  // namespace gpusize
