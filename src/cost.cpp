#include "gpusize/cost.hpp"

#include <fmt/format.h>

namespace gpusize {

std::optional<HourlyRate> hourly_rate(const Device& d, const PricingSpec& pricing) {
    const Gpu& g = *d.gpu;
    const double share = d.share();
    if (auto it = pricing.usd_per_gpu_hour.find(g.id); it != pricing.usd_per_gpu_hour.end())
        return HourlyRate{it->second * share, "spec"};
    if (pricing.mode == PricingMode::onprem) {
        if (!g.purchase) return std::nullopt;
        const double years = pricing.amortization_years.value_or(pricing_defaults::amortization_years);
        const double use = pricing.utilization.value_or(pricing_defaults::utilization);
        const double kwh = pricing.electricity_usd_per_kwh.value_or(pricing_defaults::electricity_usd_per_kwh);
        const double pue = pricing.pue.value_or(pricing_defaults::pue);
        const double capital = g.purchase->price.value() / (years * 8760.0 * use);
        const double energy = g.tdp_watts / 1000.0 * pue * kwh;
        return HourlyRate{usd_per_hour((capital + energy) * share), "on-premises"};
    }
    const auto price = g.cheapest_price(pricing.commitment);
    if (!price) return std::nullopt;
    return HourlyRate{price->per_gpu_hour * share,
                      pricing.commitment == Commitment::on_demand
                          ? fmt::format("{} {}", price->provider, price->date)
                          : fmt::format("{} {} {}", price->provider, to_string(price->commitment), price->date)};
}

std::optional<double> usd_per_million_tokens(UsdPerHour fleet, double tokens_per_s) {
    if (!(tokens_per_s > 0)) return std::nullopt;
    return fleet.value() / (tokens_per_s * 3600.0) * 1e6;
}

}  // namespace gpusize
