// Hourly rates and cost per unit of work (cost.hpp).
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "gpusize/cost.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("cloud: the cheapest dated catalog price, or the spec's") {
    const Gpu g = toy_gpu();
    PricingSpec pricing;
    // Two GPUs at cloud-a's 2.0 (its row states no instance shape: per GPU, as before schema 1.3).
    auto c = price_deployment(whole(g), Layout{.data = 2}, false, pricing);
    REQUIRE(c.per_hour);
    CHECK(c.per_hour->value() == 4.0);
    CHECK(c.basis == "cloud-a 2026-01-01 (instance shape not stated)");
    CHECK_FALSE(hourly_rate(whole(g), pricing));  // the catalog's rate depends on the layout
    pricing.usd_per_gpu_hour["toy"] = usd_per_hour(5.0);
    const auto r = hourly_rate(whole(g), pricing);
    REQUIRE(r);
    CHECK(r->per_gpu.value() == 5.0);
    CHECK(r->basis == "spec");
    c = price_deployment(whole(g), Layout{.data = 2}, false, pricing);
    CHECK(c.per_hour->value() == 10.0);
    CHECK(c.basis == "spec");
}

TEST_CASE("cloud: the spec's commitment picks the price rows it pays") {
    Gpu g = toy_gpu();
    g.prices.push_back(Price{"cloud-c", usd_per_hour(0.9), "2026-02-01", "test", "eu-west", Commitment::spot});
    g.prices.push_back(Price{"cloud-d", usd_per_hour(1.4), "2026-03-01", "test", "", Commitment::reserved_1y});
    PricingSpec pricing;
    auto price = [&] { return price_deployment(whole(g), Layout{}, false, pricing); };
    CHECK(price().per_hour->value() == 2.0);  // on demand: cloud-a, not the cheaper spot row
    pricing.commitment = Commitment::spot;
    REQUIRE(price().per_hour);
    CHECK(price().per_hour->value() == 0.9);
    CHECK(price().basis == "cloud-c spot 2026-02-01 (instance shape not stated)");
    pricing.commitment = Commitment::reserved_1y;
    CHECK(price().basis == "cloud-d reserved_1y 2026-03-01 (instance shape not stated)");
    pricing.commitment = Commitment::reserved_3y;  // no such row: unpriced, not the on-demand rate
    CHECK_FALSE(price().per_hour);
}

TEST_CASE("no price is no price") {
    Gpu g = toy_gpu();
    g.prices.clear();
    CHECK_FALSE(price_deployment(whole(g), Layout{}, false, PricingSpec{}).per_hour);
    g.purchase.reset();
    PricingSpec onprem;
    onprem.mode = PricingMode::onprem;
    CHECK_FALSE(hourly_rate(whole(g), onprem).has_value());
}

TEST_CASE("on-premises: purchase amortised plus energy at TDP x PUE") {
    const Gpu g = toy_gpu();
    PricingSpec p;
    p.mode = PricingMode::onprem;
    // 20,000 / (4 years * 8760 h) + 0.3 kW * 1.3 * 0.12 USD/kWh
    CHECK(hourly_rate(whole(g), p)->per_gpu.value() == Approx(20000.0 / (4 * 8760) + 0.3 * 1.3 * 0.12));
    p.amortization_years = 2;
    p.utilization = 0.5;
    p.pue = 1.0;
    p.electricity_usd_per_kwh = 0.2;
    CHECK(hourly_rate(whole(g), p)->per_gpu.value() == Approx(20000.0 / (2 * 8760 * 0.5) + 0.3 * 1.0 * 0.2));
}

TEST_CASE("a slice pays its share of the GPU where the spec or the owner prices it") {
    const Gpu g = toy_gpu();
    const Device slice{.gpu = &g, .partition = Partition{"1g.2gb", gib(2), 1.0 / 7, 1.0 / 8}};
    // the larger of compute 1/7 and memory 2/10
    CHECK(slice.share() == Approx(0.2));
    PricingSpec onprem;
    onprem.mode = PricingMode::onprem;
    CHECK(hourly_rate(slice, onprem)->per_gpu.value() == Approx(0.2 * (20000.0 / (4 * 8760) + 0.3 * 1.3 * 0.12)));
    PricingSpec spec;
    spec.usd_per_gpu_hour["toy"] = usd_per_hour(5.0);
    // 3 slices at the spec's 5 USD/GPU-h x share 0.2
    const auto c = price_deployment(slice, Layout{.data = 3}, false, spec);
    CHECK(c.per_hour->value() == Approx(3 * 5.0 * 0.2));
    CHECK(c.basis == "spec");
}

namespace {

InstanceShape shape(int gpus, std::string scale_up, std::string interconnect, std::optional<int> domain = std::nullopt) {
    return InstanceShape{.gpus = gpus, .scale_up = std::move(scale_up), .scale_up_gpus = domain,
                         .interconnect = std::move(interconnect)};
}

Price row(std::string provider, double usd, std::optional<InstanceShape> s, OfferKind kind = OfferKind::cloud) {
    return Price{.provider = std::move(provider), .per_gpu_hour = usd_per_hour(usd), .date = "2026-09-25", .source = "test",
                 .instance = std::move(s), .kind = kind};
}

/// The toy GPU (NVLink domain 8) sold only as the rows given.
Gpu sold_as(std::vector<Price> rows) {
    Gpu g = toy_gpu();
    g.prices = std::move(rows);
    return g;
}

}  // namespace

TEST_CASE("a tensor group needs one instance whose GPUs share the scale-up fabric") {
    // Four 1-GPU instances with no NVLink peer cannot run tensor 4: unpriced, with the reason.
    const Gpu ones = sold_as({row("one-gpu", 2.29, shape(1, "none", "ethernet"))});
    auto c = price_deployment(whole(ones), Layout{.tensor = 4}, false, PricingSpec{});
    CHECK_FALSE(c.per_hour);
    CHECK(c.basis == "unpriced: 'one-gpu' sells 1-GPU instances; tensor x expert = 4 needs them in one scale-up domain");
    // Each replica on its own 1-GPU instance is fine: 4 x 2.29.
    c = price_deployment(whole(ones), Layout{.data = 4}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(4 * 2.29));
    CHECK(c.basis == "one-gpu 2026-09-25");
    // An instance of 4 GPUs without NVLink between them does not do either, for a part whose estimate assumes NVLink.
    const Gpu pcie_box = sold_as({row("pcie-box", 1.0, shape(4, "none", "ethernet"))});
    c = price_deployment(whole(pcie_box), Layout{.tensor = 4}, false, PricingSpec{});
    CHECK(c.basis == "unpriced: 'pcie-box' sells 4-GPU instances without nvlink between them; tensor x expert = 4 needs it");
    // A PCIe-only part runs its tensor group over PCIe: the same box supplies it, 4 x 1.0.
    Gpu pcie_card = pcie_box;
    pcie_card.scale_up.reset();
    CHECK(price_deployment(whole(pcie_card), Layout{.tensor = 4}, false, PricingSpec{}).per_hour->value() == Approx(4.0));
    // A part whose NVLink joins only pairs (an H100 PCIe bridge) runs tensor 4 over PCIe in its
    // estimate, so the box without NVLink supplies it: 4 x 1.0. Tensor 2 would use the bridge.
    Gpu bridged = pcie_box;
    bridged.scale_up->domain_size = 2;
    CHECK(price_deployment(whole(bridged), Layout{.tensor = 4}, false, PricingSpec{}).per_hour->value() == Approx(4.0));
    CHECK_FALSE(price_deployment(whole(bridged), Layout{.tensor = 2, .data = 2}, false, PricingSpec{}).per_hour);
    // Expert parallelism counts in the group: tensor 2 x expert 4 = 8 GPUs in one domain.
    const Gpu eights = sold_as({row("eight", 2.0, shape(8, "nvlink", "infiniband"))});
    c = price_deployment(whole(eights), Layout{.tensor = 2, .data = 8, .expert = 4}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(16 * 2.0));
    CHECK(price_deployment(whole(eights), Layout{.tensor = 4, .data = 4, .expert = 4}, false, PricingSpec{}).basis ==
          "unpriced: 'eight' sells 8-GPU instances; tensor x expert = 16 needs them in one scale-up domain");
}

TEST_CASE("instances are bought whole, and several only with an interconnect where they must talk") {
    const Gpu g = sold_as({row("eight", 2.0, shape(8, "nvlink", "infiniband"))});
    // Training on 12 GPUs: 2 instances of 8 = 16 GPUs x 2.0 = 32 USD/h.
    auto c = price_deployment(whole(g), Layout{.tensor = 4, .data = 3}, true, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(32.0));
    CHECK(c.paid_units == 16);
    CHECK(c.basis == "eight 2026-09-25, priced as 2 x 8-GPU instances (16 GPUs for 12)");
    // Without an interconnect the same training run cannot be bought...
    const Gpu island = sold_as({row("island", 2.0, shape(8, "nvlink", "none"))});
    c = price_deployment(whole(island), Layout{.tensor = 4, .data = 3}, true, PricingSpec{});
    CHECK(c.basis == "unpriced: 'island' has no interconnect between its 8-GPU instances, but 12 GPUs must reach each other");
    // ...but three independent inference replicas of 4 GPUs can: two share an instance, 2 instances x 8 x 2.0.
    c = price_deployment(whole(island), Layout{.tensor = 4, .data = 3}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(32.0));
    // A replica of 16 GPUs (tensor 8 x pipeline 2) spans two instances and must talk across them.
    CHECK_FALSE(price_deployment(whole(island), Layout{.tensor = 8, .pipeline = 2}, false, PricingSpec{}).per_hour);
    // A scale-up domain larger than the instance (a 4-GPU slice of an NVL72 rack): tensor 8 spans
    // two instances over NVLink and needs no interconnect. 2 x 4 x 10.5 = 84.
    const Gpu rack = sold_as({row("rack", 10.5, shape(4, "nvlink", "none", 72))});
    c = price_deployment(whole(rack), Layout{.tensor = 8}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(84.0));
    CHECK(c.basis == "rack 2026-09-25");
}

TEST_CASE("the cheapest supply wins, not the cheapest rate") {
    // One GPU: the whole 8-GPU instance at 2.0 costs 16; the 1-GPU instance at 3.0 costs 3.
    const Gpu g = sold_as({row("eight", 2.0, shape(8, "nvlink", "infiniband")), row("single", 3.0, shape(1, "none", "ethernet"))});
    auto c = price_deployment(whole(g), Layout{}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(3.0));
    CHECK(c.basis == "single 2026-09-25");
    // Eight GPUs in one tensor group: only the 8-GPU instance supplies it, 8 x 2.0.
    c = price_deployment(whole(g), Layout{.tensor = 8}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(16.0));
    CHECK(c.basis == "eight 2026-09-25");
}

TEST_CASE("a row without a shape keeps per-GPU pricing and says so") {
    const Gpu g = sold_as({row("plain", 2.0, std::nullopt)});
    const auto c = price_deployment(whole(g), Layout{.tensor = 8, .data = 128}, true, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(1024 * 2.0));
    CHECK(c.basis == "plain 2026-09-25 (instance shape not stated)");
}

TEST_CASE("a marketplace row does not price a 1,024-GPU training run") {
    const Gpu g = sold_as({row("peers", 1.0, std::nullopt, OfferKind::marketplace), row("cloud", 4.0, shape(8, "nvlink", "infiniband"))});
    // 1,024 GPUs that all-reduce gradients: the marketplace promises no network between hosts,
    // so the 8-GPU cloud instances price it: 128 x 8 x 4.0.
    auto c = price_deployment(whole(g), Layout{.tensor = 8, .data = 128}, true, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(1024 * 4.0));
    CHECK(c.basis == "cloud 2026-09-25");
    // Independent inference replicas of 2 GPUs each fit one host: 64 x 2 x 1.0.
    c = price_deployment(whole(g), Layout{.tensor = 2, .data = 64}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(128.0));
    CHECK(c.basis == "peers 2026-09-25 (marketplace, instance shape not stated)");
    // With the marketplace row alone the training run is unpriced, and says why.
    const Gpu only_peers = sold_as({row("peers", 1.0, std::nullopt, OfferKind::marketplace)});
    CHECK(price_deployment(whole(only_peers), Layout{.tensor = 8, .data = 128}, true, PricingSpec{}).basis ==
          "unpriced: 'peers' is a marketplace offer without an instance shape: one host holds at most 8 GPUs and no network "
          "between hosts is promised, but 1024 GPUs must reach each other");
    // A stated marketplace shape bounds it the same way: 16 GPUs of training across 8-GPU hosts.
    const Gpu shaped_peers = sold_as({row("peers", 1.0, shape(8, "nvlink", "ethernet"), OfferKind::marketplace)});
    CHECK(price_deployment(whole(shaped_peers), Layout{.tensor = 8, .data = 2}, true, PricingSpec{}).basis ==
          "unpriced: 'peers' is a marketplace offer: no network between its 8-GPU hosts is promised, but 16 GPUs must reach each "
          "other");
}

TEST_CASE("a MIG slice is priced pro rata only where a row sells it") {
    Gpu g = sold_as({row("whole", 2.0, shape(1, "none", "ethernet"))});
    const Partition p{.profile = "1g.2gb", .memory = gib(2), .compute_fraction = 1.0 / 7, .bandwidth_fraction = 1.0 / 8,
                      .max_instances = 7};
    const Device slice{.gpu = &g, .partition = p};
    // Nobody sells the slice: one slice costs the whole GPU, 2.0 (not 0.2 x 2.0).
    auto c = price_deployment(slice, Layout{}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(2.0));
    CHECK(c.basis == "whole 2026-09-25, priced as 1 whole GPU: the '1g.2gb' slice is not sold alone");
    // Nine slices: one GPU holds 7, so 2 whole GPUs = 4.0.
    c = price_deployment(slice, Layout{.data = 9}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(4.0));
    CHECK(c.basis == "whole 2026-09-25, priced as 2 whole GPUs: the '1g.2gb' slice is not sold alone");
    // A row that sells this slice prices it per slice: 9 x 0.35.
    g.prices.push_back(row("slicer", 0.35, InstanceShape{.gpus = 1, .partition = "1g.2gb"}));
    c = price_deployment(slice, Layout{.data = 9}, false, PricingSpec{});
    CHECK(c.per_hour->value() == Approx(9 * 0.35));
    CHECK(c.basis == "slicer 2026-09-25");
    // It sells neither another profile nor whole GPUs.
    const Device other{.gpu = &g, .partition = Partition{.profile = "2g.4gb", .memory = gib(4)}};
    CHECK(price_deployment(other, Layout{}, false, PricingSpec{}).per_hour->value() == Approx(2.0));
    const Gpu slicer_only = sold_as({row("slicer", 0.35, InstanceShape{.gpus = 1, .partition = "1g.2gb"})});
    CHECK(price_deployment(whole(slicer_only), Layout{}, false, PricingSpec{}).basis ==
          "unpriced: 'slicer' sells '1g.2gb' slices, not whole GPUs");
}

TEST_CASE("no row under the commitment: unpriced without a reason, as before") {
    const Gpu g = sold_as({row("od", 2.0, shape(1, "none", "ethernet"))});
    PricingSpec spot;
    spot.commitment = Commitment::spot;
    const auto c = price_deployment(whole(g), Layout{}, false, spot);
    CHECK_FALSE(c.per_hour);
    CHECK(c.basis.empty());
}

TEST_CASE("cost per million tokens") {
    CHECK(*usd_per_million_tokens(usd_per_hour(2.0), 1000) == Approx(2.0 / 3.6e6 * 1e6));
    CHECK_FALSE(usd_per_million_tokens(usd_per_hour(2.0), 0).has_value());
}
