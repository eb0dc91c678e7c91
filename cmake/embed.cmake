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
