// Fuzzes the workload spec end to end: parse_spec, make_problem (model resolution), GPU name
// resolution, then the whole search on a three-GPU slice of the bundled catalog and both
// renderers, so the estimators see hostile numbers too. Parser complaints are the expected
// outcome for most inputs; anything else that escapes, a sanitizer report, or a number in the
// result that is NaN, infinite or a negative byte count is a finding (plan_checks.hpp).
#include <cstdint>
#include <optional>
#include <string_view>

#include "gpusize/diagnostics.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/spec.hpp"
#include "plan_checks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gpusize;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        Spec spec = parse_spec(text, "fuzz.yaml");
        fuzz::plan_and_check(make_problem(std::move(spec), bundled_models(), std::nullopt));
    } catch (const DiagnosticError&) {
        // SpecError, and UsageError for layouts that cannot exist: refusals, not findings.
    }
    return 0;
}
