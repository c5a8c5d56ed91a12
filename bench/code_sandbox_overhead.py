#!/usr/bin/env python3
"""Per-execution cost of the code.tests sandbox versus the bare program (issue 5: aim < 20 ms).

Runs the Google Benchmark program bench/code/sandbox_benchmark.cc (build it first:
`cmake -DMERIT_BUILD_BENCHMARKS=ON ... && ninja code_sandbox_benchmark`) and prints:

  - sandboxed executions/s of a trivial Python program (python3 -c pass), serial and parallel;
  - the overhead per execution: sandboxed minus bare `python3 -c pass`, in wall time and in CPU time
    of the child processes (CPU time is the steadier number on a busy machine);
  - the same for /usr/bin/true, which isolates the sandbox's own cost from Python's start-up.

Usage: bench/code_sandbox_overhead.py [path/to/code_sandbox_benchmark] [--min-time SECONDS]
"""
import argparse
import json
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent


def find_binary(given):
    if given:
        return pathlib.Path(given)
    for build in ("release", "dev", "sandbox"):
        path = REPO / "build" / build / "bench" / "code_sandbox_benchmark"
        if path.exists():
            return path
    sys.exit("code_sandbox_benchmark not found: build it with MERIT_BUILD_BENCHMARKS=ON")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?")
    parser.add_argument("--min-time", type=float, default=2.0)
    args = parser.parse_args()
    out = subprocess.run(
        [str(find_binary(args.binary)), "--benchmark_format=json",
         f"--benchmark_min_time={args.min_time}"],
        check=True, capture_output=True, text=True).stdout
    rows = {b["name"].replace("/real_time", ""): b for b in json.loads(out)["benchmarks"]}

    def ms(name):
        return rows[name]["real_time"]  # Unit: ms (the benchmark says so).

    def cpu(name):
        return rows[name]["child_cpu_ms"]

    for label, arg in (("python3 -c pass", 0), ("/usr/bin/true", 1)):
        bare, boxed = f"BM_Bare/{arg}", f"BM_Sandboxed/{arg}"
        print(f"{label:16s} bare {ms(bare):7.2f} ms  sandboxed {ms(boxed):7.2f} ms  "
              f"overhead {ms(boxed) - ms(bare):6.2f} ms wall, "
              f"{cpu(boxed) - cpu(bare):6.2f} ms child CPU  ratio {ms(boxed) / ms(bare):5.2f}x")
    print(f"sandboxed python3 -c pass, serial: {1e3 / ms('BM_Sandboxed/0'):.1f} executions/s")
    for parallel in (1, 2, 4):
        name = f"BM_SandboxedParallel/{parallel}"
        print(f"sandboxed python3 -c pass, parallel {parallel}: "
              f"{rows[name]['items_per_second']:.1f} executions/s")


if __name__ == "__main__":
    main()
