"""merit.Client: score against a running ``merit serve`` (docs/serve.md).

    client = merit.Client("http://127.0.0.1:8000")
    client.score_batch([{"completion": "... 42", "reference": "42"}])   # like Reward.score_batch

    reward = client.reward("math")          # a remote merit.Reward look-alike
    merit.trl_reward(reward)                # TRL reward_funcs entry
    merit.verl_compute_score(reward)        # verl compute_score
    merit.openrlhf_reward_func(reward)      # OpenRLHF reward_func

The adapters are the in-process ones (merit.adapters): they build the same input objects and
shape the same outputs; only ``score_batch`` crosses the network. The server compiles the config
for the trainer's ``fields:`` preset with the rule the in-process adapters apply, so a remote
adapter returns what a local one would with the same config file.

Standard library only (http.client): one keep-alive connection per thread, retries with
exponential backoff (and the server's Retry-After) on connection failures, 429 and 503, and a
timeout per request. Errors follow style.md B4: 400 ValueError, 401 PermissionError, 404
KeyError, 413 and a server still busy after every retry merit.ResourceExhausted, 504 and
client-side timeouts TimeoutError, other failures RuntimeError / ConnectionError.
"""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Optional

from ._codec import dumps, loads
from ._merit import ResourceExhausted
from ._reward import _result_from_dict, _sample_lines

_RETRY_STATUSES = frozenset({429, 503})


class Client:
    """A connection to ``merit serve``. Thread-safe; picklable (connections are not sent).

    ``timeout`` (seconds) bounds each attempt on the client side; the server's own deadline
    (``timeout_ms`` per call, else its --timeout-ms) answers 504 when scoring takes longer.
    ``retries`` is the number of extra attempts after a refused (429/503) or failed connection;
    waits grow from ``backoff`` seconds, doubling, with jitter, capped at ``max_backoff``.
    """

    def __init__(self, url: str = "http://127.0.0.1:8000", *, token: Optional[str] = None,
                 timeout: float = 300.0, retries: int = 5, backoff: float = 0.2,
                 max_backoff: float = 10.0):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"url: expected http://HOST:PORT, got {url!r}")
        self.url = url.rstrip("/")
        self._scheme = parsed.scheme
        self._host = parsed.hostname
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._prefix = parsed.path.rstrip("/")
        self.token = token
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self._local = threading.local()

    # -- plumbing ----------------------------------------------------------------------------

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_local"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"merit.Client({self.url!r})"

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            https = self._scheme == "https"
            cls = http.client.HTTPSConnection if https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def close(self) -> None:
        """Closes this thread's connection (others close when their threads end)."""
        self._drop_connection()

    def _wait(self, attempt: int, retry_after: Optional[str]) -> None:
        delay = min(self.max_backoff, self.backoff * (2 ** attempt)) * (0.5 + random.random())
        if retry_after:
            try:
                delay = max(delay, min(self.max_backoff, float(retry_after)))
            except ValueError:
                pass
        time.sleep(delay)

    def request(self, method: str, path: str, body: Optional[bytes] = None) -> Any:
        """One call, with retries; returns the decoded JSON (or text for /metrics)."""
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        last_error: Optional[BaseException] = None
        for attempt in range(self.retries + 1):
            try:
                conn = self._connection()
                conn.request(method, self._prefix + path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except socket.timeout as error:
                # The server may still be scoring: a retry would double its load.
                self._drop_connection()
                raise TimeoutError(f"{method} {self.url}{path}: no answer within "
                                   f"{self.timeout} s") from error
            except (ConnectionError, http.client.HTTPException, OSError) as error:
                # A dropped keep-alive connection or a restarting server: reconnect and retry.
                self._drop_connection()
                last_error = error
                if attempt < self.retries:
                    self._wait(attempt, None)
                continue
            if response.getheader("Connection", "").lower() == "close":
                self._drop_connection()
            if response.status == 200:
                if response.getheader("Content-Type", "").startswith("text/plain"):
                    return data.decode("utf-8")
                return loads(data)
            if response.status in _RETRY_STATUSES and attempt < self.retries:
                last_error = None
                self._wait(attempt, response.getheader("Retry-After"))
                continue
            _raise_for(response.status, data, f"{method} {self.url}{path}")
        raise ConnectionError(
            f"{method} {self.url}{path}: failed after {self.retries + 1} attempts: {last_error}"
        ) from last_error

    # -- endpoints ---------------------------------------------------------------------------

    def score_batch(self, samples: Iterable[Mapping], *, config: Optional[str] = None,
                    fields: Optional[str] = None, timeout_ms: Optional[int] = None) -> list:
        """Scores samples as one batch on the server (POST /v1/score); results[i] is
        samples[i]'s, the dicts merit.Reward.score_batch returns. ``config`` names one of the
        server's configs (default: its first); ``fields`` a trainer preset (trl, verl,
        openrlhf) to read the samples with."""
        parts = _sample_lines(samples)
        head = {}
        if config is not None:
            head["config"] = config
        if fields is not None:
            head["fields"] = fields
        if timeout_ms is not None:
            head["timeout_ms"] = int(timeout_ms)
        body = b'{"samples":[' + b",".join(parts) + b"]"
        if head:
            body += b"," + dumps(head)[1:-1]
        body += b"}"
        out = self.request("POST", "/v1/score", body)
        results = [_result_from_dict(r) for r in out["results"]]
        if len(results) != len(parts):
            raise RuntimeError(f"{self.url}: {len(results)} results for {len(parts)} samples")
        return results

    def score(self, sample: Mapping, **kwargs) -> dict:
        return self.score_batch([sample], **kwargs)[0]

    def get_reward(self, queries: list, prompts: list, labels: Optional[list] = None,
                   *, config: Optional[str] = None) -> dict:
        """OpenRLHF's remote reward model call (POST /get_reward), as OpenRLHF makes it."""
        path = "/get_reward" + (f"?config={urllib.parse.quote(config)}" if config else "")
        return self.request("POST", path, dumps({"query": queries, "prompts": prompts,
                                                 "labels": labels}))

    def configs(self) -> dict:
        """GET /v1/configs: every served config (name, hash, components, the config itself)."""
        return self.request("GET", "/v1/configs")

    def config_info(self, name: Optional[str] = None, fields: Optional[str] = None) -> dict:
        if name is None:
            name = self.configs()["default"]
        query = f"?fields={urllib.parse.quote(fields)}" if fields else ""
        return self.request("GET", f"/v1/configs/{urllib.parse.quote(name, safe='')}{query}")

    def health(self) -> dict:
        return self.request("GET", "/health")

    def metrics(self) -> str:
        return self.request("GET", "/metrics")

    def reload(self) -> dict:
        """POST /admin/reload: the server reads its config files again."""
        return self.request("POST", "/admin/reload", b"")

    # -- remote rewards and adapters ---------------------------------------------------------

    def reward(self, config: Optional[str] = None) -> "RemoteReward":
        """A served config as a merit.Reward look-alike, for the adapters."""
        return RemoteReward(self, config)

    def trl_reward(self, config: Optional[str] = None, **kwargs):
        from .adapters import trl_reward
        return trl_reward(self.reward(config), **kwargs)

    def verl_compute_score(self, config: Optional[str] = None, **kwargs):
        from .adapters import verl_compute_score
        return verl_compute_score(self.reward(config), **kwargs)

    def openrlhf_reward_func(self, config: Optional[str] = None, **kwargs):
        from .adapters import openrlhf_reward_func
        return openrlhf_reward_func(self.reward(config), **kwargs)


def _raise_for(status: int, data: bytes, where: str):
    try:
        message = loads(data)["error"]["message"]
    except Exception:  # Not merit's error body (a proxy's page): show the start of it.
        message = data[:200].decode("utf-8", "replace")
    text = f"{where}: HTTP {status}: {message}"
    if status == 400:
        raise ValueError(text)
    if status == 401 or status == 403:
        raise PermissionError(text)
    if status == 404:
        raise KeyError(text)
    if status in (413, 429, 503):
        raise ResourceExhausted(text)
    if status == 504:
        raise TimeoutError(text)
    raise RuntimeError(text)


class RemoteReward:
    """One config served by ``merit serve``, with the interface of merit.Reward that the
    adapters use (score_batch, score, component_names, group_level, input_keys, source, ...).

    ``fields`` is the trainer preset the server reads samples with (None: the config as
    written); the adapters set it (with_fields). The server's description of the config is
    fetched on first use and cached. Picklable: the client settings and names travel."""

    def __init__(self, client: Client, config: Optional[str] = None,
                 fields: Optional[str] = None):
        self.client = client
        self.name = config
        self.fields = fields
        self._info: Optional[dict] = None

    def __reduce__(self):
        return (RemoteReward, (self.client, self.name, self.fields))

    @property
    def info(self) -> dict:
        if self._info is None:
            self._info = self.client.config_info(self.name, self.fields)
            self.name = self._info["name"]
        return self._info

    def with_fields(self, preset: str) -> "RemoteReward":
        """The same config read with a trainer preset (the adapters call this)."""
        remote = RemoteReward(self.client, self.name, preset)
        remote.info  # The server checks now that the config accepts this preset (ValueError).
        return remote

    def score_batch(self, samples: Iterable[Mapping]) -> list:
        return self.client.score_batch(samples, config=self.info["name"], fields=self.fields)

    def score(self, sample: Mapping) -> dict:
        return self.score_batch([sample])[0]

    @property
    def component_names(self) -> list:
        return list(self.info["components"])

    @property
    def group_level(self) -> bool:
        return bool(self.info["group_level"])

    @property
    def has_advantages(self) -> bool:
        return bool(self.info["has_advantages"])

    @property
    def input_keys(self) -> list:
        return list(self.info["input_keys"])

    @property
    def config_hash(self) -> str:
        return self.info["config_hash"]

    @property
    def config(self) -> dict:
        return self.info["config"]

    @property
    def source(self) -> str:
        return f"{self.client.url} {self.info['name']} ({self.info['source']})"

    @property
    def threads(self) -> int:
        return int(self.info["threads"])

    def __repr__(self) -> str:
        return (f"merit.RemoteReward(url={self.client.url!r}, config={self.name!r}, "
                f"fields={self.fields!r})")
