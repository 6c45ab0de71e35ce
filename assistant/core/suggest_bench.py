"""Speed of the runtime on realistic chat messages: cold start, single-message latency, batch throughput."""
from __future__ import annotations

import resource
import sys
import time

import numpy as np

# Short chat messages of the lengths people type, in several languages.
SAMPLE_MESSAGES = [
    "I love pizza", "Me encanta la paella", "Happy birthday to my best friend!", "ugh monday again",
    "Gute Nacht, schlaf gut", "Я люблю тебя", "我们明天去海边吧", "Bonne année à tous !",
    "Just finished my first marathon, so tired but proud", "Can't stop laughing at this video",
    "Feliz cumpleaños hermana, te quiero mucho", "Good morning sunshine, coffee first",
    "Merry Christmas everyone, enjoy the holidays with your family", "Vamos Real Madrid!!",
    "that concert last night was unreal, best band ever", "お誕生日おめでとう", "Ti amo tanto amore mio",
    "Boa noite meus amigos", "New York city lights at night", "Sunday brunch with the girls",
    "@user thank you so much for the flowers, they are beautiful", "Gym time, no excuses",
    "Estoy muy cansado hoy, necesito dormir", "Selamat pagi semuanya", "sending hugs to everyone in need today",
]


def percentile_ms(samples: list[float], q: float) -> float:
    return round(float(np.percentile(samples, q)) * 1000, 2)


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024, 1)  # macOS reports bytes


def run_bench(model=None, *, threads: int = 1, rounds: int = 20, batch_size: int = 256) -> dict:
    from .assistant import Assistant
    from .language import detect_language

    started = time.perf_counter()
    assistant = Assistant(model, threads=threads)
    detect_language("warm up")  # the language model loads on first use: count it as start-up
    load_s = time.perf_counter() - started

    for text in SAMPLE_MESSAGES[:5]:
        assistant.suggest(text)  # first calls allocate; do not time them
    latencies = []
    for _ in range(rounds):
        for text in SAMPLE_MESSAGES:
            t0 = time.perf_counter()
            assistant.suggest(text)
            latencies.append(time.perf_counter() - t0)

    batch = (SAMPLE_MESSAGES * (batch_size // len(SAMPLE_MESSAGES) + 1))[:batch_size]
    t0 = time.perf_counter()
    assistant.suggest_batch(batch)
    batch_s = time.perf_counter() - t0
    return {
        "load_s": round(load_s, 3),
        "single": {"p50_ms": percentile_ms(latencies, 50), "p95_ms": percentile_ms(latencies, 95),
                   "p99_ms": percentile_ms(latencies, 99)},
        "batch": {"size": batch_size, "messages_per_s": round(batch_size / batch_s, 1)},
        "peak_rss_mb": peak_rss_mb(),
        "threads": threads,
        "model": f"{assistant.manifest.name} {assistant.manifest.version}",
    }
