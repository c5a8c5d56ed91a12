# Every third-party library, and why it is here. All come from Debian packages (see README).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(simdjson REQUIRED)   # JSONL input: validated UTF-8, fast DOM parsing with a depth limit.
find_package(yaml-cpp REQUIRED)   # YAML configs (JSON configs parse as YAML too).
find_package(fmt REQUIRED)        # Error messages and number formatting (libstdc++ 12 lacks <format>).
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)             # format.regex: linear-time regex.
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc) # NFKC normalisation, case folding.
if(MERIT_BUILD_CLI)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)  # Command-line parsing (header-only).
endif()
if(MERIT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MERIT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
