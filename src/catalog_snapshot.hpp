// Internal: a parsed and checked Catalog as bytes, and back. The build checks the bundled
// data/gpus.json once and embeds its Catalog this way (cmake/catalog_snapshot.cpp), so a run
// without --catalog overlays builds the result directly instead of reading, merging and checking
// 200 kB of JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gpusize/catalog.hpp"

namespace gpusize::detail {

/// Every field of `c` (and of each of its GPUs) as bytes for read_catalog_snapshot.
std::string write_catalog_snapshot(const Catalog& c);

/// The Catalog write_catalog_snapshot wrote; nullopt when `bytes` is empty, was written by a
/// build with other types, or does not read to its end.
std::optional<Catalog> read_catalog_snapshot(std::string_view bytes);

}  // namespace gpusize::detail
