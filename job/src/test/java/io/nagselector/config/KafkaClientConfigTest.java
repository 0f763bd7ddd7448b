package io.nagselector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.io.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {
  private static final String SECRET = "s3cr\"et\\pw";
  @TempDir Path dir;

  private static JobConfig load(Map<String, String> env) {
    return JobConfig.load(Path.of("config/local.yaml"), env);
  }

  @Test
  void plaintextByDefault() {
    Properties p = KafkaClientConfig.of(load(Map.of()));
    assertThat(p).containsOnlyKeys("bootstrap.servers", "security.protocol");
    assertThat(p.getProperty("bootstrap.servers")).isEqualTo("127.0.0.1:9092");
    assertThat(p.getProperty("security.protocol")).isEqualTo("PLAINTEXT");
  }

  @Test
  void scramOverTlsFromTheEnvironment() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("NAG_KAFKA_SASL_USERNAME", "nag-selector");
    env.put("NAG_KAFKA_SASL_PASSWORD", SECRET);
    env.put("NAG_KAFKA_SSL_TRUSTSTORE", ca.toString());
    Properties p = KafkaClientConfig.of(load(env));
    assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
    assertThat(p.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
    assertThat(p.getProperty("sasl.jaas.config"))
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"nag-selector\" password=\"s3cr\\\"et\\\\pw\";");
    assertThat(p.getProperty("ssl.truststore.type")).isEqualTo("PEM");
    assertThat(p.getProperty("ssl.truststore.location")).isEqualTo(ca.toString());
  }

  @Test
  void badSecuritySettingsFailAtStartUpNamingTheSettingNotTheSecret() {
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
    env.put("NAG_KAFKA_SASL_PASSWORD", SECRET);
    assertThatThrownBy(() -> load(env))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("needs kafka.sasl-username and kafka.sasl-password")
        .hasMessageNotContaining(SECRET);
    env.put("NAG_KAFKA_SASL_USERNAME", "u");
    env.put("NAG_KAFKA_SASL_MECHANISM", "GSSAPI");
    assertThatThrownBy(() -> load(env))
        .hasMessageContaining("kafka.sasl-mechanism must be one of")
        .hasMessageNotContaining(SECRET);
    env.put("NAG_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256");
    env.put("NAG_KAFKA_SSL_TRUSTSTORE", dir.resolve("missing.crt").toString());
    assertThatThrownBy(() -> load(env)).hasMessageContaining("kafka.ssl-truststore");
    assertThatThrownBy(() -> load(Map.of("NAG_KAFKA_SECURITY_PROTOCOL", "TLS")))
        .hasMessageContaining("kafka.security-protocol must be one of");
  }

  @Test
  void theModelDeviceAndComputeTypeAreChecked() {
    assertThatThrownBy(() -> load(Map.of("NAG_MODEL_DEVICE", "tpu")))
        .hasMessage("config: model.device must be one of [cpu, gpu], got 'tpu'");
    assertThatThrownBy(() -> load(Map.of("NAG_MODEL_DTYPE", "bf16")))
        .hasMessageStartingWith(
            "config: model.dtype bf16 is not supported: DJL 0.36's PyTorch JNI has no bfloat16");
    assertThatThrownBy(() -> load(Map.of("NAG_MODEL_DTYPE", "fp64")))
        .hasMessage("config: model.dtype must be fp32, fp16 or auto, got 'fp64'");
    assertThat(load(Map.of("NAG_MODEL_DEVICE", "gpu")).get(ConfigKeys.MODEL_DEVICE))
        .isEqualTo("gpu");
  }

  @Test
  void aPasswordReferenceStaysAReferenceUntilAKafkaClientResolvesIt() throws Exception {
    // Kafka substitutes the resolved text as it is: a referenced password must not hold " or \
    // (Strimzi's generated ones are alphanumeric)
    String secret = "Pa55w0rdFromAFile";
    Path secrets = Files.writeString(dir.resolve("kafka.properties"), "password=" + secret + "\n");
    Map<String, String> env = new HashMap<>();
    env.put("NAG_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
    env.put("NAG_KAFKA_SASL_USERNAME", "nag-selector");
    env.put("NAG_KAFKA_SASL_PASSWORD", "${file:" + secrets + ":password}");
    Properties p = KafkaClientConfig.of(load(env));
    // what the job's sources and sinks carry, and Flink serializes: the reference only
    assertThat(p.toString()).doesNotContain(secret).contains("${file:" + secrets + ":password}");
    // what a Kafka client makes of it where it starts: the secret
    AdminClientConfig client = new AdminClientConfig(p);
    assertThat(client.getPassword("sasl.jaas.config").value())
        .isEqualTo(
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"nag-selector\" password=\""
                + secret
                + "\";");
  }
}
