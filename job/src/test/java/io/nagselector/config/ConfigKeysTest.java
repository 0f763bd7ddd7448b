package io.nagselector.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The typed key list against what users read: the shipped files and docs/configuration.md's table.
 */
class ConfigKeysTest {
  private static final Path TABLE = Path.of("docs/configuration.md");
  private static final String START =
      "<!-- config-keys: generated from ConfigKeys by ConfigKeysTest (-Dnag.config-table.write=true) -->\n";
  private static final String END = "<!-- config-keys:end -->";

  @Test
  void theConfigurationPagesTableIsTheKeyList() throws Exception {
    String page = Files.readString(TABLE);
    int start = page.indexOf(START) + START.length();
    int end = page.indexOf(END);
    assertThat(start).as("the page's markers").isGreaterThanOrEqualTo(START.length());
    String generated = markdownTable();
    if (Boolean.getBoolean("nag.config-table.write")) {
      Files.writeString(TABLE, page.substring(0, start) + generated + page.substring(end));
      page = Files.readString(TABLE);
      end = page.indexOf(END);
    }
    assertThat(page.substring(start, end))
        .as("docs/configuration.md's table; regenerate with -Dnag.config-table.write=true")
        .isEqualTo(generated);
  }

  @Test
  void theLocalConfigListsEveryKeyWithItsDefault() throws Exception {
    JsonNode local =
        new ObjectMapper(new YAMLFactory()).readTree(Path.of("config/local.yaml").toFile());
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      JsonNode node = local;
      for (String part : key.name().split("\\.")) {
        node = node.path(part);
      }
      assertThat(node.isMissingNode()).as("%s in config/local.yaml", key).isFalse();
      assertThat(node.asText()).as("%s in config/local.yaml", key).isEqualTo(key.defaultValue());
    }
  }

  @Test
  void everyDefaultIsValidAndEveryKeyHasItsOverride() {
    JobConfig defaults = JobConfig.load(Path.of("config/local.yaml"), Map.of());
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(defaults.get(key)).as("%s", key).isEqualTo(key.parse(key.defaultValue()));
    }
    assertThat(ConfigKeys.ALL)
        .extracting(ConfigKey::environmentVariable)
        .doesNotHaveDuplicates()
        .contains("NAG_KAFKA_TOPICS_DEAD_LETTER", "NAG_SELECTION_TOP_K_INTERVAL");
  }

  /** The table of the keys (Markdown), as docs/configuration.md shows it. */
  static String markdownTable() {
    StringBuilder out = new StringBuilder("| key | type | default | |\n|---|---|---|---|\n");
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      String value = key.defaultValue().isEmpty() ? "\"\"" : key.defaultValue();
      out.append("| `")
          .append(key.name())
          .append("` | ")
          .append(key.type())
          .append(" | `")
          .append(value)
          .append("` | ")
          .append(key.doc())
          .append(" |\n");
    }
    return out.toString();
  }
}
