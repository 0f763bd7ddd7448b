package io.nagselector.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.io.UserInputException;
import org.junit.jupiter.api.Test;

class PoliciesTest {
  @Test
  void theCommandLineReadsAPolicyAndRefusesWhatTheRegistryWould() {
    assertThat(Policies.parse("fraction:0.2"))
        .isEqualTo(new TargetPolicy(PolicyKind.FRACTION, 0.2));
    assertThat(Policies.parse(" Threshold : 0 "))
        .isEqualTo(new TargetPolicy(PolicyKind.THRESHOLD, 0.0));
    assertThatThrownBy(() -> Policies.parse("fraction:0"))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "--policy fraction:0: policy FRACTION value 0.0 is out of range (a fraction is in (0,"
                + " 1])");
    assertThatThrownBy(() -> Policies.parse("threshold:1.5"))
        .hasMessage(
            "--policy threshold:1.5: policy THRESHOLD value 1.5 is out of range (a threshold is in"
                + " [0, 1])");
    assertThatThrownBy(() -> Policies.parse("top:3"))
        .hasMessage("--policy must be fraction:F or threshold:S (e.g. fraction:0.2), got 'top:3'");
    assertThat(Policies.problem(new TargetPolicy(PolicyKind.FRACTION, 1.0))).isNull();
    assertThat(Policies.problem(new TargetPolicy(PolicyKind.THRESHOLD, 0.0))).isNull();
  }
}
