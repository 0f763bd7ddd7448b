package io.nagselector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.dataset.DatasetSink;
import io.nagselector.dataset.PartitionPath;
import io.nagselector.io.CrawlDecoder;
import io.nagselector.model.NeuronType;
import io.nagselector.pipeline.TargetDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {
  private static final Path LOCAL = Path.of("config/local.yaml");
  @TempDir Path dir;

  @Test
  void readsTheShippedLocalConfig() {
    JobConfig c = JobConfig.load(LOCAL, Map.of());
    assertThat(c.nearDuplicates()).isEqualTo(NearDuplicateSettings.defaults());
    assertThat(c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
    assertThat(c.format()).isEqualTo(CrawlDecoder.Format.AVRO);
    assertThat(c.get(ConfigKeys.MODEL_NEURON_TYPE)).isEqualTo(NeuronType.FWD_UP);
    assertThat(c.get(ConfigKeys.MODEL_MAX_WAIT)).isEqualTo(Duration.ofMillis(20));
    assertThat(c.get(ConfigKeys.DEDUPE_TTL)).isEqualTo(Duration.ofDays(7));
    assertThat(c.defaultPolicy()).isEqualTo(TargetDefinition.Policy.FRACTION);
    assertThat(c.get(ConfigKeys.SELECTION_DEFAULT_VALUE)).isEqualTo(0.2);
    assertThat(FlinkSettings.defaults(c).toMap())
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("execution.checkpointing.incremental", "true");
  }

  @Test
  void environmentVariablesOverrideKeys() {
    JobConfig c =
        JobConfig.load(
            LOCAL,
            Map.of("NAG_KAFKA_BOOTSTRAP_SERVERS", "kafka:9093", "NAG_SELECTION_SHARDS", "8"));
    assertThat(c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("kafka:9093");
    assertThat(c.get(ConfigKeys.SELECTION_SHARDS)).isEqualTo(8);
  }

  @Test
  void badValuesFailNamingTheKey() {
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_SELECTION_SHARDS", "zero")))
        .hasMessage("config: selection.shards must be an integer >= 1, got 'zero'");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_DEDUPE_TTL", "a week")))
        .hasMessage(
            "config: dedupe.ttl must be a positive duration such as 500ms, 30s, 5m, 2h or 7d, got 'a week'");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_INPUT_FORMAT", "xml")))
        .hasMessage("config: input.format must be one of [avro, json], got 'xml'");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_SELECTION_DEFAULT_VALUE", "NaN")))
        .hasMessage("config: selection.default-value must be a number in (0, 1], got 'NaN'");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_SELECTION_HOLD_SIGMAS", "-1")))
        .hasMessage("config: selection.hold-sigmas must be a number ≥ 0, got '-1'");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_SELECTION_MAX_HOLD", "soon")))
        .hasMessageStartingWith("config: selection.max-hold must be a positive duration");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_DEDUPE_NEAR_ENABLED", "yes")))
        .hasMessage("config: dedupe.near.enabled must be true or false, got 'yes'");
    assertThatThrownBy(
            () ->
                JobConfig.load(
                    LOCAL, Map.of("NAG_DEDUPE_NEAR_BANDS", "64", "NAG_DEDUPE_NEAR_ROWS", "32")))
        .hasMessage(
            "config: dedupe.near.bands x dedupe.near.rows must be at most 1024, got 64 x 32");
    assertThatThrownBy(() -> JobConfig.load(LOCAL, Map.of("NAG_DEDUPE_NEAR_MAX_WORDS", "3")))
        .hasMessage(
            "config: dedupe.near.shingle-size (5) must not exceed dedupe.near.max-words (3)");
  }

  @Test
  void theDatasetIsOffByDefaultAndItsPathMustBeAUri() {
    assertThat(DatasetSink.configured(JobConfig.load(LOCAL, Map.of()))).isEmpty();
    assertThat(
            DatasetSink.configured(
                JobConfig.load(
                    LOCAL,
                    Map.of(
                        "NAG_DATASET_PATH",
                        "s3://bucket/selected",
                        "NAG_DATASET_MAX_SHARD_MB",
                        "64"))))
        .contains(
            new DatasetSink(
                "s3://bucket/selected",
                64L << 20,
                Duration.ofHours(1),
                32L << 20,
                PartitionPath.DEFAULT));
    assertThatThrownBy(
            () ->
                DatasetSink.configured(
                    JobConfig.load(LOCAL, Map.of("NAG_DATASET_PATH", "/data/selected"))))
        .hasMessageStartingWith("dataset.path '/data/selected' needs a scheme");
    assertThatThrownBy(
            () ->
                DatasetSink.configured(
                    JobConfig.load(LOCAL, Map.of("NAG_DATASET_PATH", "file:// bad"))))
        .hasMessageStartingWith("dataset.path 'file:// bad' is not a URI");
    assertThatThrownBy(
            () ->
                DatasetSink.configured(
                    JobConfig.load(LOCAL, Map.of("NAG_DATASET_PATH", "s3p://bucket/x"))))
        .hasMessageContaining("use s3a:// (or s3://) with the flink-s3-fs-hadoop plugin");
    assertThat(
            DatasetSink.configured(
                    JobConfig.load(
                        LOCAL,
                        Map.of(
                            "NAG_DATASET_PATH",
                            "file:///d",
                            "NAG_DATASET_PARTITIONING",
                            "date,hour")))
                .orElseThrow()
                .partitioning())
        .isEqualTo(PartitionPath.parse("date,hour", "x"));
    assertThatThrownBy(
            () ->
                DatasetSink.configured(
                    JobConfig.load(
                        LOCAL,
                        Map.of(
                            "NAG_DATASET_PATH", "file:///d", "NAG_DATASET_PARTITIONING", "day"))))
        .hasMessageStartingWith("dataset.partitioning: 'day' is not a partition field");
  }

  @Test
  void anUnknownKeyFailsAndAMissingOneTakesItsDefault() throws Exception {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, Files.readString(LOCAL).replace("  shards: 64", "  shard: 64"));
    assertThatThrownBy(() -> JobConfig.load(typo, Map.of()))
        .hasMessageStartingWith("config " + typo + ": unknown key 'selection.shard' (known: ");
    Path missing = dir.resolve("missing.yaml");
    Files.writeString(
        missing,
        Files.readString(LOCAL)
            .replace("  warm-up: 1000\n", "")
            .replace("  shards: 64", "  shards: 8"));
    JobConfig c = JobConfig.load(missing, Map.of());
    assertThat(c.get(ConfigKeys.SELECTION_WARM_UP)).isEqualTo(1000);
    assertThat(c.get(ConfigKeys.SELECTION_SHARDS)).isEqualTo(8);
  }
}
