package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.testutils.Await;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;

/**
 * An S3-compatible server on 127.0.0.1 (s3rver, from the npm registry, run by Node) with one
 * bucket, and Flink's {@code s3://} filesystem pointed at it: the flink-s3-fs-hadoop plugin from
 * target/flink-dist/plugins, loaded in its own classloader as a Flink process loads it.
 */
final class S3Server implements AutoCloseable {
  static final String BUCKET = "bucket";

  /** s3rver's fixed credentials. */
  static final String ACCESS_KEY = "S3RVER";

  static final String SECRET_KEY = "S3RVER";
  private static final File TOOL = new File("tools/src/test/node/s3-server");
  private static final File PLUGINS = new File("target/flink-dist/plugins");

  private final Process node;
  private final int port;
  private final File store;

  private S3Server(Process node, int port, File store) {
    this.node = node;
    this.port = port;
    this.store = store;
  }

  /** Starts the server with its objects under {@code store}, and points s3:// at it. */
  static S3Server start(File store) throws Exception {
    assertThat(new File(TOOL, "node_modules/s3rver"))
        .as("s3rver: .ci/run installs it (npm ci --prefix tools/src/test/node/s3-server)")
        .exists();
    assertThat(new File(PLUGINS, "s3-fs-hadoop"))
        .as("the S3 plugin: `./mvnw package` copies it to target/flink-dist/plugins")
        .exists();
    Files.createDirectories(store.toPath());
    File log = new File(store.getParentFile(), store.getName() + ".log");
    Process node =
        new ProcessBuilder(
                "node",
                // s3rver's list continuation tokens use DES, which OpenSSL 3 keeps as legacy
                "--openssl-legacy-provider",
                new File(TOOL, "server.mjs").toString(),
                store.toString(),
                BUCKET)
            .redirectErrorStream(true)
            .redirectOutput(log)
            .start();
    String line;
    try {
      line =
          Await.value(
              "s3rver to print its port",
              Duration.ofSeconds(30),
              () -> {
                String first = Files.readString(log.toPath()).lines().findFirst().orElse("");
                if (!first.startsWith("PORT ") && !node.isAlive()) {
                  throw new AssertionError("s3rver exited");
                }
                return first.startsWith("PORT ") ? first : null;
              });
    } catch (AssertionError e) {
      node.destroyForcibly();
      throw new IllegalStateException(
          "s3rver did not start (" + e.getMessage() + "): " + Files.readString(log.toPath()));
    }
    S3Server server = new S3Server(node, Integer.parseInt(line.substring(5).trim()), store);
    FileSystem.initialize(server.flinkConfiguration(), plugins());
    return server;
  }

  /**
   * The settings a store other than AWS needs, with no credentials: the endpoint, its region and
   * path style access.
   */
  Map<String, String> endpointConfiguration() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("s3.endpoint", "http://127.0.0.1:" + port);
    conf.put("s3.endpoint.region", "us-east-1");
    conf.put("s3.path.style.access", "true");
    return conf;
  }

  /** The Flink settings a job's processes would carry in their config.yaml for this server. */
  Configuration flinkConfiguration() {
    Configuration conf = Configuration.fromMap(endpointConfiguration());
    conf.setString("s3.access-key", ACCESS_KEY);
    conf.setString("s3.secret-key", SECRET_KEY);
    // no EC2 metadata or profile lookups: there is no network here
    conf.setString(
        "s3.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return conf;
  }

  private static DefaultPluginManager plugins() throws IOException {
    return new DefaultPluginManager(
        new DirectoryBasedPluginFinder(PLUGINS.toPath()).findPlugins(),
        CoreOptions.getPluginParentFirstLoaderPatterns(new Configuration()));
  }

  /**
   * Copies the files of the partition directories {@code root/partition} that exist to {@code
   * local/partition}. (s3rver lists a prefix's sub-folders only near the objects, so the dataset is
   * fetched partition by partition rather than walked from its root.)
   */
  static void download(String root, List<String> partitions, File local) throws IOException {
    for (String partition : partitions) {
      Path dir = new Path(root + "/" + partition);
      FileSystem fs = dir.getFileSystem();
      if (!fs.exists(dir)) {
        continue;
      }
      File to = new File(local, partition);
      Files.createDirectories(to.toPath());
      for (FileStatus f : fs.listStatus(dir)) {
        try (InputStream in = fs.open(f.getPath());
            OutputStream out =
                Files.newOutputStream(new File(to, f.getPath().getName()).toPath())) {
          in.transferTo(out);
        }
      }
    }
  }

  /** Multipart uploads begun and neither completed nor aborted (s3rver keeps one folder each). */
  int openUploads() {
    String[] uploads = new File(store, BUCKET + "/._S3rver_uploads").list();
    return uploads == null ? 0 : uploads.length;
  }

  @Override
  public void close() throws Exception {
    FileSystem.initialize(new Configuration(), null); // s3:// unbound again for the next test
    node.destroy();
    if (!node.waitFor(10, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
  }
}
