package io.nagselector.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
  @Test
  void returnsTheFirstValueAndPollsUntilThen() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String value =
        Await.value(
            "the third call",
            Duration.ofSeconds(5),
            () -> calls.incrementAndGet() == 3 ? "x" : null);
    assertThat(value).isEqualTo("x");
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void failsNamingWhatItAwaited() {
    assertThatThrownBy(() -> Await.until("a miracle", Duration.ofMillis(250), () -> false))
        .isInstanceOf(AssertionError.class)
        .hasMessage("waited 0 s for a miracle");
  }

  @Test
  void aProbesOwnFailureEndsTheWaitAtOnce() {
    assertThatThrownBy(
            () ->
                Await.value(
                    "a dead process",
                    Duration.ofSeconds(30),
                    () -> {
                      throw new AssertionError("the process exited");
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessage("the process exited");
  }

  @Test
  void holdsForTheWholePeriodOrFailsWhenItStops() {
    AtomicInteger calls = new AtomicInteger();
    long start = System.nanoTime();
    Await.holdsFor("always", Duration.ofMillis(400), () -> calls.incrementAndGet() > 0);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(calls.get()).isGreaterThan(1);
    AtomicInteger looks = new AtomicInteger();
    assertThatThrownBy(
            () ->
                Await.holdsFor(
                    "the first two looks",
                    Duration.ofMillis(400),
                    () -> looks.incrementAndGet() <= 2))
        .isInstanceOf(AssertionError.class)
        .hasMessage("the first two looks did not hold for 400 ms");
  }
}
