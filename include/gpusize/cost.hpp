// What a deployment costs per hour (docs/estimation.md §8): cloud prices from the spec or the
// catalog's cheapest dated price under the spec's commitment (on demand unless it says spot or
// reserved_1y/3y), or on-premises cost as the purchase price amortised
// over its years at a utilisation plus energy at TDP x PUE x electricity price. Per unit of work:
// `$ per 1M tokens = $/h / (tokens/s * 3600) * 1e6`.
#pragma once

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
}  // namespace pricing_defaults

/// Price of one GPU (or slice) for one hour, and where it came from.
struct HourlyRate {
    UsdPerHour per_gpu;
    std::string basis;  ///< "spec", "<provider> <date>" ("<provider> <commitment> <date>" off on-demand), or "on-premises"
};

/// The hourly rate of one device under the spec's pricing, or nullopt when no price is known
/// (no catalog price, or on-premises without a purchase price). Slices pay their share.
std::optional<HourlyRate> hourly_rate(const Device& d, const PricingSpec& pricing);

/// `$/h / (tokens/s * 3600) * 1e6`; nullopt for zero throughput.
std::optional<double> usd_per_million_tokens(UsdPerHour fleet, double tokens_per_s);

}  // namespace gpusize
