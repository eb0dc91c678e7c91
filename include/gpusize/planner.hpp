// The search: GPU type (or slice) x count x tensor/pipeline/data layout, each evaluated against
// memory, targets and price, then ranked by cost per unit of throughput. Evaluation, search and
// ranking are separate functions; "nothing fits" is a result (empty candidates), not an error.
#pragma once

#include <cstdint>
#include <functional>
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

/// Sizing for tomorrow's load: `targets.growth` times today's throughput targets.
struct GrowthResult {
    double factor = 1;
    std::int64_t replicas = 0;  ///< replicas of this layout the grown load needs
    std::int64_t gpus = 0;
    std::optional<UsdPerHour> usd_per_hour;
};

/// The free variable solved with the GPU fixed: the largest prompt (input tokens, output fixed) and
/// the largest concurrency this layout serves within memory and the latency targets, and the
/// fewest GPUs of this type that fit and meet every target.
struct ServingLimits {
    std::optional<std::int64_t> max_input_tokens;
    std::optional<std::int64_t> max_concurrency;
    std::optional<std::int64_t> min_gpus;
};

struct InferenceResult {
    InferencePerformance performance;  ///< unloaded: an idle engine's TTFT, the full batch's TPOT
    /// Under the spec's `inference.arrival` (docs/estimation.md §6.7); nullopt without one.
    std::optional<LoadedPerformance> loaded;
    InferenceMemory memory;  ///< at the chosen concurrency, on the most loaded stage
    /// The target with the least slack (achieved / target for throughput, target / achieved for
    /// latency): the one that binds, or limited `concurrency: auto`.
    std::string binding_target;
    /// Throughput the deployment can still absorb before it misses a throughput target: the least
    /// achieved / target - 1 over output_tokens_per_s and requests_per_s.
    std::optional<double> headroom;
    std::optional<GrowthResult> growth;
    std::optional<ServingLimits> limits;
};

struct TrainingResult {
    TrainingPerformance performance;
    TrainingRecipe recipe;  ///< what the step does on this layout, as both estimates read it
    std::int64_t micro_batch = 1;  ///< the spec's, or the one `auto` chose
    std::int64_t micro_batches_in_flight = 1;
    TrainingPeak memory_peak = TrainingPeak::forward;
    TrainingMemoryParts memory_parts;  ///< what the peak is made of
    Bytes host_memory;  ///< what `offload` keeps in host memory, per GPU
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
    std::size_t memory_stage = 0;  ///< the pipeline stage `memory` describes (the most loaded)
    std::optional<InferenceResult> inference;
    std::optional<TrainingResult> training;
    CostResult cost;
    /// USD per million tokens of throughput (output tokens for inference, trained tokens for
    /// training); nullopt without a price. The ranking key.
    std::optional<double> cost_per_throughput;
    double throughput = 0;  ///< output tokens/s or training tokens/s
    int rank = 0;           ///< 1-based among candidates; 0 for rejected
    /// Serving: it uses under over_provisioned_memory_share of its memory and a cheaper deployment
    /// meets the same targets.
    bool over_provisioned = false;
    std::string smaller_option;  ///< that cheaper deployment, e.g. "1 x l4"
};

/// A deployment's identity: GPU (and slice), GPU count, the five parallel degrees and the micro
/// batch (1 for serving). Two evaluations of one plan never share one; ranking ties, every table,
/// markdown, CSV and `--baseline` tell deployments apart by it.
struct DeploymentId {
    std::string gpu;        ///< catalog id
    std::string partition;  ///< slice profile, empty for whole GPUs
    std::int64_t gpus = 0;
    Layout layout;
    std::int64_t micro_batch = 1;
    friend auto operator<=>(const DeploymentId&, const DeploymentId&) = default;
};
DeploymentId deployment_id(const Evaluation& e);

/// The layout as tables print it: `2/4/2` (tensor/pipeline/data), then ` ep4`, ` cp2`, ` mb8` for
/// the expert and context degrees and the micro batch where they are not 1.
std::string layout_label(const Layout& l, std::int64_t micro_batch = 1);
std::string layout_label(const DeploymentId& id);
/// `16 x h100-sxm-80gb (2/4/2 ep4 mb2)`, `1 x h100-sxm-80gb:1g.10gb (1/1/1)`.
std::string deployment_label(const DeploymentId& id);

/// Evaluates exactly one deployment. Throws UsageError for a layout that cannot exist
/// (degrees that do not divide the model).
Evaluation evaluate(const Problem& p, const Device& d, const Layout& l);

/// Why a layout is invalid for this model and device (heads, KV heads, layers, node size), or
/// empty when it is valid.
std::vector<std::string> layout_problems(const Problem& p, const Device& d, const Layout& l);

struct PlanOptions {
    bool include_partitions = true;
    /// Called after each evaluated layout with the count so far (the CLI shows progress when a
    /// search runs past a second); none by default.
    std::function<void(std::size_t)> progress = nullptr;
};

struct Plan {
    std::vector<Evaluation> candidates;  ///< ranked, best first
    /// Valid layouts that do not fit or miss a target, in deployment identity order (GPU id, slice,
    /// GPU count, tensor, pipeline, data, expert and context degree, micro batch), whatever the
    /// catalog's order.
    std::vector<Evaluation> rejected;
    std::size_t evaluated = 0;           ///< valid layouts evaluated
    std::size_t invalid = 0;             ///< layouts skipped: degrees that do not divide the model or span nodes
    std::vector<std::string> invalid_reasons;  ///< the distinct reasons layouts were skipped, first 5
};

/// Searches the devices the spec allows (its `deployment.gpus`, else the whole catalog).
Plan plan_deployments(const Problem& p, const Catalog& catalog, const PlanOptions& options = {});

/// `v` rounded to `digits` significant decimal digits with std::round (halves away from zero),
/// without formatting text; deterministic for every double, subnormals included (0, infinities
/// and NaN are returned as they are).
double round_significant(double v, int digits);

/// The ranking key: `cost_per_throughput`, or with a stated load (`inference.loaded`, not
/// saturated) the USD per million output tokens that load asks for, `$/h / served output tokens/s`:
/// the cost of the deployment that meets the load, not of its idle capacity.
std::optional<double> ranking_cost(const Evaluation& e);

/// Orders candidates: priced ones by `ranking_cost` (at 9 significant digits), then unpriced
/// ones by throughput; ties by fewer GPUs, then by deployment identity (GPU id, slice, layout,
/// micro batch).
/// Sets `rank`.
void rank_candidates(std::vector<Evaluation>& candidates);

}  // namespace gpusize

namespace gpusize {

/// Rewrites the spec's GPU names (deployment.gpus, pricing.usd_per_gpu_hour keys) to catalog ids,
/// so later lookups are exact. Unknown or ambiguous names are SpecErrors at their place in the spec.
void resolve_gpu_names(Problem& p, const Catalog& catalog);

/// Adds to `p.gpu_name_notes`, once, what the catalog's alias_defaults says of `name` (a common
/// name taken as one part), so the assumptions say it; nothing for an id or a unique alias.
void note_gpu_name(Problem& p, const Catalog& catalog, std::string_view name);

/// The most GPUs the search tries without `deployment.max_gpus`: 1024 for training, 64 for inference.
std::int64_t default_max_gpus(Workload w);

}  // namespace gpusize
