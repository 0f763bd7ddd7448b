#!/usr/bin/env python3
"""Where the job's own threads spend their CPU, from an async-profiler collapsed-stack file.

  java -agentpath:LIB=start,event=cpu,interval=10ms,threads,collapsed,file=prof.collapsed \
    -jar target/nag-selector.jar bench pipeline --model target/tiny-model --docs 20000 \
    --warm-up 2000 --no-bare
  scripts/profile-table.py prof.collapsed --documents 22000

Counts the samples of the job's task threads, its Kafka producers and RocksDB's background threads
(as `bench pipeline`'s CPU table groups them; the model's workers, the bench's own clients, the
JIT, GC and the broker are left out). Each sample goes to the first of the categories below whose
pattern one of its frames matches, so the nested ones come first.
"""
import argparse
import re
import sys

JOB_THREAD = re.compile(
    r"^\[(rocksdb:.*|kafka-producer-network-thread \| (?!bench).*|(OutputFlusher|System Time Trigger"
    r"|Time Trigger) for .*|.* \(\d+/\d+\)#\d+) tid=\d+\]$"
)
CATEGORIES = [
    ("RocksDB background (flush, compaction)", r"^\[rocksdb:"),
    ("the tokenizer (the extraction's, on the async operator's thread)", r"DocTokenizer\.encode"),
    ("RocksDB reads (get)", r"org/rocksdb/RocksDB\.get"),
    ("RocksDB writes (put, delete, merge, write batches)", r"org/rocksdb/(RocksDB\.(put|delete|merge|write)|WriteBatch)"),
    ("RocksDB iterators (timers, key scans)", r"org/rocksdb/\w*Iterator"),
    ("Kafka clients", r"org/apache/kafka/"),
    ("serialising and deserialising records and state", r"[Ss]erializ|org/apache/avro/"),
    ("the near-duplicate fingerprint (shingles, MinHash, bands)", r"io/nagselector/dedupe/"),
    ("the scoring and selection rules", r"io/nagselector/nag/"),
    ("the network stack (buffers, channels)", r"runtime/io/network/"),
    ("checkpoints", r"[Cc]heckpoint|[Ss]napshot"),
    ("Flink's keyed state, TTL and timers (wrappers)", r"runtime/state/|state/rocksdb/|InternalTimer|PriorityQueue"),
    ("the job's operators' own code", r"io/nagselector/"),
    ("the rest of Flink (task mailbox, outputs, RPC)", r"org/apache/flink/"),
    ("the JVM and native code", r""),
]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("collapsed")
    p.add_argument("--documents", type=int, required=True, help="documents in the profiled run")
    p.add_argument("--interval-ms", type=float, default=10.0)
    a = p.parse_args()
    patterns = [(name, re.compile(rx)) for name, rx in CATEGORIES]
    samples = {name: 0 for name, _ in CATEGORIES}
    with open(a.collapsed) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = stack.split(";")
            if not JOB_THREAD.match(frames[0]):
                continue
            for name, rx in patterns:
                if any(rx.search(frame) for frame in frames):
                    samples[name] += int(count)
                    break
    total = sum(samples.values())
    if total == 0:
        sys.exit("no samples of the job's threads: was the profile taken with the 'threads' option?")
    print("| where | ms per document | share |\n|---|---|---|")
    for name, n in sorted(samples.items(), key=lambda kv: -kv[1]):
        if n:
            print(f"| {name} | {n * a.interval_ms / a.documents:.2f} | {100 * n / total:.0f} % |")
    print(f"| **the job's threads, in all** | **{total * a.interval_ms / a.documents:.2f}** | |")


if __name__ == "__main__":
    main()
