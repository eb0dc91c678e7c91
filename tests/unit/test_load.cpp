// The load model (load.hpp) on a toy server small enough to compute by hand, and its properties:
// Little's law, ordered percentiles, latency growing with the rate, saturation at the capacity.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "gpusize/load.hpp"

using namespace gpusize;

namespace {

/// T(n) = 10 ms + 0.1 ms x n; one prompt's prefill 50 ms alone, 20 ms of engine time at full load;
/// one chunk per prompt; 100 slots; 100 output tokens.
ServingSteps toy() {
    ServingSteps s;
    s.decode_step = [](double n) { return milliseconds(10.0 + 0.1 * n); };
    s.prefill = milliseconds(50);
    s.prefill_share = milliseconds(20);
    s.prompt_chunks = 1;
    s.slots = 100;
    s.output_tokens = 100;
    return s;
}

OfferedLoad open(double rate, double cv = 1) { return {.requests_per_s = rate, .burstiness = cv, .users = std::nullopt}; }
OfferedLoad closed(double users) { return {.requests_per_s = std::nullopt, .burstiness = 1, .users = users}; }

}  // namespace

TEST_CASE("the toy server at 10 requests/s, term by term") {
    const auto r = estimate_loaded(toy(), open(10));
    // capacity = 1 / (0.020 + 100 x T(100) / 100) = 1 / (0.020 + 0.020) = 25 requests/s; rho = 0.4
    CHECK(r.capacity_requests_per_s == Approx(25.0));
    CHECK(r.utilization == Approx(0.4));
    CHECK_FALSE(r.saturated);
    // f_p = 10 x 0.020 = 0.2; n = 10 x 100 x (0.010 + 0.0001 n) / 0.8 = 12.5 + 0.125 n -> n = 12.5 / 0.875
    CHECK(r.prefill_busy == Approx(0.2));
    CHECK(r.decoding == Approx(12.5 / 0.875).epsilon(1e-9));
    // T(n) = 0.010 + 0.0001 x 14.2857 = 0.0114286 s; tau = T / 0.8 = 0.0142857 s
    CHECK(r.decode_step.value() == Approx(0.01 + 0.0001 * 12.5 / 0.875));
    CHECK(r.between_tokens.value() == Approx(1.0 / 70.0));
    // S_pre = 0.050 + 1 chunk x T(n) x min(1, n) = 0.0614286 s
    CHECK(r.prefill.value() == Approx(0.05 + 0.0114285714));
    // W = 0.4 / 0.6 x (1 + 0) / 2 x 1 / 25 = 0.0133333 s
    REQUIRE(r.queue);
    CHECK(r.queue->value() == Approx(0.4 / 0.6 * 0.5 / 25.0));
    // Wait percentiles: none with probability 0.6, else exponential with mean W / rho = 0.0333333 s:
    // p90 = 0.0333333 x ln(0.4 / 0.1), p99 = 0.0333333 x ln(0.4 / 0.01).
    REQUIRE(r.ttft);
    const double service = 0.05 + 0.0114285714 + 1.0 / 70.0;
    CHECK(r.ttft->mean.value() == Approx(0.0133333333 + service));
    CHECK(r.ttft->p50.value() == Approx(service));
    CHECK(r.ttft->p90.value() == Approx(service + 0.0333333333 * std::log(4.0)));
    CHECK(r.ttft->p99.value() == Approx(service + 0.0333333333 * std::log(40.0)));
    // e2e = W + S_pre + 100 tau = 0.0133333 + 0.0614286 + 1.4285714
    REQUIRE(r.e2e);
    CHECK(r.e2e->mean.value() == Approx(0.0133333333 + 0.0614285714 + 100.0 / 70.0));
    // Chunk steps: pi = 10 x 1 x tau = 0.142857; X = (tau - T) / pi = 0.02 s;
    // sd = 0.02 x sqrt(pi (1 - pi) / 99) = 0.000703383 s
    CHECK(r.chunk_step_share == Approx(1.0 / 7.0));
    CHECK(r.chunk_step_extra.value() == Approx(0.02));
    REQUIRE(r.tpot);
    CHECK(r.tpot->mean.value() == Approx(1.0 / 70.0));
    CHECK(r.tpot->p50.value() == Approx(1.0 / 70.0));
    CHECK(r.tpot->p90.value() == Approx(1.0 / 70.0 + z90 * 0.000703383).epsilon(1e-5));
    CHECK(r.tpot->p99.value() == Approx(1.0 / 70.0 + z99 * 0.000703383).epsilon(1e-5));
    // in flight = 10 x 0.0133333 + 10 x 0.0614286 + 14.2857 = 15.0333 = 10 x e2e
    REQUIRE(r.in_flight);
    CHECK(*r.in_flight == Approx(15.0333333).epsilon(1e-6));
}

TEST_CASE("burstiness scales the wait by (c_a^2 + 0) / 2; regular arrivals do not wait") {
    const auto poisson = estimate_loaded(toy(), open(10, 1));
    const auto bursty = estimate_loaded(toy(), open(10, 2));
    const auto regular = estimate_loaded(toy(), open(10, 0));
    CHECK(bursty.queue->value() == Approx(4.0 * poisson.queue->value()));
    CHECK(regular.queue->value() == 0.0);
    CHECK(regular.ttft->p99 == regular.ttft->p50);
}

TEST_CASE("past the capacity the open loop is saturated and has no latencies") {
    const auto r = estimate_loaded(toy(), open(30));
    CHECK(r.saturated);
    CHECK(r.utilization == Approx(1.2));
    CHECK(r.requests_per_s == Approx(25.0));
    CHECK(r.offered_requests_per_s == Approx(30.0));
    CHECK_FALSE(r.in_flight);
    CHECK_FALSE(r.queue);
    CHECK_FALSE(r.ttft);
    CHECK_FALSE(r.tpot);
    CHECK_FALSE(r.e2e);
    CHECK(r.decoding == Approx(100.0));
    CHECK(estimate_loaded(toy(), open(25)).saturated);
}

TEST_CASE("a closed loop beyond what the engine holds queues the rest in line") {
    // At capacity: f_p = 0.5, n = 100, T = 0.020, tau = 0.040, S_pre = 0.050 + 0.020 = 0.070,
    // e2e without wait = 0.070 + 100 x 0.040 = 4.07 s; the engine holds 25 x 4.07 = 101.75 users.
    // 200 users: W = 200 / 25 - 4.07 = 3.93 s, the same for everyone.
    const auto r = estimate_loaded(toy(), closed(200));
    CHECK_FALSE(r.saturated);
    CHECK(r.requests_per_s == Approx(25.0));
    CHECK(r.utilization == Approx(1.0));
    CHECK(r.queue->value() == Approx(3.93));
    CHECK(r.ttft->p99 == r.ttft->p50);
    CHECK(r.ttft->mean.value() == Approx(3.93 + 0.07 + 0.04));
    CHECK(*r.in_flight == Approx(200.0));
    CHECK(r.e2e->mean.value() == Approx(8.0));
}

TEST_CASE("a closed loop within what the engine holds finds the rate at which users = rate x e2e") {
    for (double users : {1.0, 10.0, 50.0, 101.0}) {
        INFO(users);
        const auto r = estimate_loaded(toy(), closed(users));
        CHECK(r.queue->value() == 0.0);
        CHECK(*r.in_flight == Approx(users).epsilon(1e-6));
        CHECK(r.requests_per_s * r.e2e->mean.value() == Approx(users).epsilon(1e-6));
        CHECK(r.utilization < 1.0);
    }
}

TEST_CASE("over random rates: Little's law, ordered percentiles, latency grows with the rate, saturation at capacity",
          "[property]") {
    std::mt19937 rng(16);
    std::uniform_real_distribution<double> share(0.0, 1.5), cv(0.0, 3.0);
    for (int i = 0; i < 300; ++i) {
        const double a = share(rng), b = share(rng), c = cv(rng);
        const double lo = std::min(a, b) * 25.0, hi = std::max(a, b) * 25.0;
        const auto x = estimate_loaded(toy(), open(lo, c)), y = estimate_loaded(toy(), open(hi, c));
        INFO(lo << " " << hi << " " << c);
        CHECK(x.saturated == (lo >= 25.0));
        CHECK(y.saturated == (hi >= 25.0));
        for (const auto* r : {&x, &y}) {
            if (r->saturated) continue;
            CHECK(*r->in_flight == Approx(r->requests_per_s * r->e2e->mean.value()).epsilon(0.05));
            for (const auto& d : {*r->ttft, *r->tpot, *r->e2e}) {
                CHECK(d.p50 <= d.p90);
                CHECK(d.p90 <= d.p99);
            }
        }
        if (y.saturated) continue;
        CHECK(x.ttft->mean <= y.ttft->mean);
        CHECK(x.ttft->p90 <= y.ttft->p90);
        CHECK(x.tpot->mean <= y.tpot->mean);
        CHECK(x.e2e->mean <= y.e2e->mean);
        CHECK(x.decoding <= y.decoding);
    }
}
