#!/usr/bin/env python3
"""The capacity model of docs/deployment.md ("Capacity"), computed from measured per-document costs.

Each input names where it was measured; change one and rerun: python3 scripts/capacity.py
"""
import argparse
import math

SECONDS_PER_DAY = 86_400

# the job's own CPU per document, ms, all stages on (scripts/bench-cpu.sh, median of 3 runs,
# this project's 2-core development machine, commit e087eae): without the model's workers, and the
# tokenizer's, which runs on the TaskManager's CPU too (the tiny test model's tokenizer)
JOB_CPU_MS = 1.28
TOKENIZER_CPU_MS = 0.27
# extraction rate of one GPU, docs/s: measured (docs/performance.md, H200, Qwen3-0.6B's shapes,
# fp32, batch 64) and the goal of issue 20 (fp16, not measured)
GPU_MEASURED = 285.0
GPU_GOAL = 3_000.0
# RocksDB bytes per remembered text (ExactDedupeTest, NearDuplicateStateTest), plus the Bloom
# filters' 10 bits per entry (1 entry for the exact dedupe, 21 for the near-duplicate memory)
EXACT_BYTES = 18.0 + 10 / 8
NEAR_BYTES = 523.0 + 21 * 10 / 8
COMPACTION_ROOM = 2.0  # room for compaction's temporary copies (docs/deployment.md, "Disk")
# the crawl record: Avro CrawlDocument, its text and about 150 bytes of id, url and source
DOC_BYTES = 4_000 + 150
SELECTED_EXTRA = 250  # SelectedDocument adds scores, 6-28 layer contributions, the fingerprint
CHECKPOINT_INTERVAL_S = 30  # k8s/base/flinkdeployment.yaml


def row(label, value):
    print(f"| {label} | " + " | ".join(value) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--per-day", type=float, nargs="+", default=[100e6, 1e9])
    p.add_argument("--job-cpu-ms", type=float, default=JOB_CPU_MS + TOKENIZER_CPU_MS)
    p.add_argument("--selected-share", type=float, default=0.2, help="per target")
    p.add_argument("--targets", type=int, default=4)
    p.add_argument("--duplicate-share", type=float, default=0.3)
    a = p.parse_args()
    rates = [d / SECONDS_PER_DAY for d in a.per_day]
    names = [f"{d / 1e9:g} billion" if d >= 1e9 else f"{d / 1e6:g} million" for d in a.per_day]
    print("| | " + " | ".join(f"{n} documents a day" for n in names) + " |")
    print("|---|" + "---|" * len(rates))
    row("documents/s", [f"{r:,.0f}" for r in rates])
    row(
        "GPUs at the measured fp32 rate (285 docs/s each)",
        [f"{math.ceil(r / GPU_MEASURED)}" for r in rates],
    )
    row("GPUs at the goal rate (3,000 docs/s each)", [f"{math.ceil(r / GPU_GOAL)}" for r in rates])
    row(
        f"TaskManager cores for the job's own work and the tokenizer ({a.job_cpu_ms:.2f} ms/doc)",
        [f"{r * a.job_cpu_ms / 1e3:,.1f}" for r in rates],
    )
    gb = 1e9
    for days in (1, 7):
        row(
            f"RocksDB, near-duplicate memory, {days} day{'s' if days > 1 else ''}"
            f" ({NEAR_BYTES:.0f} B/text, ×{COMPACTION_ROOM:.0f} room)",
            [f"{r * SECONDS_PER_DAY * days * NEAR_BYTES * COMPACTION_ROOM / gb:,.0f} GB" for r in rates],
        )
    row(
        f"RocksDB, exact dedupe, 7 days ({EXACT_BYTES:.1f} B/text, ×{COMPACTION_ROOM:.0f} room)",
        [f"{r * SECONDS_PER_DAY * 7 * EXACT_BYTES * COMPACTION_ROOM / gb:,.0f} GB" for r in rates],
    )
    per_checkpoint = [r * CHECKPOINT_INTERVAL_S * (NEAR_BYTES + EXACT_BYTES) / 1e6 for r in rates]
    row(
        f"new state per incremental checkpoint ({CHECKPOINT_INTERVAL_S} s), before compaction",
        [f"{m:,.0f} MB" for m in per_checkpoint],
    )
    row(
        "a full checkpoint or savepoint (1-day near, 7-day exact memory)",
        [
            f"{r * SECONDS_PER_DAY * (NEAR_BYTES + 7 * EXACT_BYTES) / gb:,.0f} GB"
            for r in rates
        ],
    )
    row("Kafka in: the crawl topic", [f"{r * DOC_BYTES / 1e6:,.1f} MB/s" for r in rates])
    out = [
        r * (1 - a.duplicate_share) * a.selected_share * a.targets * (DOC_BYTES + SELECTED_EXTRA)
        + r * a.duplicate_share * (DOC_BYTES + 60)
        for r in rates
    ]
    row(
        f"Kafka out: selected ({a.targets} targets × {a.selected_share:.0%}) and duplicates"
        f" ({a.duplicate_share:.0%})",
        [f"{o / 1e6:,.1f} MB/s" for o in out],
    )


if __name__ == "__main__":
    main()
