"""Load test for `merit serve`: batches of 256 math samples over HTTP at concurrency 1, 8 and 64
(wrk from Debian, keep-alive connections), against in-process scoring of the same batches with the
same engine threads (merit.Reward.score_lines from as many Python threads; it releases the GIL).

    python3 bench/serve_load.py [--bin build/release/merit] [--threads N] [--seconds 5]

Both sides take pre-serialised samples and return result JSON text, so the ratio measures what
HTTP adds: the request and response bytes, cpp-httplib, the work queue, and wrk's own CPU on the
same machine. The reward is `math` when registered, else `math.verify`, else `match.numeric`
(--reward picks one). Prints requests/s, samples/s, p50/p99 latency and served/in-process.
A last run floods the server (--flood connections, small queue) to show that requests beyond
capacity are refused fast (429) while accepted ones keep their latency.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = pathlib.Path(__file__).resolve().parent.parent
BATCH = 256


def samples(n):
    """GSM8K-shaped completions: some reasoning, then a final answer in several styles."""
    out = []
    for i in range(n):
        a, b = 17 + i % 89, 3 + i % 13
        answer = a * b
        said = answer if i % 4 else answer + 1  # A quarter are wrong.
        reasoning = (f"Each box holds {a} apples and there are {b} boxes, so the total is "
                     f"{a} * {b}. Multiplying step by step: {a} * {b} = {said}. ")
        style = i % 3
        final = (f"The answer is \\boxed{{{said}}}." if style == 0 else
                 f"#### {said}" if style == 1 else f"So the final answer is {said}.")
        out.append({"prompt": f"Q{i}: {a} apples per box, {b} boxes?",
                    "completion": reasoning + final, "reference": str(answer)})
    return out


def pick_reward(asked):
    import merit
    names = {e["name"] for e in merit.list_rewards("reward")}
    if asked:
        return asked
    for name in ("math", "math.verify", "match.numeric"):
        if name in names:
            return name
    raise SystemExit("no math reward registered")


def start_server(binary, config_path, threads, extra):
    cmd = [binary, "serve", "-c", f"math={config_path}", "--port", "0", "-j", str(threads), "-q",
           *extra]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
            return proc, int(m.group(1))
    raise SystemExit(f"merit serve did not start: {proc.stderr.read()}")


def wrk(url, body_path, connections, seconds):
    lua = body_path.with_suffix(".lua")
    lua.write_text(
        f'local f = io.open("{body_path}", "rb"); wrk.body = f:read("*a"); f:close()\n'
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n')
    threads = min(connections, 4)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
                           "--latency", "-s", str(lua), url], capture_output=True, text=True,
                          check=True).stdout

    def latency(pct):
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", done, re.M)
        scale = {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
        return float(m.group(1)) * scale

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", done).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done)
    total = int(re.search(r"(\d+) requests in", done).group(1))
    bad = int(non2xx.group(1)) if non2xx else 0
    ok_rps = rps * (total - bad) / total if total else 0.0
    return {"rps": rps, "ok_rps": ok_rps, "p50": latency(50), "p99": latency(99), "non2xx": bad,
            "total": total}


def in_process(reward, lines, concurrency, seconds):
    latencies, lock = [], threading.Lock()
    stop = time.perf_counter() + seconds

    def run():
        mine = []
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            reward.score_lines(lines)
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1e3  # noqa: E731
    return {"rps": len(latencies) / elapsed, "p50": pick(0.5), "p99": pick(0.99)}


def cli_baseline(binary, config_path, lines, threads, seconds, work):
    """`merit score --batch-lines 256`: the same binary scoring batches of 256 in process, one
    after another (reading and writing overlap with scoring). Returns samples/s."""
    repeats = 1
    while True:
        path = work / "batches.jsonl"
        path.write_text(("\n".join(lines) + "\n") * repeats)
        summary = work / "summary.json"
        start = time.perf_counter()
        subprocess.run([binary, "score", "-c", str(config_path), "-i", str(path), "-o", "/dev/null",
                        "-j", str(threads), "--batch-lines", str(BATCH), "-q",
                        "--summary-json", str(summary)], check=True)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds or repeats >= 1 << 16:
            return json.loads(summary.read_text())["samples"] / elapsed
        repeats *= max(2, min(16, int(seconds / max(elapsed, 1e-3)) + 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin",
                        default=os.environ.get("MERIT_BIN", str(REPO / "build/release/merit")))
    parser.add_argument("--reward", default=None)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", default="1,8,64")
    parser.add_argument("--flood", type=int, default=256)
    args = parser.parse_args()

    import merit
    name = pick_reward(args.reward)
    in_module = name in {e["name"] for e in merit.list_rewards("reward")}
    config = {"reward": {"type": name}}
    work = pathlib.Path(tempfile.mkdtemp(prefix="merit-serve-load-"))
    config_path = work / "math.json"
    config_path.write_text(json.dumps(config))
    batch = samples(BATCH)
    lines = [json.dumps(s) for s in batch]
    body_path = work / "body.json"
    body_path.write_text('{"samples":[' + ",".join(lines) + "]}")
    reward = merit.Reward.from_dict(config, threads=args.threads) if in_module else None
    cli_rate = cli_baseline(args.bin, config_path, lines, args.threads, args.seconds, work)

    proc, port = start_server(args.bin, config_path, args.threads, [])
    url = f"http://127.0.0.1:{port}/v1/score"
    try:
        # The served results are the in-process ones.
        request = urllib.request.Request(url, data=body_path.read_bytes(),
                                         headers={"Content-Type": "application/json"})
        served = json.loads(urllib.request.urlopen(request).read())["results"]
        out = subprocess.run([args.bin, "score", "-c", str(config_path), "-q"],
                             input="\n".join(lines) + "\n", capture_output=True, text=True,
                             check=True).stdout.splitlines()
        local = [json.loads(line) for line in out]
        assert served == [{k: v for k, v in r.items() if k not in batch[0]} for r in local], \
            "served results differ from merit score's"
        accuracy = sum(r["reward"] == 1 for r in served) / BATCH
        print(f"reward {name}; batch {BATCH}; {args.threads} scoring threads; {args.seconds:.0f} s "
              f"per point; body {body_path.stat().st_size / 1e3:.0f} kB; "
              f"{accuracy:.0%} judged correct (75% expected)")
        print(f"in process, merit score --batch-lines {BATCH} (same binary): "
              f"{cli_rate:,.0f} samples/s")
        if reward is None:
            print(f"(the installed Python module has no {name}: no Python in-process column)")
        print(f"{'conc':>4} | {'served req/s':>12} {'samples/s':>10} {'p50 ms':>8} "
              f"{'p99 ms':>8} | {'py req/s':>9} {'samples/s':>10} {'p50 ms':>8} "
              f"{'p99 ms':>8} | served/py served/cli")
        for c in (int(x) for x in args.concurrency.split(",")):
            s = wrk(url, body_path, c, args.seconds)
            assert s["non2xx"] == 0, f"{s['non2xx']} failed requests at concurrency {c}"
            row = (f"{c:>4} | {s['rps']:>12,.1f} {s['rps'] * BATCH:>10,.0f} {s['p50']:>8.2f} "
                   f"{s['p99']:>8.2f} | ")
            if reward is not None:
                p = in_process(reward, lines, c, args.seconds)
                row += (f"{p['rps']:>9,.1f} {p['rps'] * BATCH:>10,.0f} {p['p50']:>8.2f} "
                        f"{p['p99']:>8.2f} | {s['rps'] / p['rps']:>9.3f}")
            else:
                row += f"{'-':>9} {'-':>10} {'-':>8} {'-':>8} | {'-':>9}"
            print(row + f" {s['rps'] * BATCH / cli_rate:>10.3f}")
    finally:
        proc.terminate()
        proc.wait()

    if args.flood:
        proc, port = start_server(args.bin, config_path, args.threads,
                                  ["--queue", "4", "--http-threads", str(args.flood + 8)])
        try:
            s = wrk(f"http://127.0.0.1:{port}/v1/score", body_path, args.flood, args.seconds)
            print(f"flood: {args.flood} connections, queue 4: {s['total']} requests, "
                  f"{s['non2xx']} refused (429), accepted {s['ok_rps'] * BATCH:,.0f} samples/s; "
                  f"latency over all answers p50 {s['p50']:.2f} ms, p99 {s['p99']:.2f} ms")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
