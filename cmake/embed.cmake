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

# gpusize_embed_cbor(TARGET name VAR symbol FILE path): like gpusize_embed, for a JSON file, whose
# bytes are embedded as CBOR (cmake/json_to_cbor.cpp): the bundled catalog is read from those on
# every run, several times faster than from its text. Empty when the file fails the checks the
# catalog reader makes, which then reads the text and reports the problem.
function(gpusize_embed_cbor)
  cmake_parse_arguments(E "" "TARGET;VAR;FILE" "" ${ARGN})
  if(NOT TARGET gpusize-json-to-cbor)
    add_executable(gpusize-json-to-cbor "${PROJECT_SOURCE_DIR}/cmake/json_to_cbor.cpp" "${PROJECT_SOURCE_DIR}/src/diagnostics.cpp")
    target_include_directories(gpusize-json-to-cbor PRIVATE "${PROJECT_SOURCE_DIR}/include")
    target_link_libraries(gpusize-json-to-cbor PRIVATE fmt::fmt nlohmann_json::nlohmann_json gpusize_warnings)
  endif()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${E_VAR}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND gpusize-json-to-cbor "${E_FILE}" "${out}" ${E_VAR}
    DEPENDS "${E_FILE}" gpusize-json-to-cbor
    COMMENT "Embedding ${E_FILE} as CBOR")
  target_sources(${E_TARGET} PRIVATE "${out}")
endfunction()
