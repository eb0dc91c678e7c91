// Fuzzes the Hugging Face config.json import: parse_hf_config, then the model resolution a spec
// naming the file runs (architecture completion and the parameter count), so the counting rules
// see hostile numbers too. SpecError is a refusal; anything else escaping, a sanitizer report, or
// a parameter count that is NaN, infinite or negative is a finding (abort).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "gpusize/diagnostics.hpp"
#include "gpusize/model_library.hpp"
#include "gpusize/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gpusize;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const Spec spec =
        parse_spec("model: {hf_config: config.json}\ninference: {input_tokens: 1000, output_tokens: 100}\n", "fuzz.yaml");
    try {
        (void)parse_hf_config(text, "config.json");
        const Problem p = make_problem(spec, bundled_models(), text);
        for (double v : {p.model.parameters.total, p.model.parameters.active})
            if (!std::isfinite(v) || v < 0) {
                std::fprintf(stderr, "finding: parameter count %g\n", v);
                std::abort();
            }
    } catch (const SpecError&) {
    }
    return 0;
}
