package io.nagselector.cluster;

import io.nagselector.testutils.Await;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A ZooKeeper server in its own JVM, for JobManager high availability: the ZooKeeper that Flink's
 * distribution ships for its own quorum script (flink-shaded-zookeeper-3 in Flink's lib), so that
 * server and Flink's client are the same release, and nothing is installed.
 */
public final class ZooKeeperServer implements AutoCloseable {
  private static final String MAIN =
      "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.server.ZooKeeperServerMain";

  private final Process process;
  private final int port;

  private ZooKeeperServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a standalone server on a free port with its data under {@code dir}; ready on return. */
  public static ZooKeeperServer start(Path flinkLib, Path dir) throws IOException {
    int port = LocalFlinkCluster.freePort();
    Files.createDirectories(dir.resolve("data"));
    Path config =
        Files.writeString(
            dir.resolve("zoo.cfg"),
            String.join(
                "\n",
                "tickTime=500",
                "dataDir=" + dir.resolve("data").toAbsolutePath(),
                "clientPortAddress=127.0.0.1",
                "clientPort=" + port,
                "admin.enableServer=false",
                ""));
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    flinkLib.toAbsolutePath() + "/*",
                    MAIN,
                    config.toAbsolutePath().toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("zookeeper.log").toFile())
            .start();
    ZooKeeperServer server = new ZooKeeperServer(p, port);
    Await.until(
        "ZooKeeper listening on 127.0.0.1:" + port,
        Duration.ofSeconds(60),
        () -> {
          if (!p.isAlive()) {
            throw new IllegalStateException(
                "ZooKeeper exited: " + Files.readString(dir.resolve("zookeeper.log")));
          }
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
          } catch (IOException notYet) {
            return false;
          }
        });
    return server;
  }

  /** {@code high-availability.zookeeper.quorum}. */
  public String quorum() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
