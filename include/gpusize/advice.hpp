// Advice over evaluated deployments, apart from the search: which option is closest to passing
// when nothing passes, what would fit (the plan re-run with one remedy at a time), the serving
// limits with the GPU fixed (`--solve`), and over-provisioned candidates. Reports are assembled
// from these results; the CLI only chooses what to ask.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "gpusize/planner.hpp"

namespace gpusize {

/// How far a rejected deployment is from passing, smaller is closer: first whether it has an
/// estimate at all (an invalid layout, or a GPU without the rate or link, has none), then whether
/// it fits in memory, then, for one that fits, the factor by which it misses its worst target
/// (achieved / target for a latency, target / achieved for a throughput), for one that does not,
/// its memory over its capacity; ties go to the cheaper per hour, then to fewer GPUs.
struct Shortfall {
    bool no_estimate = true;
    bool over_memory = true;
    double factor = 0;
    double usd_per_hour = 0;
    std::int64_t gpus = 0;
    friend auto operator<=>(const Shortfall&, const Shortfall&) = default;
};
Shortfall shortfall(const Problem& p, const Evaluation& e);

/// The rejected option closest to passing (by `shortfall`); `rejected` must not be empty.
const Evaluation& closest_to_passing(const Problem& p, const std::vector<Evaluation>& rejected);

/// For each GPU type with no candidate, the index in `rejected` of its option closest to passing,
/// in GPU id order.
std::vector<std::size_t> closest_per_gpu(const Problem& p, const std::vector<Evaluation>& candidates,
                                         const std::vector<Evaluation>& rejected);

/// Solves the free variables for a serving evaluation (see ServingLimits); `candidates` are the
/// plan's, from which the fewest GPUs of this type is read.
ServingLimits solve_serving_limits(const Problem& p, const Evaluation& e, const std::vector<Evaluation>& candidates);

/// `check --solve rate`: the largest open-loop arrival rate (all replicas, requests/s, at the
/// spec's burstiness, Poisson without an arrival) at which this deployment, as laid out, fits and
/// meets every target; rounded down to 3 significant digits, so that the rate returned passes and
/// 10 % more does not. nullopt when no rate passes (a target that does not depend on the load
/// fails, or memory does not fit). Throws UsageError for a closed-loop (`users`) spec.
std::optional<double> solve_max_rate(const Problem& p, const Evaluation& e);

/// A serving deployment using less than this share of its memory, while a cheaper one meets the
/// same targets, is flagged as over-provisioned (a reporting threshold, not an estimate).
inline constexpr double over_provisioned_memory_share = 0.35;

/// Flags over-provisioned serving candidates against the cheapest-per-hour candidate.
void flag_over_provisioning(std::vector<Evaluation>& candidates, Evaluation* single = nullptr);

/// `check`'s one deployment of the spec's single GPU type under the degrees it pins
/// (deployment.gpu_count and *_parallel): a partition is evaluated alone; a layout pinned whole
/// (tensor, pipeline, and data or the GPU count) is evaluated as given; otherwise the best candidate
/// of that GPU's search, else its option closest to passing. A layout the model cannot be split
/// into, or pins no layout satisfies, are mistakes in the request: a UsageError that says why.
Evaluation check_deployment(Problem p, const Catalog& catalog, const std::optional<Partition>& partition = std::nullopt);

/// `explain` without a GPU: check's choice when the spec names one GPU type, else the plan's best
/// candidate, else the option closest to passing (rank 0: not a ranked candidate); a UsageError
/// when no layout of any GPU is valid.
Evaluation best_or_closest(const Problem& p, const Catalog& catalog);

/// `check --solve gpus` for training: the fewest GPUs of `e`'s type (and slice) the plan accepts,
/// with only max_gpus and gpus_per_node of the spec's deployment kept.
std::optional<std::int64_t> fewest_training_gpus(const Problem& p, const Catalog& catalog, const Evaluation& e);

/// What would fit when nothing does: the plan re-run with one remedy at a time (training: micro
/// batch 1, full recomputation, ZeRO-3, LoRA, QLoRA, more GPUs; inference: FP8 KV cache, FP8 or
/// int4 weights, more GPUs), each said with the best deployment it finds or the memory it would
/// still need. Empty when the plan has candidates.
std::vector<std::string> suggest_alternatives(const Problem& p, const Catalog& catalog);

}  // namespace gpusize
