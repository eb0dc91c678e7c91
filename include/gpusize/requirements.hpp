// Requirements: conditions over one evaluation that a CI job states on the command line
// (`gpusize check --require 'usd_per_million_output_tokens<0.5' --require 'headroom>=15%'`).
// A condition is `FIELD OP VALUE`: a field of the evaluation (named as in the JSON output, in the
// unit its name says), one of `<`, `<=`, `>`, `>=`, `==`, and a number, written with `%` for the
// fields that are fractions. Parsing reports a malformed condition as a UsageError located in its
// text; checking turns each condition that does not hold into a reason, as a missed target is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/planner.hpp"
#include "gpusize/spec.hpp"

namespace gpusize {

enum class Comparison { less, less_equal, greater, greater_equal, equal };

/// `<`, `<=`, `>`, `>=` or `==`.
std::string_view to_string(Comparison c);

/// One parsed condition.
struct Requirement {
    std::string text;   ///< as written, without surrounding spaces
    std::string field;  ///< canonical name: `headroom` is read as `memory_headroom`
    Comparison comparison = Comparison::less_equal;
    double value = 0;   ///< fractions as fractions: `15%` and `0.15` are both 0.15
    int index = 0;      ///< 1-based position among the `--require` options
    int column = 1;     ///< 1-based column of the field in `text` as given, for diagnostics
    std::string given;  ///< the option's text as given, spaces included, for diagnostics
};

/// The fields a condition may name, canonical names only, in a fixed order:
/// usd_per_hour (whole deployment), gpu_count, memory_headroom (fraction: 1 - total / capacity on
/// the most loaded GPU); inference: usd_per_million_output_tokens, usd_per_million_input_tokens,
/// ttft_ms, tpot_ms, output_tokens_per_s, requests_per_s; training: usd_per_million_training_tokens,
/// usd_total (the `training.tokens` budget), tokens_per_s, mfu (fraction), time_to_train_days.
std::vector<std::string> requirement_fields();

/// Parses one condition, `FIELD OP VALUE` with optional spaces between the parts. `index` is its
/// 1-based position among the `--require` options and names it in diagnostics as
/// `--require:INDEX:COLUMN`, followed by the text and a caret. Throws UsageError for an empty
/// condition, an unknown field (with "did you mean"), a missing operator, a value that is not a
/// finite number, `%` on a field that is not a fraction, or text after the value.
Requirement parse_requirement(std::string_view text, int index);

/// The value of a canonical field in `e`, in the unit its name says; nullopt when it is unknown for
/// this evaluation (no price, no token budget, no performance estimate).
std::optional<double> requirement_value(const std::string& field, const Evaluation& e);

/// Throws UsageError when a condition names a field of the other workload kind (`mfu` for a
/// serving spec, `ttft_ms` for a training one), located as parse_requirement locates errors.
void check_requirements_apply(const std::vector<Requirement>& rs, Workload workload);

/// One reason per condition that does not hold in `e`, in order:
/// `requirement 'headroom>=15%' not met: memory_headroom is 8.2%`, or `... is unknown (why)`.
/// Empty when every condition holds.
std::vector<std::string> unmet_requirements(const std::vector<Requirement>& rs, const Evaluation& e);

}  // namespace gpusize
