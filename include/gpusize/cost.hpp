// What a deployment costs per hour (docs/estimation.md §8): cloud prices from the spec or from
// the catalog's dated price rows under the spec's commitment (on demand unless it says spot or
// reserved_1y/3y), each row priced only for layouts its instance shape can supply, in whole
// instances; or on-premises cost as the purchase price amortised over its years at a utilisation
// plus energy at TDP x PUE x electricity price. Per unit of work:
// `$ per 1M tokens = $/h / (tokens/s * 3600) * 1e6`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gpusize/device.hpp"
#include "gpusize/spec.hpp"

namespace gpusize {

/// On-premises defaults used when the spec's `pricing` section does not say.
namespace pricing_defaults {
inline constexpr double electricity_usd_per_kwh = 0.12;  ///< US commercial average, EIA 2024
inline constexpr double pue = 1.3;                       ///< typical enterprise data centre (Uptime Institute 2023: 1.58 fleet average, 1.2-1.4 modern)
inline constexpr double amortization_years = 4.0;
inline constexpr double utilization = 1.0;               ///< the GPUs are busy (or paid for) all the time
/// The most GPUs one marketplace host is taken to hold when its row states no instance shape:
/// 8-GPU baseboards (HGX) and 8-slot PCIe servers are the largest common single machines. A
/// judgement, not a provider's figure: it only bounds which layouts such a row can price.
inline constexpr int marketplace_host_gpus = 8;
}  // namespace pricing_defaults

/// Price of one GPU (or slice) for one hour, and where it came from.
struct HourlyRate {
    UsdPerHour per_gpu;
    std::string basis;  ///< "spec" or "on-premises"
};

/// The per-GPU rate of a device whose price does not depend on how it is bought: the spec's own
/// `pricing.usd_per_gpu_hour`, or on-premises cost. Slices pay their share: the GPU is yours to
/// partition. nullopt otherwise (on premises without a purchase price, or cloud pricing from the
/// catalog, which depends on the layout: price_deployment).
std::optional<HourlyRate> hourly_rate(const Device& d, const PricingSpec& pricing);

/// What a whole deployment costs per hour, and where the price came from.
struct DeploymentCost {
    /// nullopt when unpriced: no price under the commitment, no purchase price on premises, or no
    /// price row whose instance shape can supply the layout (then `basis` says why).
    std::optional<UsdPerHour> per_hour;
    /// `spec`, `on-premises`, `<provider> [<commitment>] <date>` plus what was bought where that
    /// differs from the deployment (", priced as 2 x 8-GPU instances (16 GPUs for 12)"), a row
    /// without a shape (" (instance shape not stated)"), or `unpriced: <reason>`.
    std::string basis;
    std::int64_t paid_units = 0;  ///< GPUs (or sold slices) paid for: whole instances
};

/// The hourly cost of `layout` on `d` (docs/estimation.md §8.1). Spec and on-premises prices are
/// per GPU (a slice pays its share). Catalog rows are tried under the spec's commitment, each only
/// where its instance shape supplies the layout: the tensor x expert group inside one scale-up
/// domain that has the fabric the part's estimate assumes; several instances only with an
/// interconnect between them where they must talk (training, or a replica larger than one
/// domain), never across marketplace hosts; a slice only from a row that sells it, otherwise as
/// the whole GPUs that hold the slices. Instances are bought whole; the cheapest supply wins
/// (ties: provider name).
DeploymentCost price_deployment(const Device& d, const Layout& layout, bool training, const PricingSpec& pricing);

/// `$/h / (tokens/s * 3600) * 1e6`; nullopt for zero throughput.
std::optional<double> usd_per_million_tokens(UsdPerHour fleet, double tokens_per_s);

}  // namespace gpusize
