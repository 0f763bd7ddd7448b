package io.nagselector.testing;

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
}
