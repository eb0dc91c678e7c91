// Build-time tool: `gpusize-embed-catalog IN CBOR_OUT SNAPSHOT_OUT` reads the bundled GPU catalog
// IN (data/gpus.json) and writes two C++ files for the gpusize binary:
//   CBOR_OUT      `gpusize::embedded::gpus_cbor`: IN's JSON as CBOR (RFC 8949), which nlohmann
//                 reads into the same tree several times faster than it parses the text; the
//                 catalog reader uses it when overlays are merged over the bundled entries.
//   SNAPSHOT_OUT  `gpusize::embedded::gpus_snapshot`: the Catalog parse_catalogs makes of IN alone,
//                 as src/catalog_snapshot.hpp writes it; a run without overlays starts from it.
// A file that fails the reader's checks (size, nesting, NUL bytes, syntax, duplicate keys, any
// catalog error) is embedded as no bytes in both, so the reader parses the text and reports the
// problem with its line and column.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog_snapshot.hpp"
#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"
#include "json_index.hpp"
#include "json_limits.hpp"

// The reader compares sources with the embedded text by address; this tool embeds nothing.
namespace gpusize::embedded {
extern const std::string_view gpus_json{};
extern const std::string_view gpus_cbor{};
extern const std::string_view gpus_snapshot{};
}  // namespace gpusize::embedded

namespace {

bool write_embedded(const char* path, const char* source, const std::string& var, std::string_view bytes) {
    std::string text = fmt::format("// Generated from {} by cmake/embed_catalog.cpp; do not edit.\n#include <string_view>\n"
                                   "namespace gpusize::embedded {{\nstatic const char {}_bytes[] = {{\n",
                                   source, var);
    text.reserve(text.size() + bytes.size() * 7 + 200);
    for (std::size_t i = 0; i < bytes.size(); ++i)
        text += fmt::format("'\\x{:02x}',{}", static_cast<unsigned char>(bytes[i]), i % 16 == 15 ? "\n" : "");
    text += fmt::format("'\\0'}};\nextern const std::string_view {}({}_bytes, {});\n}}\n", var, var, bytes.size());
    std::ofstream out(path, std::ios::binary);
    out << text;
    out.close();
    if (!out) std::cerr << "gpusize-embed-catalog: error: cannot write '" << path << "'\n";
    return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: gpusize-embed-catalog IN CBOR_OUT SNAPSHOT_OUT\n";
        return 64;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "gpusize-embed-catalog: error: cannot read '" << argv[1] << "'\n";
        return 66;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::uint8_t> cbor;
    std::string snapshot;
    gpusize::DiagnosticSink sink;
    if (gpusize::detail::check_json_limits(text, argv[1], sink)) {
        try {
            const auto doc = nlohmann::json::parse(text);
            if (!gpusize::detail::has_duplicate_keys(text)) {
                // The origin the CLI gives the bundled catalog; the reader uses the snapshot only
                // for a catalog named so.
                const gpusize::Catalog catalog = gpusize::parse_catalogs({{text, "data/gpus.json"}});
                cbor = nlohmann::json::to_cbor(doc);
                snapshot = gpusize::detail::write_catalog_snapshot(catalog);
            }
        } catch (const nlohmann::json::exception&) {
            // Left to the reader, which locates the error in the text.
        } catch (const gpusize::CatalogError&) {
            // Likewise: the reader reports every problem.
        }
    }
    if (cbor.empty())
        std::cerr << "gpusize-embed-catalog: warning: '" << argv[1] << "' is not a valid catalog: the reader will parse its text\n";
    const std::string_view cbor_bytes(reinterpret_cast<const char*>(cbor.data()), cbor.size());
    return write_embedded(argv[2], argv[1], "gpus_cbor", cbor_bytes) && write_embedded(argv[3], argv[1], "gpus_snapshot", snapshot)
               ? 0
               : 74;
}
