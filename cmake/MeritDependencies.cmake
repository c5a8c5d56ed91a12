# Every third-party library, and why it is here. All come from Debian packages (see README).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(simdjson REQUIRED)   # JSONL input: validated UTF-8, fast DOM parsing with a depth limit.
find_package(yaml-cpp REQUIRED)   # YAML configs (JSON configs parse as YAML too).
find_package(fmt REQUIRED)        # Error messages and number formatting (libstdc++ 12 lacks <format>).
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)             # format.regex: linear-time regex.
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc) # NFKC normalisation, case folding.
pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)             # math: exact big integers and rationals.
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)           # math: interval bounds with directed rounding.
find_package(SQLite3 REQUIRED)    # sql.*: gold and predicted queries really run on SQLite.
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)  # code.tests: syscall filter in the sandbox.
find_package(CURL REQUIRED)      # Model backends: asynchronous HTTP client (curl multi), keep-alive reuse.
find_package(OpenSSL REQUIRED)   # Model backends: SHA-256 keys of the content-addressed response cache.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)  # merit serve: HTTP/1.1 server (cpp-httplib, header-only).
if(MERIT_BUILD_CLI)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)  # Command-line parsing (header-only).
endif()
if(MERIT_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(MERIT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
