# Declarative target helpers in the style of abseil's absl_cc_library.

add_library(merit_warnings INTERFACE)
target_compile_options(merit_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wimplicit-fallthrough
  # GCC 12 at -O3 reports impossible std::string memcpy overlaps (GCC bug 105329) and
  # "maybe uninitialized" std::optional payloads (GCC bug 80635); both are false positives that
  # -Werror would turn into build failures. ASan/UBSan and clang builds still check these paths.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict -Wno-maybe-uninitialized>
  $<$<BOOL:${MERIT_WERROR}>:-Werror>)

# merit_cc_library(NAME n SRCS ... DEPS ...): static library merit_n, alias merit::n.
function(merit_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(merit_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(merit::${ARG_NAME} ALIAS merit_${ARG_NAME})
  target_include_directories(merit_${ARG_NAME} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(merit_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE merit_warnings)
endfunction()

# merit_cc_test(NAME n SRCS ... DEPS ... [LABELS ...]): a GoogleTest binary registered with CTest.
function(merit_cc_test)
  if(NOT MERIT_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} merit_testutil GTest::gmock GTest::gtest_main
                        merit_warnings)
  target_compile_definitions(${ARG_NAME} PRIVATE
    MERIT_SOURCE_DIR="${PROJECT_SOURCE_DIR}" MERIT_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(ARG_LABELS)
    set_tests_properties(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# merit_cc_benchmark(NAME n SRCS ... DEPS ...): a Google Benchmark program.
function(merit_cc_benchmark)
  if(NOT MERIT_BUILD_BENCHMARKS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark_main merit_warnings)
endfunction()

# merit_cc_fuzz(NAME n SRCS ... DEPS ...): a libFuzzer target when MERIT_FUZZ is on (clang), and
# always a replay binary that runs the committed corpus as a CTest test (fmt's fuzzing/main.cc idea).
function(merit_cc_fuzz)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  if(MERIT_FUZZ)
    add_executable(${ARG_NAME} ${ARG_SRCS})
    target_compile_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  endif()
  if(MERIT_BUILD_TESTS)
    add_executable(${ARG_NAME}_replay ${ARG_SRCS} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
    target_link_libraries(${ARG_NAME}_replay PRIVATE ${ARG_DEPS} merit_warnings)
    add_test(NAME ${ARG_NAME}_replay
             COMMAND ${ARG_NAME}_replay ${PROJECT_SOURCE_DIR}/fuzz/corpus/${ARG_NAME})
  endif()
endfunction()
