package io.nagselector.control;

import io.nagselector.avro.PolicyKind;
import io.nagselector.avro.TargetPolicy;
import io.nagselector.io.UserInputException;
import java.util.Locale;

/**
 * A target's policy, read and checked in one place: the command line parses it from text, and the
 * registry refuses a command whose policy is out of range, with the same rule.
 */
public final class Policies {
  private Policies() {}

  /** {@code fraction:F} or {@code threshold:S}, checked; a user's mistake otherwise. */
  public static TargetPolicy parse(String spec) {
    String[] parts = spec.split(":", 2);
    TargetPolicy policy;
    try {
      PolicyKind kind = PolicyKind.valueOf(parts[0].trim().toUpperCase(Locale.ROOT));
      policy = new TargetPolicy(kind, Double.parseDouble(parts[1].trim()));
    } catch (RuntimeException e) {
      throw new UserInputException(
          "--policy must be fraction:F or threshold:S (e.g. fraction:0.2), got '" + spec + "'");
    }
    String problem = problem(policy);
    if (problem != null) {
      throw new UserInputException("--policy " + spec + ": " + problem);
    }
    return policy;
  }

  /**
   * What is wrong with {@code policy}, or null: a fraction must be in (0, 1], a threshold in [0,
   * 1].
   */
  public static String problem(TargetPolicy policy) {
    double v = policy.getValue();
    boolean fraction = policy.getKind() == PolicyKind.FRACTION;
    boolean ok = fraction ? v > 0 && v <= 1 : v >= 0 && v <= 1;
    return ok
        ? null
        : "policy "
            + policy.getKind()
            + " value "
            + v
            + " is out of range ("
            + (fraction ? "a fraction is in (0, 1]" : "a threshold is in [0, 1]")
            + ")";
  }
}
