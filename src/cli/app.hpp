// The command line: parses arguments into an Options value (testable in-process), reads files,
// runs the core, writes results to stdout and diagnostics to stderr, and maps outcomes to the
// documented exit codes. The only place that knows CLI11 or touches files and streams.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace gpusize::cli {

/// Exit codes (sysexits-style), the contract for CI users.
namespace exit_code {
inline constexpr int ok = 0;
inline constexpr int does_not_fit = 1;
inline constexpr int misses_target = 2;
inline constexpr int usage = 64;
inline constexpr int invalid_spec = 65;
inline constexpr int input_missing = 66;
inline constexpr int internal = 70;
inline constexpr int cannot_create_output = 73;
inline constexpr int output_failed = 74;
inline constexpr int invalid_catalog = 78;
}  // namespace exit_code

enum class Format { table, json, yaml, markdown, csv, html };

struct Options {
    std::string command;  ///< plan | check | explain | gpus | models
    std::string spec;     ///< path or "-"
    std::optional<std::string> item;  ///< gpus ID / models ID
    Format format = Format::table;
    std::vector<std::string> catalogs;
    std::optional<std::size_t> top;
    bool verbose = false;
    std::optional<std::string> gpu;
    std::optional<std::string> baseline;  ///< plan/check: an earlier JSON report to compare with
    std::optional<std::int64_t> count, tp, pp, dp;
    std::optional<std::string> vendor;
    std::optional<double> min_memory_bytes;
    std::optional<std::int64_t> stale_days;  ///< `gpus --stale DAYS`: list price rows older than DAYS
    std::optional<std::string> today;        ///< `gpus --today YYYY-MM-DD`: the date --stale counts from
    std::vector<std::string> sets;          ///< `--set key=value`, in order
    std::vector<std::string> explain_gpus;  ///< `explain --gpu ID` (repeatable)
    /// `check --solve context|concurrency|gpus`: the free variable to solve with the GPU fixed.
    std::optional<std::string> solve;
    std::vector<std::string> requirements;  ///< `check --require CONDITION` (repeatable), in order
};

/// Parses argv. Throws UsageError with CLI11's complaint reworded; returns nullopt when help or
/// the version was printed to `out`.
std::optional<Options> parse_options(int argc, const char* const* argv, std::ostream& out);

/// Runs one invocation end to end and returns its exit code.
int run(int argc, const char* const* argv, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace gpusize::cli
