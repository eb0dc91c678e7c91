// Fuzzes the catalog parser: the bundled catalog as base and the input as an overlay (the way
// `--catalog FILE` reads it), then renders the entries the overlay added or changed as
// `gpus -o json`, the table and the detail view. CatalogError and UsageError are refusals;
// anything else escaping, or a sanitizer report, is a finding. The bundled catalog is read and
// checked once (parse_catalog_base): each input pays only for its overlay.
#include <cstdint>
#include <string_view>

#include "gpusize/catalog.hpp"
#include "gpusize/diagnostics.hpp"
#include "gpusize/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace gpusize;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const CatalogBase base = parse_catalog_base({{bundled_catalog_text(), "data/gpus.json"}});
    try {
        const Catalog c = parse_catalogs(base, {{text, "fuzz.json"}});
        // Only the entries the overlay touched: the bundled ones render the same every time.
        std::vector<const Gpu*> list;
        for (const auto& g : c.gpus)
            if (g.origin == "fuzz.json") list.push_back(&g);
        (void)render_gpus_json(c, list);
        (void)render_gpus_table(list);
        for (const auto* g : list) {
            (void)render_gpu_detail(*g);
            (void)g->cheapest_price();
            (void)g->pcie_bandwidth();
        }
    } catch (const DiagnosticError&) {
    }
    return 0;
}
