// Fuzzes `--set key=value`: the input's lines are override strings (empty lines skipped), parsed
// by parse_overrides and applied to a fixed valid spec (examples/chat-llama-3.1-8b.yaml), then
// planned and rendered with fuzz_spec's checks (plan_checks.hpp). Overrides build the spec's tree
// in memory, past the text checks of the spec reader, so deep key paths, hostile values and
// invalid UTF-8 reach the parser this way only. UsageError and SpecError are refusals; anything
// else escaping, a sanitizer report, or a bad number in the result is a finding.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gpusize/diagnostics.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/overrides.hpp"
#include "gpusize/spec.hpp"
#include "plan_checks.hpp"

namespace {

// examples/chat-llama-3.1-8b.yaml.
constexpr std::string_view spec_text =
    "# Chat serving of Llama 3.1 8B on one GPU or a slice of one: short prompts, short answers,\n"
    "# a latency target a chat product would set. The short form of the spec.\n"
    "name: llama-3.1-8b chat\n"
    "model: {preset: llama-3.1-8b}\n"
    "workload: inference\n"
    "precision: bf16\n"
    "context: 2048\n"
    "inference:\n"
    "  output_tokens: 256\n"
    "  engine: vllm\n"
    "  targets: {ttft_ms: 500, tpot_ms: 40}\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gpusize;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> sets;
    for (std::size_t pos = 0; pos < text.size();) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        if (end > pos) sets.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    try {
        const std::vector<Override> overrides = parse_overrides(sets);
        Spec spec = parse_spec(spec_text, "spec.yaml", overrides);
        fuzz::plan_and_check(make_problem(std::move(spec), bundled_models(), std::nullopt));
    } catch (const DiagnosticError&) {
    }
    return 0;
}
