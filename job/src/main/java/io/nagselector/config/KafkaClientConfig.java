package io.nagselector.config;

import io.nagselector.io.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Kafka clients' connection settings from the job's config: the brokers and, when configured,
 * TLS (a PEM trust store, e.g. Strimzi's cluster CA) and SASL (SCRAM by default). The password is
 * never part of an error message; Kafka's clients log it as [hidden]. It may be a reference that
 * Kafka's config providers resolve where each client starts ({@code ${env:VAR}}, {@code
 * ${file:/path.properties:key}}, {@code ${directory:/dir:file}}): then the job graph, which Flink
 * serializes and, with HA, persists, holds the reference and not the secret.
 */
public final class KafkaClientConfig {
  /** A whole value that is a reference to one of the providers registered below. */
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file|directory):[^}]+}");

  private static final Map<String, String> PROVIDERS =
      Map.of(
          "env", "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
          "file", "org.apache.kafka.common.config.provider.FileConfigProvider",
          "directory", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");

  private KafkaClientConfig() {}

  /** Whether the configured password is a config-provider reference rather than the secret. */
  static boolean isReference(String password) {
    return REFERENCE.matcher(password.trim()).matches();
  }

  /** What the keys cannot check alone (each key's value is checked by its {@link ConfigKey}). */
  static void validate(JobConfig c) {
    String protocol = c.get(ConfigKeys.KAFKA_SECURITY_PROTOCOL);
    if (protocol.startsWith("SASL_")) {
      if (c.get(ConfigKeys.KAFKA_SASL_USERNAME).isBlank()
          || c.get(ConfigKeys.KAFKA_SASL_PASSWORD).isEmpty()) {
        throw new UserInputException(
            "config: kafka.security-protocol "
                + protocol
                + " needs kafka.sasl-username and kafka.sasl-password (e.g. from"
                + " NAG_KAFKA_SASL_USERNAME and NAG_KAFKA_SASL_PASSWORD)");
      }
    }
    String truststore = c.get(ConfigKeys.KAFKA_SSL_TRUSTSTORE).trim();
    if (!truststore.isEmpty() && !Files.isReadable(Path.of(truststore))) {
      throw new UserInputException(
          "config: kafka.ssl-truststore " + truststore + " is not a readable file");
    }
  }

  /**
   * A consumer of committed records only, without a group (it assigns and seeks itself, and commits
   * nothing), with {@code client}'s connection and security settings.
   */
  public static KafkaConsumer<byte[], byte[]> committedReader(Properties client) {
    Properties props = new Properties();
    props.putAll(client);
    props.put("isolation.level", "read_committed");
    props.put("enable.auto.commit", "false");
    props.remove("group.id");
    return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Properties for any Kafka client (consumer, producer, admin) of the job or the commands. */
  public static Properties of(JobConfig c) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS).trim());
    String protocol = c.get(ConfigKeys.KAFKA_SECURITY_PROTOCOL).trim();
    p.setProperty("security.protocol", protocol);
    if (protocol.startsWith("SASL_")) {
      String mechanism = c.get(ConfigKeys.KAFKA_SASL_MECHANISM).trim();
      String module =
          mechanism.equals("PLAIN")
              ? "org.apache.kafka.common.security.plain.PlainLoginModule"
              : "org.apache.kafka.common.security.scram.ScramLoginModule";
      p.setProperty("sasl.mechanism", mechanism);
      String password = c.get(ConfigKeys.KAFKA_SASL_PASSWORD);
      if (isReference(password)) {
        password = password.trim();
        p.setProperty("config.providers", String.join(",", PROVIDERS.keySet()));
        PROVIDERS.forEach(
            (name, type) -> p.setProperty("config.providers." + name + ".class", type));
      } else {
        password = quoted(password);
      }
      p.setProperty(
          "sasl.jaas.config",
          module
              + " required username=\""
              + quoted(c.get(ConfigKeys.KAFKA_SASL_USERNAME).trim())
              + "\" password=\""
              + password
              + "\";");
    }
    String truststore = c.get(ConfigKeys.KAFKA_SSL_TRUSTSTORE).trim();
    if (!truststore.isEmpty()) {
      p.setProperty("ssl.truststore.type", "PEM");
      p.setProperty("ssl.truststore.location", truststore);
    }
    return p;
  }

  /**
   * Connects once, so that wrong brokers, credentials or trust fail at start-up with a message that
   * names the setting (never the password) instead of a job that restarts forever.
   */
  public static void checkConnection(JobConfig c, Duration timeout) {
    Properties p = of(c);
    String servers = p.getProperty("bootstrap.servers");
    p.setProperty("default.api.timeout.ms", Long.toString(timeout.toMillis()));
    p.setProperty("request.timeout.ms", Long.toString(timeout.toMillis()));
    try (Admin admin = Admin.create(p)) {
      Collection<Node> nodes =
          admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      checkTransactionTimeout(admin, c, nodes, timeout);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SaslAuthenticationException) {
        throw new UserInputException(
            "Kafka at "
                + servers
                + " refused the credentials of kafka.sasl-username '"
                + c.get(ConfigKeys.KAFKA_SASL_USERNAME).trim()
                + "' (check kafka.sasl-password / NAG_KAFKA_SASL_PASSWORD): "
                + cause.getMessage());
      }
      if (cause instanceof SslAuthenticationException) {
        throw new UserInputException(
            "the TLS handshake with Kafka at "
                + servers
                + " failed (check kafka.ssl-truststore and kafka.security-protocol): "
                + cause.getMessage());
      }
      throw new UserInputException(
          "cannot use Kafka at " + servers + " (kafka.bootstrap-servers): " + cause);
    } catch (TimeoutException e) {
      throw new UserInputException(
          "no answer from Kafka at "
              + servers
              + " within "
              + timeout.toSeconds()
              + " s (check kafka.bootstrap-servers and kafka.security-protocol)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The producer settings of the job's exactly-once sinks: the client's plus the timeout. */
  public static Properties producer(JobConfig c) {
    Properties p = of(c);
    p.setProperty(
        "transaction.timeout.ms",
        Long.toString(c.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT).toMillis()));
    return p;
  }

  /**
   * A broker refuses a producer whose transaction timeout is above its transaction.max.timeout.ms,
   * but only once the job runs: say so at start-up. Brokers that do not let this user read their
   * configuration are not checked.
   */
  private static void checkTransactionTimeout(
      Admin admin, JobConfig c, Collection<Node> nodes, Duration timeout)
      throws InterruptedException, TimeoutException {
    if (nodes.isEmpty()) {
      return;
    }
    ConfigResource broker =
        new ConfigResource(
            ConfigResource.Type.BROKER, Integer.toString(nodes.iterator().next().id()));
    ConfigEntry max;
    try {
      max =
          admin
              .describeConfigs(List.of(broker))
              .all()
              .get(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .get(broker)
              .get("transaction.max.timeout.ms");
    } catch (ExecutionException e) {
      return; // not authorised to describe the broker's configuration: the producer will say
    }
    long wanted = c.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT).toMillis();
    if (max != null && max.value() != null && Long.parseLong(max.value()) < wanted) {
      throw new UserInputException(
          "config: kafka.transaction-timeout ("
              + wanted
              + " ms) is above the broker's transaction.max.timeout.ms ("
              + max.value()
              + " ms) at "
              + c.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS).trim()
              + ": raise the broker's setting (see docs/deployment.md) rather than shortening the"
              + " timeout");
    }
  }

  /** {@code p} plus {@code extra} (key, value, key, value ...), as a new map for a client. */
  public static Map<String, Object> with(Properties p, Object... extra) {
    Map<String, Object> out = new HashMap<>();
    p.forEach((k, v) -> out.put((String) k, v));
    for (int i = 0; i < extra.length; i += 2) {
      out.put((String) extra[i], extra[i + 1]);
    }
    return out;
  }

  private static String quoted(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
