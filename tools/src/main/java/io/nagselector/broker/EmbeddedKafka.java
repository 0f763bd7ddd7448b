package io.nagselector.broker;

import io.nagselector.io.TempDirs;
import io.nagselector.kafka.JobTopics;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this JVM on 127.0.0.1,
 * with transactions enabled at replication factor 1: for the embedded demo and the integration
 * tests. Its data directory is deleted on close.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final Path dataDir;
  private final KafkaConfig config;
  private KafkaRaftServer server;
  private final String bootstrapServers;
  private final String secureBootstrapServers;

  private EmbeddedKafka(
      Path dataDir,
      KafkaConfig config,
      KafkaRaftServer server,
      String bootstrapServers,
      String secure) {
    this.dataDir = dataDir;
    this.config = config;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.secureBootstrapServers = secure;
  }

  /** Formats a fresh data directory on free ports and starts the broker (returns when ready). */
  public static EmbeddedKafka start() {
    return start(null, null, false);
  }

  /**
   * The same with a second listener, SASL_SSL with SCRAM-SHA-512 and the broker certificate of the
   * PKCS12 {@code keystore} (see {@link #secureBootstrapServers}, {@link #createScramUser}); the
   * plaintext one stays for administration.
   */
  public static EmbeddedKafka startWithScramOverTls(Path keystore, String password) {
    return start(keystore, password, false);
  }

  /**
   * The same, with Kafka's own authorizer (KRaft's {@code StandardAuthorizer}): on the SASL_SSL
   * listener a user may do only what an ACL allows ({@link #createAcls}); the plaintext listener,
   * the broker's own and the tests' administration, is a super user.
   */
  public static EmbeddedKafka startAuthorizing(Path keystore, String password) {
    return start(keystore, password, true);
  }

  private static EmbeddedKafka start(Path keystore, String keystorePassword, boolean authorize) {
    try {
      Path dir = Files.createTempDirectory("nag-kafka");
      int brokerPort = freePort();
      int controllerPort = freePort();
      int securePort = keystore == null ? -1 : freePort();
      String secure = keystore == null ? "" : ",SASL_SSL://127.0.0.1:" + securePort;
      Properties p = new Properties();
      p.put("node.id", "1");
      p.put("process.roles", "broker,controller");
      p.put(
          "listeners",
          "PLAINTEXT://127.0.0.1:"
              + brokerPort
              + secure
              + ",CONTROLLER://127.0.0.1:"
              + controllerPort);
      p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + secure);
      p.put(
          "listener.security.protocol.map",
          "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"
              + (keystore == null ? "" : ",SASL_SSL:SASL_SSL"));
      if (keystore != null) {
        p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        p.put(
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", keystore.toString());
        p.put("ssl.keystore.password", keystorePassword);
        p.put("ssl.key.password", keystorePassword);
      }
      if (authorize) {
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:ANONYMOUS"); // the plaintext and controller listeners
      }
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
      p.put("log.dirs", dir.toString());
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "1");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "1");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      // room for the job's kafka.transaction-timeout (1 h by default; 15 min is Kafka's default)
      p.put("transaction.max.timeout.ms", Long.toString(Duration.ofHours(2).toMillis()));
      p.put("auto.create.topics.enable", "false");
      KafkaConfig config = KafkaConfig.fromProps(p, false);
      new Formatter()
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(dir.toString()))
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .run();
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      return new EmbeddedKafka(
          dir,
          config,
          server,
          "127.0.0.1:" + brokerPort,
          keystore == null ? null : "127.0.0.1:" + securePort);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Stops the broker, keeping its data and ports (for outage tests); {@link #restart} resumes. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts the stopped broker again on the same ports, with the same data. */
  public synchronized void restart() {
    if (server == null) {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
    }
  }

  /** The SASL_SSL listener (null unless started with {@link #startWithScramOverTls}). */
  public String secureBootstrapServers() {
    return secureBootstrapServers;
  }

  /** An administration client on the plaintext listener (a super user when authorizing). */
  private Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }

  /** Adds ACLs, through the plaintext listener (see {@link #startAuthorizing}). */
  public void createAcls(Collection<AclBinding> acls) {
    try (Admin admin = admin()) {
      admin.createAcls(acls).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot create the ACLs: " + e, e);
    }
  }

  /** Creates (or replaces) a SCRAM-SHA-512 user, through the plaintext listener. */
  public void createScramUser(String user, String password) {
    try (Admin admin = admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
          .all()
          .get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot create SCRAM user " + user + ": " + e, e);
    }
  }

  /** Creates topics (name to partition count); compacted when the name is in {@code compacted}. */
  /** Creates the configured job's topics ({@link JobTopics#toCreate}). */
  public void createTopics(JobTopics topics) {
    createTopics(topics.partitions(), topics.compacted());
  }

  public void createTopics(Map<String, Integer> partitions, List<String> compacted) {
    try (Admin admin = admin()) {
      admin
          .createTopics(
              partitions.entrySet().stream()
                  .map(
                      e -> {
                        NewTopic topic = new NewTopic(e.getKey(), e.getValue(), (short) 1);
                        return compacted.contains(e.getKey())
                            ? topic.configs(Map.of("cleanup.policy", "compact"))
                            : topic;
                      })
                  .toList())
          .all()
          .get();
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot create topics " + partitions.keySet() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    stop();
    TempDirs.deleteTree(dataDir);
  }
}
