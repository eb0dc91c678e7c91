// Build-time tool: `gpusize-json-to-cbor IN OUT VAR` writes OUT, a C++ file defining
// `extern const std::string_view gpusize::embedded::VAR` as IN's JSON in CBOR (RFC 8949), which
// nlohmann reads into the same tree several times faster than it parses the text. IN is checked
// as the catalog reader checks every file (size, nesting, NUL bytes, syntax, duplicate keys); a
// file that fails any check is embedded as no bytes, so the reader parses the text and reports
// the problem with its line and column.
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../src/json_index.hpp"
#include "../src/json_limits.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: gpusize-json-to-cbor IN OUT VAR\n";
        return 64;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "gpusize-json-to-cbor: error: cannot read '" << argv[1] << "'\n";
        return 66;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> cbor;
    gpusize::DiagnosticSink sink;
    if (gpusize::detail::check_json_limits(text, argv[1], sink)) {
        try {
            const auto doc = nlohmann::json::parse(text);
            if (!gpusize::detail::has_duplicate_keys(text)) cbor = nlohmann::json::to_cbor(doc);
        } catch (const nlohmann::json::exception&) {
            // Left to the reader, which locates the error in the text.
        }
    }
    if (cbor.empty())
        std::cerr << "gpusize-json-to-cbor: warning: '" << argv[1] << "' is not a valid catalog file: the reader will parse its text\n";
    std::string bytes;
    bytes.reserve(cbor.size() * 6);
    for (std::size_t i = 0; i < cbor.size(); ++i) bytes += fmt::format("'\\x{:02x}',{}", cbor[i], i % 16 == 15 ? "\n" : "");
    const std::string var = argv[3];
    std::ofstream out(argv[2], std::ios::binary);
    out << "// Generated from " << argv[1] << " by cmake/json_to_cbor.cpp; do not edit.\n#include <string_view>\n"
        << "namespace gpusize::embedded {\nstatic const char " << var << "_bytes[] = {\n" << bytes << "'\\0'};\n"
        << "extern const std::string_view " << var << "(" << var << "_bytes, " << cbor.size() << ");\n}\n";
    out.close();
    if (!out) {
        std::cerr << "gpusize-json-to-cbor: error: cannot write '" << argv[2] << "'\n";
        return 74;
    }
    return 0;
}
