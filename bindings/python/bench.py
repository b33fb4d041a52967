"""Benchmark of the Python package against the usual Python ways, and of
releasing the GIL: not a test, not run by CI. Results are in BENCHMARKS.md
("Python"), with the command that produced them.

Setup, from the repository root (a venv of its own under target/):

    python3 -m venv target/python-bench
    target/python-bench/bin/pip install ./bindings/python wechatpy==1.8.18 cryptography pycryptodome
    target/python-bench/bin/python bindings/python/bench.py [--rounds 101] [--batch-ms 2]

Every contender runs the full path a server runs per request, from the
three base64 strings to a checked dict or object, on the fixtures of
crates/wxdecrypt/benches/fixtures/:

- ``wxdecrypt``: ``decrypt_phone`` / ``decrypt_user_info`` (typed, watermark
  appid and time checked), and ``decrypt_raw`` (a dict, same checks);
- ``wechatpy``: wechatpy 1.8.18's ``WeChatWxaCrypto(key, iv, appid)
  .decrypt_message(data)`` (its cipher from ``cryptography`` when installed,
  else from pycryptodome: the line "wechatpy cipher" says which);
- ``wxbiz``: the approach of WeChat's WXBizDataCrypt.py sample, written here
  with pycryptodome: decode, AES-CBC, drop as many bytes as the last one
  says, ``json.loads``, compare the watermark appid.

Timing is interleaved: each round times one batch of every contender, in
an order that rotates every round, each batch sized to take the same time
(``--batch-ms``), so that a slow moment of the shared machine hits all of
them alike. The figures are the median per-call time over the
rounds, and the median over the rounds of the ratio within each round.

Instructions per call, which do not depend on the machine's load:

    for calls in 1000 11000; do
      valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        target/python-bench/bin/python bindings/python/bench.py --only typed:phone --calls $calls 2>&1 | grep refs
    done

(the difference of the two counts divided by 10,000).

The GIL part times ``decrypt_phone`` (GIL held) against
``_decrypt_phone_detached`` (the same with the GIL released around the
library call): per call on one thread; calls per second on a thread while
another thread runs Python code; and the total calls per second of one and
of several threads all decrypting.
"""

import argparse
import base64
import json
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import wxdecrypt

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "crates" / "wxdecrypt" / "benches" / "fixtures"


def wxbiz_approach(fixture: Dict[str, Any]) -> Callable[[], Any]:
    """The WXBizDataCrypt.py approach, with pycryptodome."""
    from Crypto.Cipher import AES

    appid, key, iv, data = (fixture[k] for k in ("appid", "session_key", "iv", "encrypted_data"))

    def run() -> Any:
        cipher = AES.new(base64.b64decode(key), AES.MODE_CBC, base64.b64decode(iv))
        padded = cipher.decrypt(base64.b64decode(data))
        payload = json.loads(padded[: len(padded) - padded[-1]])
        if payload["watermark"]["appid"] != appid:
            raise ValueError("another appid")
        return payload

    return run


def wechatpy_approach(fixture: Dict[str, Any]) -> Callable[[], Any]:
    from wechatpy.crypto import WeChatWxaCrypto

    appid, key, iv, data = (fixture[k] for k in ("appid", "session_key", "iv", "encrypted_data"))

    def run() -> Any:
        return WeChatWxaCrypto(key, iv, appid).decrypt_message(data)

    return run


def ours(function: Callable[..., Any], fixture: Dict[str, Any]) -> Callable[[], Any]:
    appid, key, iv, data, now = (fixture[k] for k in ("appid", "session_key", "iv", "encrypted_data", "now"))

    def run() -> Any:
        return function(key, iv, data, appid=appid, now=now)

    return run


def calibrate(run: Callable[[], Any], milliseconds: float) -> int:
    """How many calls of `run` take about `milliseconds`."""
    calls = 1
    while True:
        start = time.perf_counter_ns()
        for _ in range(calls):
            run()
        elapsed = time.perf_counter_ns() - start
        if elapsed >= milliseconds * 1e6 / 4:
            return max(1, round(calls * milliseconds * 1e6 / elapsed))
        calls *= 2


def interleaved(contenders: Dict[str, Callable[[], Any]], rounds: int, milliseconds: float) -> Dict[str, List[float]]:
    """Nanoseconds per call of each contender, one sample per round.

    Each contender's batch is sized to take the same time: on a shared
    machine whose CPU quota is throttled now and then, a longer batch is
    more likely to be hit, which would favour the faster contender."""
    names = list(contenders)
    samples: Dict[str, List[float]] = {name: [] for name in names}
    batches = {name: calibrate(contenders[name], milliseconds) for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            run, batch = contenders[name], batches[name]
            start = time.perf_counter_ns()
            for _ in range(batch):
                run()
            samples[name].append((time.perf_counter_ns() - start) / batch)
    return samples


def median(values: List[float]) -> float:
    return statistics.median(values)


def ratio(samples: Dict[str, List[float]], slow: str, fast: str) -> float:
    """The median over rounds of slow / fast within the round: the load of a
    shared machine changes from round to round, less within one."""
    return statistics.median(a / b for a, b in zip(samples[slow], samples[fast]))


def threaded(run: Callable[[], Any], threads: int, calls: int) -> float:
    """Total calls per second of `threads` threads making `calls` calls each."""
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(calls):
            run()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    barrier.wait()
    start = time.perf_counter_ns()
    for t in pool:
        t.join()
    return threads * calls / ((time.perf_counter_ns() - start) / 1e9)


def beside_python(run: Callable[[], Any], seconds: float) -> float:
    """Calls per second of `run` on one thread while another thread runs
    pure Python code: with the GIL released in each call, every call must
    win the GIL back from the other thread (a switch interval, 5 ms)."""
    stop = threading.Event()

    def busy() -> None:
        x = 0
        while not stop.is_set():
            x += 1

    other = threading.Thread(target=busy)
    other.start()
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        run()
        calls += 1
    elapsed = time.perf_counter() - start
    stop.set()
    other.join()
    return calls / elapsed


def contender(name: str, payload: str) -> Callable[[], Any]:
    fixture = json.loads((FIXTURES / f"{payload}.json").read_text())
    typed = {"phone": wxdecrypt.decrypt_phone, "user-info": wxdecrypt.decrypt_user_info}
    makers: Dict[str, Callable[[], Callable[[], Any]]] = {
        "typed": lambda: ours(typed[payload], fixture),
        "raw": lambda: ours(wxdecrypt.decrypt_raw, fixture),
        "wechatpy": lambda: wechatpy_approach(fixture),
        "wxbiz": lambda: wxbiz_approach(fixture),
    }
    return makers[name]()


def only(spec: str, calls: int) -> None:
    """Runs one contender `calls` times after one warm-up call: under
    callgrind, the difference between two values of `calls` divided by
    their difference is the instructions per call, whatever the load."""
    name, payload = spec.split(":")
    run = contender(name, payload)
    run()
    for _ in range(calls):
        run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=101)
    parser.add_argument("--batch-ms", type=float, default=2.0,
                        help="the time each batch takes, in milliseconds")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", metavar="CONTENDER:PAYLOAD",
                        help="run one contender --calls times and nothing else (for callgrind), "
                        "e.g. typed:phone, raw:werun-31, wechatpy:user-info, wxbiz:phone")
    parser.add_argument("--calls", type=int, default=10000)
    options = parser.parse_args()
    if options.only:
        only(options.only, options.calls)
        return

    import wechatpy.crypto.base

    print(f"python {sys.version.split()[0]}, wxdecrypt from {Path(wxdecrypt.__file__).parent}")
    print(f"wechatpy cipher: {wechatpy.crypto.base.WeChatCipher.__module__}")
    print(f"rounds {options.rounds}, batches of {options.batch_ms} ms: median ns per call")
    print()
    print("| payload | wxdecrypt (typed) | wxdecrypt.decrypt_raw | wechatpy 1.8.18 | WXBizDataCrypt approach | wechatpy / typed | WXBiz / typed |")
    print("|---|---|---|---|---|---|---|")
    for name, typed in (("phone", wxdecrypt.decrypt_phone), ("user-info", wxdecrypt.decrypt_user_info), ("werun-31", None)):
        fixture = json.loads((FIXTURES / f"{name}.json").read_text())
        contenders: Dict[str, Callable[[], Any]] = {}
        if typed is not None:
            contenders["typed"] = ours(typed, fixture)
        contenders["raw"] = ours(wxdecrypt.decrypt_raw, fixture)
        contenders["wechatpy"] = wechatpy_approach(fixture)
        contenders["wxbiz"] = wxbiz_approach(fixture)
        samples = interleaved(contenders, options.rounds, options.batch_ms)
        m = {name: median(values) for name, values in samples.items()}
        base = "typed" if "typed" in m else "raw"
        print(
            f"| {name} | {m['typed']:,.0f} ns |" if "typed" in m else f"| {name} | - |",
            f"{m['raw']:,.0f} ns | {m['wechatpy']:,.0f} ns | {m['wxbiz']:,.0f} ns |",
            f"{ratio(samples, 'wechatpy', base):.1f}x | {ratio(samples, 'wxbiz', base):.1f}x |",
        )

    print()
    fixture = json.loads((FIXTURES / "phone.json").read_text())
    hold = ours(wxdecrypt.decrypt_phone, fixture)
    release = ours(wxdecrypt._wxdecrypt._decrypt_phone_detached, fixture)  # type: ignore[attr-defined]
    samples = interleaved({"hold": hold, "release": release}, options.rounds, options.batch_ms)
    print(f"GIL, one thread, phone: held {median(samples['hold']):,.0f} ns, "
          f"released {median(samples['release']):,.0f} ns "
          f"(released / held {ratio(samples, 'release', 'hold'):.2f}x)")
    for name, run in (("held", hold), ("released", release)):
        rates = [beside_python(run, 1.0) for _ in range(5)]
        print(f"GIL, phone decrypts per second on a thread beside a thread running Python (median of five 1 s runs): "
              f"{name} {statistics.median(rates):,.0f}")
    for threads in (1, options.threads):
        rates: Dict[str, List[float]] = {"hold": [], "release": []}
        for r in range(max(5, options.rounds // 4)):
            for name in (("hold", "release") if r % 2 == 0 else ("release", "hold")):
                rates[name].append(threaded(hold if name == "hold" else release, threads, 5000))
        h, rl = statistics.median(rates["hold"]), statistics.median(rates["release"])
        print(f"GIL, {threads} thread(s), phone, total calls/s (median): held {h:,.0f}, released {rl:,.0f} "
              f"(released / held {rl / h:.2f}x)")


if __name__ == "__main__":
    main()
