// The search: GPU type (or slice) x count x tensor/pipeline/data layout, each evaluated against
// memory, targets and price, then ranked by cost per unit of throughput. Evaluation, search and
// ranking are separate functions; "nothing fits" is a result (empty candidates), not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gpusize/catalog.hpp"
#include "gpusize/cost.hpp"
#include "gpusize/device.hpp"
#include "gpusize/memory.hpp"
#include "gpusize/performance.hpp"
#include "gpusize/problem.hpp"

namespace gpusize {

struct InferenceResult {
    InferencePerformance performance;
    std::int64_t max_concurrency = 0;
    double kv_capacity_tokens = 0;
    Bytes kv_pool;
    Bytes budget;
    std::string binding_target;  ///< the target that limits concurrency, if any
};

struct TrainingResult {
    TrainingPerformance performance;
    std::int64_t micro_batches_in_flight = 1;
};

struct CostResult {
    std::optional<UsdPerHour> per_hour;  ///< whole deployment
    std::string basis;
    std::optional<double> usd_per_million_output_tokens;
    std::optional<double> usd_per_million_input_tokens;
    std::optional<double> usd_per_million_training_tokens;
    std::optional<Usd> total;            ///< training: the token budget
};

/// One deployment, evaluated.
struct Evaluation {
    Device device;
    std::int64_t gpu_count = 0;
    Layout layout;
    bool fits = false;
    bool meets_targets = true;
    std::vector<std::string> reasons;  ///< why it does not fit or misses a target
    MemoryBreakdown memory;
    std::optional<InferenceResult> inference;
    std::optional<TrainingResult> training;
    CostResult cost;
    /// USD per million tokens of throughput (output tokens for inference, trained tokens for
    /// training); nullopt without a price. The ranking key.
    std::optional<double> cost_per_throughput;
    double throughput = 0;  ///< output tokens/s or training tokens/s
    int rank = 0;           ///< 1-based among candidates; 0 for rejected
};

/// Evaluates exactly one deployment. Throws UsageError for a layout that cannot exist
/// (degrees that do not divide the model).
Evaluation evaluate(const Problem& p, const Device& d, const Layout& l);

/// Why a layout is invalid for this model and device (heads, KV heads, layers, node size), or
/// empty when it is valid.
std::vector<std::string> layout_problems(const Problem& p, const Device& d, const Layout& l);

struct PlanOptions {
    bool include_partitions = true;
};

struct Plan {
    std::vector<Evaluation> candidates;  ///< ranked, best first
    std::vector<Evaluation> rejected;    ///< valid layouts that do not fit or miss a target, in search order
    std::size_t evaluated = 0;           ///< valid layouts evaluated
    std::size_t invalid = 0;             ///< layouts skipped: degrees that do not divide the model or span nodes
    std::vector<std::string> invalid_reasons;  ///< the distinct reasons layouts were skipped, first 5
};

/// Searches the devices the spec allows (its `deployment.gpus`, else the whole catalog).
Plan plan_deployments(const Problem& p, const Catalog& catalog, const PlanOptions& options = {});

/// What would fit when nothing does: the plan re-run with one remedy at a time (training: micro
/// batch 1, full recomputation, ZeRO-3, LoRA, QLoRA, more GPUs; inference: FP8 KV cache, FP8 or
/// int4 weights, more GPUs), each said with the best deployment it finds or the memory it would
/// still need. Empty when the plan has candidates.
std::vector<std::string> suggest_alternatives(const Problem& p, const Catalog& catalog);

/// Orders candidates: priced ones by cost per throughput (at 9 significant digits), then unpriced
/// ones by throughput; ties by fewer GPUs, then device id, then layout (tensor, pipeline, data).
/// Sets `rank`.
void rank_candidates(std::vector<Evaluation>& candidates);

}  // namespace gpusize

namespace gpusize {

/// Rewrites the spec's GPU names (deployment.gpus, pricing.usd_per_gpu_hour keys) to catalog ids,
/// so later lookups are exact. Unknown or ambiguous names are SpecErrors at their place in the spec.
void resolve_gpu_names(Problem& p, const Catalog& catalog);

}  // namespace gpusize
