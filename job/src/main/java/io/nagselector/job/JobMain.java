package io.nagselector.job;

import io.nagselector.config.ConfigKeys;
import io.nagselector.config.FlinkSettings;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.io.UserInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry class of the job artifact on a Flink cluster (application mode under the Kubernetes
 * operator, {@code flink run}, the REST API): {@code --job-config /absolute/path.yaml}. It builds
 * the job and submits it to the cluster it runs in, then returns. It never exits the JVM, never
 * reads the working directory and loads no native code: a job that cannot start throws, with one
 * message naming the setting, and Flink fails the application with it.
 */
public final class JobMain {
  private static final Logger LOG = LoggerFactory.getLogger(JobMain.class);
  public static final String CONFIG_OPTION = "--job-config";
  static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(30);

  private JobMain() {}

  public static void main(String[] args) throws Exception {
    JobConfig c = JobConfig.load(configPath(args), System.getenv());
    checkModelPath(c.get(ConfigKeys.MODEL_PATH).trim());
    KafkaClientConfig.checkConnection(c, KAFKA_CHECK_TIMEOUT);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration effective = configureDefaults(env, c);
    FlinkSettings.checkTransactionTimeout(c.get(ConfigKeys.KAFKA_TRANSACTION_TIMEOUT), effective);
    SelectorApp.assemble(env, c, SelectorApp.fingerprint(c));
    env.execute("nag-selector");
  }

  /**
   * Fills in the job config's Flink settings where the cluster's configuration says nothing; the
   * cluster's win. Returns the configuration the job will run with.
   */
  static Configuration configureDefaults(StreamExecutionEnvironment env, JobConfig c) {
    Configuration defaults = FlinkSettings.defaults(c);
    Map<String, String> cluster = env.getConfiguration().toMap();
    Configuration missing = FlinkSettings.missingFrom(env.getConfiguration(), defaults);
    for (Map.Entry<String, String> e : defaults.toMap().entrySet()) {
      if (missing.containsKey(e.getKey())) {
        LOG.info(
            "{}: {} (from the job config; the cluster does not set it)", e.getKey(), e.getValue());
      } else {
        LOG.info(
            "{}: {} (the cluster's; the job config's {} is not used)",
            e.getKey(),
            cluster.get(e.getKey()),
            e.getValue());
      }
    }
    env.configure(missing);
    Configuration effective = Configuration.fromMap(cluster);
    effective.addAll(missing);
    return effective;
  }

  /**
   * {@code --job-config FILE}, an absolute path: nothing here may depend on the working directory.
   * (Not {@code --config}: Flink's entry points would take it for an abbreviation of their own
   * {@code --configDir}.)
   */
  public static Path configPath(String[] args) {
    if (args.length != 2 || !args[0].equals(CONFIG_OPTION)) {
      throw new UserInputException(
          "usage: "
              + JobMain.class.getName()
              + " "
              + CONFIG_OPTION
              + " /absolute/path/to/config.yaml (got "
              + Arrays.toString(args)
              + ")");
    }
    Path path = Path.of(args[1]);
    if (!path.isAbsolute()) {
      throw new UserInputException(
          CONFIG_OPTION
              + " must be an absolute path (a JobManager's working directory is not defined),"
              + " got '"
              + args[1]
              + "'");
    }
    return path;
  }

  private static void checkModelPath(String model) {
    if (!model.equals("default") && !Path.of(model).isAbsolute()) {
      throw new UserInputException(
          "config: model.path must be 'default' or an absolute directory on a cluster (a"
              + " TaskManager's working directory is not defined), got '"
              + model
              + "'");
    }
  }
}
