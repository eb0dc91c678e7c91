// Hourly rates and cost per unit of work (cost.hpp).
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "gpusize/cost.hpp"

using namespace gpusize;
using namespace gpusize::test;

TEST_CASE("cloud: the cheapest dated catalog price, or the spec's") {
    const Gpu g = toy_gpu();
    PricingSpec pricing;
    auto r = hourly_rate(whole(g), pricing);
    REQUIRE(r);
    CHECK(r->per_gpu.value() == 2.0);
    CHECK(r->basis == "cloud-a 2026-01-01");
    pricing.usd_per_gpu_hour["toy"] = usd_per_hour(5.0);
    r = hourly_rate(whole(g), pricing);
    CHECK(r->per_gpu.value() == 5.0);
    CHECK(r->basis == "spec");
}

TEST_CASE("cloud: the spec's commitment picks the price rows it pays") {
    Gpu g = toy_gpu();
    g.prices.push_back(Price{"cloud-c", usd_per_hour(0.9), "2026-02-01", "test", "eu-west", Commitment::spot});
    g.prices.push_back(Price{"cloud-d", usd_per_hour(1.4), "2026-03-01", "test", "", Commitment::reserved_1y});
    PricingSpec pricing;
    CHECK(hourly_rate(whole(g), pricing)->per_gpu.value() == 2.0);  // on demand: cloud-a, not the cheaper spot row
    pricing.commitment = Commitment::spot;
    auto r = hourly_rate(whole(g), pricing);
    REQUIRE(r);
    CHECK(r->per_gpu.value() == 0.9);
    CHECK(r->basis == "cloud-c spot 2026-02-01");
    pricing.commitment = Commitment::reserved_1y;
    CHECK(hourly_rate(whole(g), pricing)->basis == "cloud-d reserved_1y 2026-03-01");
    pricing.commitment = Commitment::reserved_3y;  // no such row: unpriced, not the on-demand rate
    CHECK_FALSE(hourly_rate(whole(g), pricing).has_value());
}

TEST_CASE("no price is no price") {
    Gpu g = toy_gpu();
    g.prices.clear();
    CHECK_FALSE(hourly_rate(whole(g), PricingSpec{}).has_value());
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

TEST_CASE("a slice pays its share of the GPU") {
    const Gpu g = toy_gpu();
    const Device slice{.gpu = &g, .partition = Partition{"1g.2gb", gib(2), 1.0 / 7, 1.0 / 8}};
    // the larger of compute 1/7 and memory 2/10
    CHECK(slice.share() == Approx(0.2));
    CHECK(hourly_rate(slice, PricingSpec{})->per_gpu.value() == Approx(0.4));
}

TEST_CASE("cost per million tokens") {
    CHECK(*usd_per_million_tokens(usd_per_hour(2.0), 1000) == Approx(2.0 / 3.6e6 * 1e6));
    CHECK_FALSE(usd_per_million_tokens(usd_per_hour(2.0), 0).has_value());
}
