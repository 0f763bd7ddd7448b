package io.nagselector.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the model tests: one PyTorch root manager per test class, closed afterwards. */
abstract class EngineTest {
  static NDManager root;

  @BeforeAll
  static void startEngine() {
    root = Backbones.newManager(Device.cpu());
  }

  @AfterAll
  static void closeEngine() {
    root.close();
  }
}
