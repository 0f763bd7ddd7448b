package io.nagselector.testutils;

import io.nagselector.broker.EmbeddedKafka;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real KRaft broker ({@link EmbeddedKafka}) for the tests that register it. As a static
 * {@code @RegisterExtension} field, one broker serves the whole class: it starts before the class's
 * {@code @BeforeAll} methods and stops after its last test. As an instance field, each test gets a
 * fresh broker (fresh topics, nothing left by an earlier test). Either way it is stopped after the
 * job a test cancelled with {@link Jobs#cancel} has closed.
 */
public final class Broker
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private EmbeddedKafka kafka;
  private boolean perClass;

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    kafka = EmbeddedKafka.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) {
      kafka = EmbeddedKafka.start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** The running broker. */
  public EmbeddedKafka kafka() {
    if (kafka == null) {
      throw new IllegalStateException("the broker runs only within the tests that register it");
    }
    return kafka;
  }

  private void stop() {
    if (kafka != null) {
      kafka.close();
      kafka = null;
    }
  }
}
