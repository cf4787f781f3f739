"""Client pacing benchmark: overlapping requests against a slow, rate-limited sandbox.

Starts a Sandbox with 600 ms latency and a 4 requests/second limit, issues GETs from a thread
pool through one Client at rate 4, and reports how close the wall time comes to the floor
set by the rate limit (requests / rate). A sequential client would need 0.6 s per request;
an overlapping, well-paced one stays near 1/rate per request and sees no 429s.

    .venv/bin/python benchmarks/bench_client.py [--requests 40] [--threads 8]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

from ctctform.api import Client, ClientConfig
from ctctform.sandbox import Sandbox

RATE = 4.0
LATENCY_MS = 600


def run(requests: int, threads: int) -> dict[str, float]:
    seed = {"tags": [{"name": f"Tag {i:03d}"} for i in range(20)]}
    with Sandbox(port=0, latency_ms=LATENCY_MS, rate_limit=int(RATE), seed=seed) as sb:
        config = ClientConfig.from_env(
            {},
            api_url=sb.base_url,
            access_token="sandbox",
            token_url=sb.token_url,
            rate_limit=RATE,
        )
        with Client(config) as client, ThreadPoolExecutor(threads) as pool:
            paths = ["/contact_tags", "/contact_lists", "/contact_custom_fields", "/segments"]
            started = time.monotonic()
            list(pool.map(lambda i: client.get(paths[i % len(paths)]), range(requests)))
            wall = time.monotonic() - started
            made = client.stats.total
        throttled = sum(1 for record in sb.requests if record.status == 429)
    floor = made / RATE
    return {
        "requests": made,
        "wall": wall,
        "rate": made / wall,
        "throttled": throttled,
        "floor": floor,
        "ratio": wall / floor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    result = run(args.requests, args.threads)
    print(f"sandbox: latency {LATENCY_MS} ms, rate limit {RATE:g}/s; client rate {RATE:g}/s")
    print(f"requests made:        {result['requests']}")
    print(f"wall time:            {result['wall']:.2f} s")
    print(f"achieved rate:        {result['rate']:.2f} requests/s")
    print(f"429s seen:            {result['throttled']}")
    print(f"rate-limit floor:     {result['floor']:.2f} s (requests / rate)")
    print(f"wall / floor:         {result['ratio']:.3f}")


if __name__ == "__main__":
    main()
