// Serving under load (docs/estimation.md §6.7): one replica of a continuous-batching engine fed by
// an open loop (requests arriving at a rate, with a burstiness) or a closed loop (clients that send
// the next request when the last completes). From the engine's step times it derives the capacity,
// the batch that forms at a given rate, the queueing delay and the distributions of TTFT, time
// between tokens and end-to-end latency. Pure arithmetic on a `ServingSteps` value: the planner
// builds that value from the roofline estimates, the tests from a toy server.
#pragma once

#include <functional>
#include <optional>

#include "gpusize/units.hpp"

namespace gpusize {

/// What the load model needs to know of one replica's engine.
struct ServingSteps {
    /// Decode step time with `n` sequences in the batch, `n >= 1` (the caller clamps smaller `n`
    /// to 1); non-decreasing in `n`.
    std::function<Seconds(double n)> decode_step;
    /// One prompt's prefill on its own (the unloaded TTFT).
    Seconds prefill;
    /// Engine time a request's prefill takes at full load: its packed prefill step over the prompts
    /// the step packs (InferencePerformance::prefill_share).
    Seconds prefill_share;
    /// Chunks a prompt is split into, `ceil(input / max_num_batched_tokens)`: each shares a step
    /// with the decoding batch.
    double prompt_chunks = 1;
    /// Sequences the engine runs at once (max_num_seqs, or what the KV pool holds): the slots.
    double slots = 1;
    double output_tokens = 1;
};

/// The load offered to one replica: an open loop (`requests_per_s`, `burstiness` = coefficient of
/// variation of the time between arrivals, 1 for Poisson) or a closed loop (`users`).
struct OfferedLoad {
    std::optional<double> requests_per_s;
    double burstiness = 1;
    std::optional<double> users;
};

/// A latency's mean and percentiles.
struct LatencyDistribution {
    Seconds mean, p50, p90, p99;
};

struct LoadedPerformance {
    double capacity_requests_per_s = 0;  ///< `1 / (P + s_out · T(B) / B)`: the unloaded requests_per_s
    double offered_requests_per_s = 0;   ///< open loop: the rate; closed loop: what the users send
    double requests_per_s = 0;           ///< served: the offered rate, or the capacity when saturated
    double utilization = 0;              ///< offered / capacity; 1 or more: saturated
    bool saturated = false;              ///< open loop only: the rate reaches the capacity
    /// Mean requests in the system (waiting + prefilling + decoding): Little's law per population.
    std::optional<double> in_flight;
    double decoding = 0;                 ///< n: mean sequences in the decode batch
    double prefill_busy = 0;             ///< f_p = rate · P: the share of engine time prefill takes
    Seconds decode_step;                 ///< T(n)
    Seconds between_tokens;              ///< tau = T(n) / (1 - f_p): mean time between tokens
    Seconds prefill;                     ///< S_pre: the prompt's prefill with the decode steps it rides in
    double chunk_step_share = 0;         ///< pi: the share of steps that carry a prefill chunk
    Seconds chunk_step_extra;            ///< X: what a chunk adds to a step
    double arrival_cv = 1;               ///< c_a in Kingman's formula (0 for a closed loop)
    std::optional<Seconds> queue;        ///< W: mean wait before the prompt is scheduled
    std::optional<LatencyDistribution> ttft, tpot, e2e;
};

/// Standard normal quantiles the per-request TPOT uses: z(0.90), z(0.99).
inline constexpr double z90 = 1.2815515655446004;
inline constexpr double z99 = 2.3263478740408408;

/// The load model of docs/estimation.md §6.7 for one replica:
///   capacity  = 1 / (P + s_out · T(B) / B)            rho = rate / capacity
///   f_p       = rate · P                             n = rate · s_out · T(n) / (1 - f_p), n <= B
///   tau       = T(n) / (1 - f_p)                      S_pre = S_p + chunks · T(n) · min(1, n)
///   W (open)  = rho / (1 - rho) · (c_a² + c_s²) / 2 · (1 / capacity)   (Kingman; c_s = 0: fixed lengths)
///   TTFT      = W + S_pre + tau                       e2e = TTFT + (s_out - 1) · tau
/// Open loop: the wait is 0 with probability 1 - rho, else exponential with mean W / rho. Closed
/// loop: the rate solves `rate · e2e(rate) = users`; when the users outnumber what the engine holds
/// at capacity the rest wait in line, each for the same `W = users / capacity - e2e without wait`.
/// Per-request TPOT: the mean of `s_out - 1` gaps, each `T(n)`, or `T(n) + X` with probability pi,
/// as a normal with mean tau and sd `X · sqrt(pi (1 - pi) / (s_out - 1))`.
LoadedPerformance estimate_loaded(const ServingSteps& steps, const OfferedLoad& load);

}  // namespace gpusize
