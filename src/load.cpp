#include "gpusize/load.hpp"

#include <algorithm>
#include <cmath>

namespace gpusize {
namespace {

/// The engine at a given arrival rate, before any queue: the batch, the step, the prefill.
struct Batch {
    double n = 0;
    double prefill_busy = 0;
    Seconds step, tau, prefill;
};

Batch batch_at(const ServingSteps& s, double rate) {
    auto step = [&](double n) { return s.decode_step(std::max(1.0, n)); };
    Batch b;
    b.prefill_busy = rate * s.prefill_share.value();
    const double decode_share = 1.0 - b.prefill_busy;
    // n = rate · s_out · T(n) / (1 - f_p): the right side over n falls from +inf at 0, and is below
    // 1 at B whenever rate < capacity, so there is a crossing in (0, B]; T(n) grows slower than n.
    auto excess = [&](double n) { return rate * s.output_tokens * step(n).value() / decode_share - n; };
    if (rate <= 0) b.n = 0;
    else if (decode_share <= 0 || excess(s.slots) >= 0) b.n = s.slots;
    else {
        // Bisected to adjacent doubles, so the fixed point holds to rounding (explain recomputes it).
        double lo = 0, hi = s.slots;
        for (int i = 0; i < 2200; ++i) {
            const double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) break;
            (excess(mid) > 0 ? lo : hi) = mid;
        }
        b.n = hi;
    }
    b.step = step(b.n);
    b.tau = decode_share > 0 ? b.step / decode_share : Seconds(INFINITY);
    b.prefill = s.prefill + b.step * (s.prompt_chunks * std::min(1.0, b.n));
    return b;
}

/// The mean latency before any wait: prefill, the first token's step, the other tokens.
Seconds service(const ServingSteps& s, const Batch& b) { return b.prefill + b.tau * s.output_tokens; }

LatencyDistribution shifted(Seconds wait_mean, Seconds wait50, Seconds wait90, Seconds wait99, Seconds by) {
    return {wait_mean + by, wait50 + by, wait90 + by, wait99 + by};
}

}  // namespace

LoadedPerformance estimate_loaded(const ServingSteps& s, const OfferedLoad& load) {
    LoadedPerformance r;
    const double capacity = 1.0 / (s.prefill_share + s.decode_step(s.slots) * (s.output_tokens / s.slots)).value();
    r.capacity_requests_per_s = capacity;

    double rate = 0;
    Seconds wait_mean(0), w50(0), w90(0), w99(0);
    Batch b;
    if (load.users) {
        // Closed loop: no arrivals beyond the users, so nothing saturates; the line is deterministic.
        r.arrival_cv = 0;
        const double users = *load.users;
        const Batch full = batch_at(s, capacity);
        const double held = capacity * service(s, full).value();
        if (users >= held) {
            rate = capacity;
            b = full;
            wait_mean = w50 = w90 = w99 = Seconds(users / capacity) - service(s, full);
        } else {
            double lo = 0, hi = capacity;
            for (int i = 0; i < 2200; ++i) {
                const double mid = 0.5 * (lo + hi);
                if (mid <= lo || mid >= hi) break;
                (mid * service(s, batch_at(s, mid)).value() < users ? lo : hi) = mid;
            }
            rate = hi;
            b = batch_at(s, rate);
        }
        r.offered_requests_per_s = rate;
    } else {
        rate = load.requests_per_s.value_or(0);
        r.arrival_cv = load.burstiness;
        r.offered_requests_per_s = rate;
        if (rate >= capacity) {
            r.saturated = true;
            r.utilization = rate / capacity;
            r.requests_per_s = capacity;
            const Batch full = batch_at(s, capacity);
            r.decoding = full.n;
            r.prefill_busy = full.prefill_busy;
            r.decode_step = full.step;
            r.between_tokens = full.tau;
            r.prefill = full.prefill;
            return r;
        }
        b = batch_at(s, rate);
        // Kingman's G/G/1 wait with the engine as one work-conserving server of rate `capacity`;
        // requests have fixed lengths, so the service time does not vary (c_s = 0).
        const double rho = rate / capacity;
        wait_mean = Seconds(rho / (1.0 - rho) * (load.burstiness * load.burstiness) / 2.0 / capacity);
        // No wait with probability 1 - rho; otherwise exponential with mean W / rho.
        auto quantile = [&](double q) {
            return q <= 1.0 - rho || rho <= 0 ? Seconds(0) : wait_mean / rho * std::log(rho / (1.0 - q));
        };
        w50 = quantile(0.50);
        w90 = quantile(0.90);
        w99 = quantile(0.99);
    }

    r.requests_per_s = rate;
    r.utilization = rate / capacity;
    r.decoding = b.n;
    r.prefill_busy = b.prefill_busy;
    r.decode_step = b.step;
    r.between_tokens = b.tau;
    r.prefill = b.prefill;
    r.queue = wait_mean;
    r.in_flight = rate * wait_mean.value() + rate * b.prefill.value() + b.n;

    r.ttft = shifted(wait_mean, w50, w90, w99, b.prefill + b.tau);
    r.e2e = shifted(wait_mean, w50, w90, w99, service(s, b));

    // Steps that carry a prefill chunk: chunks per second over steps per second.
    r.chunk_step_share = std::min(1.0, rate * s.prompt_chunks * b.tau.value());
    r.chunk_step_extra = r.chunk_step_share > 0 ? (b.tau - b.step) / r.chunk_step_share : Seconds(0);
    const double gaps = s.output_tokens - 1.0;
    const double pi = r.chunk_step_share;
    const Seconds sd = gaps >= 1 ? r.chunk_step_extra * std::sqrt(pi * (1.0 - pi) / gaps) : Seconds(0);
    r.tpot = LatencyDistribution{b.tau, b.tau, b.tau + sd * z90, b.tau + sd * z99};
    return r;
}

}  // namespace gpusize
