# Embeds data files into the binary: gpusize_embed(TARGET name VAR symbol FILE path) generates a
# .cpp defining `extern const std::string_view symbol` with the file's bytes, regenerated when the
# file changes, so the executable needs no data files beside it.
function(gpusize_embed)
  cmake_parse_arguments(E "" "TARGET;VAR;FILE" "" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${E_VAR}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${E_FILE} -DOUT=${out} -DVAR=${E_VAR}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    DEPENDS "${E_FILE}" "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    COMMENT "Embedding ${E_FILE}")
  target_sources(${E_TARGET} PRIVATE "${out}")
endfunction()

# gpusize_embed_catalog(TARGET name FILE path): the GPU catalog's fast forms for the reader, made
# by cmake/embed_catalog.cpp: `gpusize::embedded::gpus_cbor` (the JSON as CBOR) and
# `gpusize::embedded::gpus_snapshot` (the parsed Catalog). Both are empty when the file fails a
# check, and the reader then parses the text (embedded with gpusize_embed) and reports it.
function(gpusize_embed_catalog)
  cmake_parse_arguments(E "" "TARGET;FILE" "" ${ARGN})
  add_executable(gpusize-embed-catalog "${PROJECT_SOURCE_DIR}/cmake/embed_catalog.cpp" "${PROJECT_SOURCE_DIR}/src/catalog.cpp"
                 "${PROJECT_SOURCE_DIR}/src/catalog_snapshot.cpp" "${PROJECT_SOURCE_DIR}/src/diagnostics.cpp")
  target_include_directories(gpusize-embed-catalog PRIVATE "${PROJECT_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(gpusize-embed-catalog PRIVATE fmt::fmt nlohmann_json::nlohmann_json gpusize_warnings)
  set(cbor "${CMAKE_CURRENT_BINARY_DIR}/embedded_gpus_cbor.cpp")
  set(snapshot "${CMAKE_CURRENT_BINARY_DIR}/embedded_gpus_snapshot.cpp")
  add_custom_command(
    OUTPUT "${cbor}" "${snapshot}"
    COMMAND gpusize-embed-catalog "${E_FILE}" "${cbor}" "${snapshot}"
    DEPENDS "${E_FILE}" gpusize-embed-catalog
    COMMENT "Embedding ${E_FILE} as CBOR and as a parsed catalog")
  target_sources(${E_TARGET} PRIVATE "${cbor}" "${snapshot}")
endfunction()
