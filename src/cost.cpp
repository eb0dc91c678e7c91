#include "gpusize/cost.hpp"

#include <algorithm>
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
    return std::nullopt;
}

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::string plural(std::int64_t n, const char* one) { return fmt::format("{} {}{}", n, one, n == 1 ? "" : "s"); }

/// What a layout asks of an instance shape, in GPUs (or sold slices).
struct Need {
    std::int64_t units = 1;  ///< GPUs or slices to run
    std::int64_t group = 1;  ///< tensor x expert: GPUs that must share one scale-up domain
    std::int64_t unit = 1;   ///< GPUs of one replica (tensor x pipeline x context x expert): they talk to each other
    bool training = false;   ///< replicas all-reduce gradients, so every GPU talks to every replica
};

/// One row's supply of a layout: its cost, or why it cannot supply it.
struct Supply {
    std::optional<UsdPerHour> per_hour;
    std::string basis;
    std::int64_t paid = 0;
    std::string why_not;
};

/// A row that cannot supply the layout; the reason is written out only when `words` (the search
/// tries every row and keeps one reason).
template <class... Args>
Supply refuse(bool words, fmt::format_string<Args...> why, Args&&... args) {
    return Supply{std::nullopt, {}, 0, words ? fmt::format(why, std::forward<Args>(args)...) : std::string{}};
}

std::string row_name(const Price& p) {
    return p.commitment == Commitment::on_demand ? fmt::format("{} {}", p.provider, p.date)
                                                 : fmt::format("{} {} {}", p.provider, to_string(p.commitment), p.date);
}

/// Whole instances of `g` units that hold `need`'s replicas, each inside one instance where it
/// fits, packed several to an instance where more fit.
std::int64_t instances_for(const Need& need, std::int64_t g) {
    const std::int64_t replicas = need.units / need.unit;
    if (need.unit <= g) return ceil_div(replicas, g / need.unit);
    return replicas * ceil_div(need.unit, g);
}

Supply supply(const Gpu& gpu, const Price& row, const Need& need, const char* unit_name, bool words) {
    const std::string name = words ? row_name(row) : std::string{};
    const std::int64_t talking = need.training ? need.units : need.unit;  // GPUs that must reach each other
    const auto& s = row.instance;
    if (!s) {
        if (row.kind == OfferKind::cloud)
            return Supply{row.per_gpu_hour * static_cast<double>(need.units), name + " (instance shape not stated)", need.units, {}};
        const std::int64_t host = pricing_defaults::marketplace_host_gpus;
        if (std::max(need.group, talking) > host)
            return refuse(words, "'{}' is a marketplace offer without an instance shape: one host holds at most {} and no network "
                          "between hosts is promised, but {} must reach each other",
                          row.provider, plural(host, unit_name), plural(std::max(need.group, talking), unit_name));
        return Supply{row.per_gpu_hour * static_cast<double>(need.units), name + " (marketplace, instance shape not stated)",
                      need.units, {}};
    }
    const std::int64_t g = s->gpus;
    const std::int64_t domain = s->scale_up == "none" ? g : s->scale_up_gpus.value_or(s->gpus);
    if (need.group > 1) {
        if (need.group > domain)
            return refuse(words, "'{}' sells {}-{} instances{}; tensor x expert = {} needs them in one scale-up domain",
                          row.provider, g, unit_name,
                          domain > g ? fmt::format(" in {}-{} {} domains", domain, unit_name, s->scale_up) : "",
                          need.group);
        // The estimate (interconnect.cpp) runs a group that fits the part's scale-up domain over
        // that link, a larger one over PCIe or the network: only the first needs the fabric here.
        if (gpu.scale_up && need.group <= gpu.scale_up->domain_size && s->scale_up == "none")
            return refuse(words, "'{}' sells {}-{} instances without {} between them; tensor x expert = {} needs it", row.provider,
                          g, unit_name, gpu.scale_up->kind, need.group);
    }
    if (talking > domain) {
        if (row.kind == OfferKind::marketplace)
            return refuse(words, "'{}' is a marketplace offer: no network between its {}-{} hosts is promised, but {} must reach "
                          "each other",
                          row.provider, g, unit_name, plural(talking, unit_name));
        if (s->interconnect == "none")
            return refuse(words, "'{}' has no interconnect between its {}-{} instances, but {} must reach each other", row.provider,
                          g, unit_name, plural(talking, unit_name));
    }
    const std::int64_t instances = instances_for(need, g);
    const std::int64_t paid = instances * g;
    std::string basis = name;
    if (words && paid != need.units)
        basis += fmt::format(", priced as {} x {}-{} instance{} ({} for {})", instances, g, unit_name, instances == 1 ? "" : "s",
                             plural(paid, unit_name), need.units);
    return Supply{row.per_gpu_hour * static_cast<double>(paid), basis, paid, {}};
}

/// The supply of one row for a deployment on `d`: a slice from a row that sells it, else from the
/// whole GPUs that hold the slices.
Supply supply(const Device& d, const Price& row, const Layout& l, bool training, bool words) {
    const Gpu& gpu = *d.gpu;
    const std::int64_t n = l.gpus();
    const bool sells_slice = row.instance && !row.instance->partition.empty();
    if (!d.partition) {
        if (sells_slice)
            return refuse(words, "'{}' sells '{}' slices, not whole GPUs", row.provider, row.instance->partition);
        return supply(gpu, row, Need{n, l.tensor * l.expert, l.tensor * l.pipeline * l.context * l.expert, training}, "GPU", words);
    }
    const auto& profile = d.partition->profile;
    if (sells_slice) {
        if (row.instance->partition != profile)
            return refuse(words, "'{}' sells '{}' slices, not '{}'", row.provider, row.instance->partition, profile);
        return supply(gpu, row, Need{n, 1, 1, training}, "slice", words);
    }
    // Nobody rents this slice alone: rent the whole GPUs that hold the deployment's slices.
    const std::int64_t per_gpu = std::max(1, d.partition->max_instances.value_or(1));
    const std::int64_t whole = ceil_div(n, per_gpu);
    auto s = supply(gpu, row, Need{whole, 1, 1, training}, "GPU", words);
    if (s.per_hour && words)
        s.basis += fmt::format(", priced as {} whole GPU{}: the '{}' slice is not sold alone", whole, whole == 1 ? "" : "s", profile);
    return s;
}

}  // namespace

DeploymentCost price_deployment(const Device& d, const Layout& layout, bool training, const PricingSpec& pricing) {
    const Gpu& g = *d.gpu;
    const std::int64_t n = layout.gpus();
    if (pricing.usd_per_gpu_hour.count(g.id) || pricing.mode == PricingMode::onprem) {
        const auto rate = hourly_rate(d, pricing);
        if (!rate) return {};
        return DeploymentCost{rate->per_gpu * static_cast<double>(n), rate->basis, n};
    }
    // Rows of the chosen commitment in price order (then provider, then catalog order), without
    // sorting a copy per deployment: every row is tried without words, the cheapest supply wins
    // (ties to the earlier row in that order), and only the chosen row's basis, or the cheapest
    // row's reason when none can supply the layout, is written out.
    auto before = [](const Price* a, const Price* b) {
        if (a->per_gpu_hour != b->per_gpu_hour) return a->per_gpu_hour < b->per_gpu_hour;
        return a->provider < b->provider;
    };
    const Price* cheapest = nullptr;
    const Price* best = nullptr;
    std::optional<UsdPerHour> best_rate;
    for (const auto& row : g.prices) {
        if (row.commitment != pricing.commitment) continue;
        if (!cheapest || before(&row, cheapest)) cheapest = &row;
        const auto s = supply(d, row, layout, training, false);
        if (s.per_hour && (!best_rate || *s.per_hour < *best_rate || (*s.per_hour == *best_rate && before(&row, best)))) {
            best = &row;
            best_rate = s.per_hour;
        }
    }
    if (!cheapest) return {};
    if (!best) return DeploymentCost{std::nullopt, "unpriced: " + supply(d, *cheapest, layout, training, true).why_not, 0};
    auto s = supply(d, *best, layout, training, true);
    return DeploymentCost{s.per_hour, std::move(s.basis), s.paid};
}

std::optional<double> usd_per_million_tokens(UsdPerHour fleet, double tokens_per_s) {
    if (!(tokens_per_s > 0)) return std::nullopt;
    return fleet.value() / (tokens_per_s * 3600.0) * 1e6;
}

}  // namespace gpusize
