// Comparison with a previous run: `plan`/`check --baseline old.json` reads an earlier JSON report
// (text given by the CLI) and says, per deployment, what changed in rank, memory and cost, which
// deployments are new and which dropped out, for pull-request comments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/report.hpp"

namespace gpusize {

/// Compares `current` (every candidate, or its one evaluation) with the JSON report in
/// `baseline_json`, deployments matched by identity (GPU and slice, count, the five parallel
/// degrees, micro batch); lists those ranked within `top` in either run, and as dropped those the
/// baseline ranked within `top` that are no candidate now. Throws UsageError naming `origin` when it is not a gpusize plan/check report.
BaselineDiff diff_against_baseline(const Report& current, std::string_view baseline_json, std::string_view origin,
                                   std::size_t top);

}  // namespace gpusize
