"""`merit serve` end to end: a real server process on a free loopback port, started and stopped
by each test, driven by merit.Client and by raw HTTP shaped like OpenRLHF's remote reward call.

The server binary comes from $MERIT_BIN, else build/release/merit in the source tree; without
one these tests are skipped (scripts/test.sh sets MERIT_BIN).
"""

import json
import math
import os
import pickle
import re
import signal
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import merit
from conftest import requires

ROOT = Path(__file__).resolve().parents[2]
MERIT_BIN = os.environ.get("MERIT_BIN") or str(ROOT / "build" / "release" / "merit")

pytestmark = pytest.mark.skipif(
    not os.access(MERIT_BIN, os.X_OK),
    reason=f"no merit binary at {MERIT_BIN} (build it, or set MERIT_BIN to the `merit` binary)",
)

CONFIG = (
    "reward:\n"
    "  type: weighted_sum\n"
    "  name: total\n"
    "  children:\n"
    "    - {type: match.numeric, name: correct}\n"
    "    - {type: format.tags, name: format, tags: [answer], weight: 0.1}\n"
)


class Server:
    """`merit serve` on 127.0.0.1:<free port>; stop() sends SIGTERM and waits."""

    def __init__(self, tmp_path, *args, configs=None, env=None):
        configs = configs or {"main": CONFIG}
        cmd = [MERIT_BIN, "serve", "--port", "0", "-j", "2"]
        self.paths = {}
        for name, text in configs.items():
            path = tmp_path / f"{name}.yaml"
            path.write_text(text)
            self.paths[name] = path
            cmd += ["-c", f"{name}={path}"]
        cmd += list(args)
        self.log = open(tmp_path / "server.log", "w+")
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.write(line)
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise RuntimeError(f"merit serve did not start: {self._rest()}")
        # Keep draining stderr (the access log) so that the server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._pump, daemon=True)
        self._drain.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def _pump(self):
        for line in self.proc.stderr:
            self.log.write(line)

    def _rest(self):
        try:
            return self.proc.stderr.read()
        except ValueError:
            return ""

    def client(self, **kwargs):
        return merit.Client(self.url, **kwargs)

    def rss_kib(self):
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        self._drain.join(timeout=5)
        return self.proc.returncode


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path)
    yield s
    s.stop()


def post(url, body, token=None):
    """A request as OpenRLHF makes it (requests.post(json=...)), with the standard library."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def math_samples(n):
    return [{"prompt": f"q{i}", "completion": f"<answer>{i % 7}</answer>" if i % 3 else "no idea",
             "reference": str(i % 5)} for i in range(n)]


def same(a, b):
    """Equality with NaN == NaN (missing components), recursively."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


@requires("match.numeric", "format.tags")
def test_score_batch_equals_in_process(server):
    local = merit.Reward.from_dict(merit.load_config(server.paths["main"]))
    samples = math_samples(50) + [{"prompt": "p"}]  # The last has no completion: an error result.
    remote = server.client().score_batch(samples)
    assert remote == local.score_batch(samples)
    assert remote[-1]["status"] == "error"
    info = server.client().configs()
    assert info["default"] == "main"
    assert info["configs"][0]["config_hash"] == local.config_hash
    assert info["configs"][0]["components"] == local.component_names
    assert server.client().health()["ready"] is True
    metrics = server.client().metrics()
    assert 'merit_samples_total{config="main",status="ok"} 50' in metrics
    assert 'merit_http_request_duration_seconds_bucket{route="/v1/score",le="+Inf"} 1' in metrics


@requires("match.numeric", "format.tags")
def test_openrlhf_request_and_response_shapes(server):
    prompts = ["<|user|>6*7?<|assistant|>"] * 2 + ["<|user|>1+1?<|assistant|>"]
    responses = ["<answer>42</answer>", "41", "<answer>2</answer>"]
    queries = [p + r for p, r in zip(prompts, responses)]
    labels = ["42", "42", None]
    # OpenRLHF's remote_rm_fn: requests.post(url, json={"query", "prompts", "labels"}).
    status, body = post(server.url + "/get_reward",
                        {"query": queries, "prompts": prompts, "labels": labels})
    assert status == 200
    assert set(body) == {"rewards", "scores", "extra_logs"}
    in_process = merit.openrlhf_reward_func(server.paths["main"], tensors=False)
    local = in_process(queries, prompts, labels)
    assert same(body, local)
    assert body["rewards"][:2] == [pytest.approx(1.1), 0.0]
    # Older OpenRLHF sends only the queries' lists it has.
    status, body = post(server.url + "/get_reward", {"query": queries, "prompts": prompts})
    assert status == 200 and len(body["rewards"]) == 3


@requires("match.numeric", "format.tags")
def test_remote_adapters_behave_like_in_process_ones(server):
    config = server.paths["main"]
    remote = server.client().reward("main")
    # TRL: reward_funcs(prompts=..., completions=..., **columns).
    kwargs = dict(prompts=["a", "a", "b"], completions=["<answer>3</answer>", "3", "x"],
                  completion_ids=[[1], [1, 2], [3]], solution=["3", "4", None])
    assert merit.trl_reward(remote)(**kwargs) == merit.trl_reward(config)(**kwargs)
    # verl: single-sample (naive manager) and batch manager calls.
    for call in (dict(data_source="gsm8k", solution_str="<answer>5</answer>", ground_truth="5"),
                 dict(data_sources=["a", "b"], solution_strs=["<answer>5</answer>", "6"],
                      ground_truths=["5", "5"], extra_infos=[{"index": 0}, {"index": 1}])):
        assert same(merit.verl_compute_score(remote)(**call),
                    merit.verl_compute_score(config)(**call))
    # OpenRLHF reward_func(queries, prompts, labels), and through Client's shortcut.
    args = (["p <answer>1</answer>", "p 2"], ["p ", "p "], ["1", "1"])
    local = merit.openrlhf_reward_func(config, tensors=False)(*args)
    assert same(merit.openrlhf_reward_func(remote, tensors=False)(*args), local)
    assert same(server.client().openrlhf_reward_func("main", tensors=False)(*args), local)
    # Trainers ship reward functions to Ray workers: the remote ones pickle (no connection).
    func = pickle.loads(pickle.dumps(merit.trl_reward(remote)))
    assert func(**kwargs) == merit.trl_reward(config)(**kwargs)


def test_a_config_for_another_trainer_is_a_value_error(tmp_path):
    s = Server(tmp_path, configs={"v": "fields: verl\nreward: {type: field.value}\n"})
    try:
        with pytest.raises(ValueError, match="verl"):
            merit.trl_reward(s.client().reward("v"))
        with pytest.raises(KeyError, match="no config named"):
            s.client().score_batch([{}], config="nope")
    finally:
        s.stop()


def test_limits_give_413(tmp_path):
    s = Server(tmp_path, "--max-batch", "100", "--max-body-mb", "1",
               configs={"f": "reward: {type: field.value, missing: zero}\n"})
    try:
        client = s.client(retries=0)
        assert len(client.score_batch([{"completion": "x"}] * 100)) == 100
        with pytest.raises(merit.ResourceExhausted, match="more than 100 samples"):
            client.score_batch([{"completion": "x"}] * 101)
        with pytest.raises(merit.ResourceExhausted, match="413"):
            client.score_batch([{"completion": "x" * (2 << 20)}])
    finally:
        s.stop()


@requires("match.numeric")
def test_deadline_gives_504(tmp_path):
    s = Server(tmp_path, configs={"m": "reward: {type: match.numeric}\n"})
    try:
        samples = [{"completion": "The answer is " + "1" * 2000, "reference": "1"}] * 8000
        with pytest.raises(TimeoutError, match="504"):
            s.client(retries=0).score_batch(samples, timeout_ms=1)
        assert 'merit_rejected_batches_total{reason="deadline"} 1' in s.client().metrics()
    finally:
        s.stop()


@requires("match.numeric")
def test_flood_is_refused_fast_in_bounded_memory(tmp_path):
    s = Server(tmp_path, "--workers", "1", "--queue", "2", "-q",
               configs={"m": "reward: {type: match.numeric}\n"})
    try:
        n = 3000
        # Serialised once, so that the flood is limited by the server, not by Python clients.
        body = json.dumps({"samples": [{"completion": f"so {i} " + "9" * 200,
                                        "reference": str(i % 3)} for i in range(n)]}).encode()
        s.client().score_batch([{"completion": "1", "reference": "1"}])  # Warm up.
        rss_before = s.rss_kib()

        def one(_):
            start = time.monotonic()
            request = urllib.request.Request(s.url + "/v1/score", data=body,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    results = json.loads(response.read())["results"]
                    return "ok", [r["reward"] for r in results], time.monotonic() - start
            except urllib.error.HTTPError as error:
                assert error.code == 429 and error.headers["Retry-After"] == "1"
                return "refused", None, time.monotonic() - start

        with ThreadPoolExecutor(64) as pool:
            outcomes = list(pool.map(one, range(256)))
        refused = [o for o in outcomes if o[0] == "refused"]
        accepted = [o for o in outcomes if o[0] == "ok"]
        assert refused and accepted
        for _, rewards, _ in accepted:
            assert rewards == [0.0] * n  # Every accepted request gets its full answer.
        # Refusals are fast: no waiting in a queue for them.
        assert sorted(o[2] for o in refused)[len(refused) // 2] < 1.0
        metrics = s.client().metrics()
        assert f'merit_rejected_batches_total{{reason="queue_full"}} {len(refused)}' in metrics
        # 256 bodies of ~0.7 MB were sent; memory grew by far less than holding them all would
        # need (workers + queue + connection threads' bodies), and certainly not without bound.
        assert s.rss_kib() - rss_before < 250_000
    finally:
        s.stop()


@requires("match.numeric")
def test_sigterm_finishes_requests_in_flight(tmp_path):
    s = Server(tmp_path, "-q", configs={"m": "reward: {type: match.numeric}\n"})
    n = 8000
    # Serialised up front, so that the four requests reach the server together.
    body = json.dumps({"samples": [{"completion": "The answer is " + "7" * 500,
                                    "reference": "7"}] * n}).encode()

    def score():
        request = urllib.request.Request(s.url + "/v1/score", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["results"]

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(score) for _ in range(4)]
        # Wait until the server holds all four (scoring or queued, its metrics say), then ask it
        # to stop: requests it has not read yet are not in flight, and would be refused.
        deadline = time.time() + 20
        while time.time() < deadline:
            metrics = s.client().metrics()
            held = sum(int(re.search(rf"^{name} (\d+)", metrics, re.M).group(1))
                       for name in ("merit_queue_running", "merit_queue_depth"))
            if held == 4:
                break
            time.sleep(0.002)
        assert held == 4
        s.proc.send_signal(signal.SIGTERM)
        for future in futures:
            results = future.result(timeout=120)
            assert len(results) == n and results[0]["status"] == "ok"
    assert s.stop() == 0
    with pytest.raises(ConnectionError):
        merit.Client(s.url, retries=1, backoff=0.01).health()


@requires("match.numeric")
def test_sighup_reload_under_load(tmp_path):
    s = Server(tmp_path, "-q", configs={"m": "reward: {type: match.numeric}\n"})
    try:
        before = s.client().configs()["configs"][0]["config_hash"]
        stop = threading.Event()
        errors, done = [], [0]

        def load():
            client = s.client()
            while not stop.is_set():
                try:
                    results = client.score_batch([{"completion": "4", "reference": "4"}] * 256)
                    assert len(results) == 256 and all(r["status"] == "ok" for r in results)
                    done[0] += 1
                except Exception as error:  # noqa: BLE001 - recorded, asserted below
                    errors.append(error)

        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        for i in range(5):
            s.paths["m"].write_text(f"reward: {{type: match.numeric, name: n{i}}}\n")
            s.proc.send_signal(signal.SIGHUP)
            time.sleep(0.05)
        assert s.client().reload()["status"] == "reloaded"
        stop.set()
        for t in threads:
            t.join()
        assert not errors and done[0] > 0
        info = s.client().configs()["configs"][0]
        assert info["config_hash"] != before and info["components"] == ["n4"]
    finally:
        s.stop()


def test_bearer_token(tmp_path):
    s = Server(tmp_path, "--token-env", "MERIT_TEST_TOKEN", env={"MERIT_TEST_TOKEN": "t0k"},
               configs={"f": "reward: {type: field.value, missing: zero}\n"})
    try:
        with pytest.raises(PermissionError):
            s.client(retries=0).score_batch([{"completion": "x"}])
        assert s.client(token="t0k").score_batch([{"completion": "x"}])[0]["reward"] == 0.0
        assert s.client().health()["ready"] is True  # Probes need no token.
        status, _ = post(s.url + "/get_reward", {"query": ["x"], "prompts": [""]}, token="t0k")
        assert status == 200
    finally:
        s.stop()
