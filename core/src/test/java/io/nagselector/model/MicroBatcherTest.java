package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The batching rules on a manual clock (no worker thread), then the worker on the real clock. */
class MicroBatcherTest {
  private long now;
  private final List<List<String>> batches = new ArrayList<>();

  private MicroBatcher<String, String> batcher(int maxBatch, int maxTokens, long maxWaitMillis) {
    return new MicroBatcher<>(
        maxBatch,
        maxTokens,
        Duration.ofMillis(maxWaitMillis),
        items -> {
          batches.add(items);
          return items.stream().map(String::toUpperCase).toList();
        },
        () -> now,
        0);
  }

  private static List<String> items(List<MicroBatcher.Request<String, String>> batch) {
    return batch.stream().map(MicroBatcher.Request::item).toList();
  }

  @Test
  void aFullBatchIsDueAtOnce() {
    MicroBatcher<String, String> b = batcher(3, 1000, 50);
    b.submit("a", 5);
    b.submit("b", 5);
    assertThat(b.takeDue(now)).isEmpty();
    b.submit("c", 5);
    b.submit("d", 5);
    assertThat(items(b.takeDue(now))).containsExactly("a", "b", "c");
    assertThat(b.takeDue(now)).isEmpty();
  }

  @Test
  void aBatchClosesBeforeExceedingThePaddedTokenBudget() {
    MicroBatcher<String, String> b = batcher(16, 100, 50);
    b.submit("short", 10);
    b.submit("mid", 40);
    b.submit("long", 45); // 3 x 45 = 135 > 100
    assertThat(items(b.takeDue(now))).containsExactly("short", "mid");
    now += TimeUnit.MILLISECONDS.toNanos(50);
    assertThat(items(b.takeDue(now))).containsExactly("long");
  }

  @Test
  void requestsOfSimilarLengthAreBatchedTogetherStartingWithTheOldest() {
    MicroBatcher<String, String> b = batcher(2, 1000, 50);
    b.submit("a", 10);
    b.submit("b", 100);
    b.submit("c", 60);
    b.submit("d", 12);
    b.submit("e", 98);
    assertThat(items(b.takeDue(now))).containsExactly("a", "d");
    assertThat(items(b.takeDue(now))).containsExactly("b", "e");
    assertThat(b.takeDue(now)).isEmpty(); // c alone waits for its deadline
    now += TimeUnit.MILLISECONDS.toNanos(50);
    assertThat(items(b.takeDue(now))).containsExactly("c");
  }

  @Test
  void aPartialBatchWaitsForTheOldestRequestsDeadline() {
    MicroBatcher<String, String> b = batcher(8, 1000, 10);
    b.submit("x", 3);
    now += TimeUnit.MILLISECONDS.toNanos(9);
    b.submit("y", 3);
    assertThat(b.takeDue(now)).isEmpty();
    now += TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(items(b.takeDue(now))).containsExactly("x", "y");
  }

  @Test
  void eachFutureGetsItsOwnResultOrTheBatchFailure() throws Exception {
    MicroBatcher<String, String> b = batcher(2, 1000, 10);
    CompletableFuture<String> x = b.submit("x", 1);
    CompletableFuture<String> y = b.submit("y", 1);
    b.run(b.takeDue(now));
    assertThat(x.get()).isEqualTo("X");
    assertThat(y.get()).isEqualTo("Y");

    MicroBatcher<String, String> failing =
        new MicroBatcher<>(
            1,
            10,
            Duration.ZERO,
            items -> {
              throw new IllegalStateException("model crashed");
            },
            () -> now,
            0);
    CompletableFuture<String> z = failing.submit("z", 1);
    failing.run(failing.takeDue(now));
    assertThatThrownBy(z::get)
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("model crashed");
  }

  @Test
  void countsBatchesItemsAndFill() {
    MicroBatcher<String, String> b = batcher(2, 1000, 10);
    b.submit("a", 10);
    b.submit("b", 30);
    b.submit("c", 5);
    b.run(b.takeDue(now));
    // one batch of the two closest in length, a and c: 15 tokens in 2 x 10 padded
    MicroBatcher.Stats s = b.stats();
    assertThat(s.batches()).isEqualTo(1);
    assertThat(s.items()).isEqualTo(2);
    assertThat(s.meanBatchSize()).isEqualTo(2.0);
    assertThat(s.fill()).isEqualTo(15.0 / 20.0);
    assertThat(s.queued()).isEqualTo(1);
  }

  @Test
  void rejectsBadLimitsNamingThem() {
    assertThatThrownBy(() -> batcher(0, 10, 1))
        .hasMessage(
            "batch limits must be positive: max batch 0, max batch tokens 10, max wait PT0.001S,"
                + " workers 0");
  }

  @Test
  void twoWorkersRunBatchesOnTheSystemClockAndDrainOnClose() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    List<CompletableFuture<Integer>> futures = new ArrayList<>();
    try (MicroBatcher<Integer, Integer> b =
        MicroBatcher.start(
            4,
            1000,
            Duration.ofMillis(5),
            2,
            items -> {
              synchronized (sizes) {
                sizes.add(items.size());
              }
              return items.stream().map(i -> i * 10).toList();
            })) {
      for (int i = 0; i < 10; i++) {
        futures.add(b.submit(i, 2));
      }
      for (int i = 0; i < 10; i++) {
        assertThat(futures.get(i).get(5, TimeUnit.SECONDS)).isEqualTo(i * 10);
      }
    }
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    assertThat(sizes).allMatch(s -> s <= 4);
  }
}
