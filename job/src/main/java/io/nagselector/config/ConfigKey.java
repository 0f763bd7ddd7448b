package io.nagselector.config;

import io.nagselector.io.UserInputException;
import io.nagselector.model.Compute;
import io.nagselector.model.NeuronType;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configuration key: its name, the type of its value as the docs say it, its default, what it
 * does, and how its text becomes a value (or a start-up error naming the key).
 */
public final class ConfigKey<T> {
  /** Turns a key's text into its value; throws {@link UserInputException} naming the key. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text, String key);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private final String name;
  private final String type;
  private final String defaultValue;
  private final String doc;
  private final Parser<T> parser;

  private ConfigKey(String name, String type, String defaultValue, String doc, Parser<T> parser) {
    this.name = name;
    this.type = type;
    this.defaultValue = defaultValue;
    this.doc = doc;
    this.parser = parser;
  }

  public String name() {
    return name;
  }

  /** The value's type, as the README's table says it. */
  public String type() {
    return type;
  }

  /** The value when the file and the environment say nothing, as text. */
  public String defaultValue() {
    return defaultValue;
  }

  public String doc() {
    return doc;
  }

  /**
   * The environment variable that overrides it: NAG_ + the name upper-cased, '.' and '-' as '_'.
   */
  public String environmentVariable() {
    return "NAG_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  T parse(String text) {
    return parser.parse(text, name);
  }

  static ConfigKey<String> text(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, "text", defaultValue, doc, (text, key) -> text);
  }

  /** A topic the job cannot do without. */
  static ConfigKey<String> topic(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "topic",
        defaultValue,
        doc,
        (text, key) -> {
          if (text.isBlank()) {
            throw invalid(key, "a topic name", text);
          }
          return text.trim();
        });
  }

  /** A topic that is written only when named: "" means off. */
  static ConfigKey<String> optionalTopic(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, "topic or \"\"", defaultValue, doc, (text, key) -> text.trim());
  }

  static ConfigKey<Integer> positive(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, "integer ≥ 1", defaultValue, doc, (t, k) -> integer(t, k, 1));
  }

  static ConfigKey<Integer> nonNegative(String name, String defaultValue, String doc) {
    return new ConfigKey<>(name, "integer ≥ 0", defaultValue, doc, (t, k) -> integer(t, k, 0));
  }

  static ConfigKey<Duration> duration(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name, "duration", defaultValue, doc, (text, key) -> parseDuration(text, "config: " + key));
  }

  static ConfigKey<Boolean> flag(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "true \\| false",
        defaultValue,
        doc,
        (text, key) -> {
          String t = text.trim();
          if (!t.equals("true") && !t.equals("false")) {
            throw invalid(key, "true or false", text);
          }
          return t.equals("true");
        });
  }

  /** One of {@code choices}, as written. */
  static ConfigKey<String> choice(String name, String defaultValue, String doc, String... choices) {
    List<String> allowed = List.of(choices);
    return new ConfigKey<>(
        name,
        String.join(" \\| ", allowed),
        defaultValue,
        doc,
        (text, key) -> {
          if (!allowed.contains(text.trim())) {
            throw invalid(key, "one of " + allowed, text);
          }
          return text.trim();
        });
  }

  /** A finite number ≥ 0. */
  static ConfigKey<Double> nonNegativeNumber(String name, String defaultValue, String doc) {
    return number(name, "number ≥ 0", defaultValue, doc, v -> v >= 0 && Double.isFinite(v));
  }

  /** A number in (0, 1]. */
  static ConfigKey<Double> unitInterval(String name, String defaultValue, String doc) {
    return number(name, "number in (0, 1]", defaultValue, doc, v -> v > 0 && v <= 1);
  }

  /** A number that {@code allowed} accepts; {@code type} says which, as the README's table does. */
  private static ConfigKey<Double> number(
      String name, String type, String defaultValue, String doc, DoublePredicate allowed) {
    return new ConfigKey<>(
        name,
        type,
        defaultValue,
        doc,
        (text, key) -> {
          try {
            double v = Double.parseDouble(text.trim());
            if (allowed.test(v)) {
              return v;
            }
          } catch (NumberFormatException e) {
            // refused below
          }
          throw invalid(key, "a " + type, text);
        });
  }

  static ConfigKey<NeuronType> neuronType(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "neuron type",
        defaultValue,
        doc,
        (text, key) -> {
          try {
            return NeuronType.parseList(text).get(0);
          } catch (IllegalArgumentException e) {
            throw new UserInputException("config: " + key + ": " + e.getMessage());
          }
        });
  }

  static ConfigKey<String> dtype(String name, String defaultValue, String doc) {
    return new ConfigKey<>(
        name,
        "auto \\| fp32 \\| fp16",
        defaultValue,
        doc,
        (text, key) -> {
          Compute.dtypeName(text.trim(), "config: " + key);
          return text.trim();
        });
  }

  /** A positive duration such as 500ms, 30s, 5m, 2h or 7d; {@code what} names it in the error. */
  public static Duration parseDuration(String text, String what) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new UserInputException(
          what
              + " must be a positive duration such as 500ms, 30s, 5m, 2h or 7d, got '"
              + text
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static int integer(String text, String key, int minimum) {
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= minimum) {
        return v;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw invalid(key, "an integer >= " + minimum, text);
  }

  private static UserInputException invalid(String key, String what, String text) {
    return new UserInputException("config: " + key + " must be " + what + ", got '" + text + "'");
  }

  @Override
  public String toString() {
    return name;
  }
}
