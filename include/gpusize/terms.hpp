// The priced terms of one evaluated deployment, as `explain` shows them: each with its formula
// id, the inputs it was computed from and its value. `recompute` evaluates a formula id over a
// term's listed inputs, so a test can check that every value follows from what is printed next to
// it (docs/estimation.md names each formula).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gpusize/planner.hpp"

namespace gpusize {

struct TermInput {
    std::string name;
    std::optional<double> number;  ///< else `text`
    std::string text;
};

struct Term {
    std::string name;        ///< the JSON evaluation field it explains, or a part of one
    std::string formula_id;  ///< what `recompute` evaluates; "choice" for a value chosen, not computed
    std::string formula;     ///< the same, in words
    std::vector<TermInput> inputs;
    std::optional<double> value;
    std::string unit;  ///< bytes, s, tokens, sequences, tokens/s, requests/s, USD/h, USD, fraction
    std::string source;
};

/// Every term of `e`'s memory, time, throughput and cost.
std::vector<Term> explain_terms(const Problem& p, const Evaluation& e);

/// The value of `t`'s formula over its numeric inputs; nullopt for a "choice", an unknown formula
/// id, or a missing input.
std::optional<double> recompute(const Term& t);

}  // namespace gpusize
