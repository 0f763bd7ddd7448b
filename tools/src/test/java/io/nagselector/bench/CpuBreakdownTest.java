package io.nagselector.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.nagselector.bench.CpuBreakdown.Row;
import io.nagselector.bench.CpuBreakdown.Share;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpuBreakdownTest {
  private static ThreadCpu.Use use(String id, String name, long millis) {
    return new ThreadCpu.Use(id, name, millis * 1_000_000);
  }

  @Test
  void groupsThreadsByTaskAndShareAndDividesTheirCpuInTheIntervalByTheDocuments() {
    List<ThreadCpu.Use> beforeJob =
        List.of(use("jvm-1", "main", 50), use("jvm-2", "data-plane-kafka-request-handler-0", 10));
    List<ThreadCpu.Use> before =
        List.of(
            use("jvm-1", "main", 100),
            use("jvm-2", "data-plane-kafka-request-handler-0", 20),
            use("jvm-3", "near-duplicates: bucket index (1/2)#0", 30),
            use("jvm-4", "near-duplicates: bucket index (2/2)#0", 40));
    List<ThreadCpu.Use> after =
        List.of(
            use("jvm-1", "main", 300),
            use("jvm-2", "data-plane-kafka-request-handler-0", 120),
            use("jvm-3", "near-duplicates: bucket index (1/2)#0", 530),
            use("jvm-4", "near-duplicates: bucket index (2/2)#0", 540),
            use("jvm-5", "Source Data Fetcher for Source: crawl (1/2)#0", 100),
            use("jvm-6", "kafka-producer-network-thread | producer-selected-0-1", 50),
            use("jvm-7", "kafka-producer-network-thread | bench", 70),
            use("jvm-8", "kafka-coordinator-heartbeat-thread | bench", 5),
            use("jvm-9", "OutputFlusher for score and select", 10),
            use("jvm-10", "flink-pekko.actor.default-dispatcher-4", 30),
            use("jvm-11", "nag-batcher-0", 900),
            use("tid-12", "rocksdb:low", 200));

    List<Row> rows = CpuBreakdown.of(beforeJob, before, after, 1_000);

    assertThat(rows)
        .extracting(Row::group, Row::share)
        .containsExactly(
            tuple("near-duplicates: bucket index", Share.JOB),
            tuple("RocksDB background (flush, compaction)", Share.JOB),
            tuple("Kafka reader: Source: crawl", Share.JOB),
            tuple("Kafka producers (the sinks' network threads)", Share.JOB),
            tuple(CpuBreakdown.RUNTIME, Share.JOB),
            tuple("the model (extraction workers)", Share.EXTRACTION),
            tuple(CpuBreakdown.LEFT_OUT, Share.LEFT_OUT));
    // 500 + 500 ms of the bucket index's two subtasks over 1,000 documents
    assertThat(rows.get(0).msPerDocument()).isCloseTo(1.0, within(1e-12));
    // the runtime: the output flusher (10) and an RPC thread (30) that came with the job
    assertThat(rows.get(4).msPerDocument()).isCloseTo(0.04, within(1e-12));
    // main (200), the broker (100) and the bench's own Kafka clients (75)
    assertThat(rows.get(6).msPerDocument()).isCloseTo(0.375, within(1e-12));
    assertThat(CpuBreakdown.total(rows, Share.JOB))
        .isCloseTo(1.0 + 0.2 + 0.1 + 0.05 + 0.04, within(1e-12));
    assertThat(CpuBreakdown.total(rows, Share.EXTRACTION)).isCloseTo(0.9, within(1e-12));
  }

  @Test
  void readsThisProcesssThreadsIncludingTheCallersCpu() {
    long spent = 0;
    for (int i = 0; i < 2_000_000; i++) {
      spent += Long.numberOfTrailingZeros(i * 31L + spent);
    }
    List<ThreadCpu.Use> sample = ThreadCpu.sample();
    String me = Thread.currentThread().getName();
    assertThat(sample)
        .filteredOn(u -> u.name().equals(me))
        .singleElement()
        .satisfies(u -> assertThat(u.nanos()).isPositive());
    assertThat(ThreadCpu.processNanos()).isGreaterThan(0).as("spent %d", spent);
  }

  @Test
  void theTokenizersCpuMovesFromTheAsyncOperatorsThreadToTheExtraction() {
    List<Row> rows =
        List.of(
            new Row("NAG extraction -> split failures", Share.JOB, 0.30),
            new Row("score and select", Share.JOB, 0.20),
            new Row("the model (extraction workers)", Share.EXTRACTION, 1.0));

    List<Row> moved = CpuBreakdown.movedToExtraction(rows, "NAG extraction", "tokenizer", 0.25);

    assertThat(moved)
        .extracting(Row::group, Row::share)
        .containsExactly(
            tuple("score and select", Share.JOB),
            tuple("NAG extraction -> split failures", Share.JOB),
            tuple("the model (extraction workers)", Share.EXTRACTION),
            tuple("tokenizer", Share.EXTRACTION));
    assertThat(moved.get(1).msPerDocument()).isCloseTo(0.05, within(1e-12));
    assertThat(CpuBreakdown.total(moved, Share.JOB)).isCloseTo(0.25, within(1e-12));
    assertThat(CpuBreakdown.total(moved, Share.EXTRACTION)).isCloseTo(1.25, within(1e-12));
  }
}
