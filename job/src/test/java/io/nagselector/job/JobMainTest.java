package io.nagselector.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nagselector.config.JobConfig;
import io.nagselector.io.UserInputException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

class JobMainTest {
  @Test
  void theConfigFileIsAnAbsolutePath() {
    assertThat(JobMain.configPath(new String[] {"--job-config", "/opt/nag/config/cluster.yaml"}))
        .isEqualTo(Path.of("/opt/nag/config/cluster.yaml"));
    assertThatThrownBy(() -> JobMain.configPath(new String[] {"--job-config", "config/local.yaml"}))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "--job-config must be an absolute path (a JobManager's working directory is not"
                + " defined), got 'config/local.yaml'");
    assertThatThrownBy(() -> JobMain.configPath(new String[] {"run", "--config", "/c.yaml"}))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "usage: io.nagselector.job.JobMain --job-config /absolute/path/to/config.yaml"
                + " (got [run, --config, /c.yaml])");
  }

  @Test
  void theClustersCheckpointSettingsWinOverTheJobConfigs() {
    Configuration cluster = new Configuration();
    cluster.setString("execution.checkpointing.interval", "2 s");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster);
    JobConfig c = JobConfig.load(Path.of("config/local.yaml"), Map.of());

    Configuration effective = JobMain.configureDefaults(env, c);

    assertThat(env.getCheckpointInterval()).isEqualTo(2000);
    assertThat(effective.toMap())
        .containsEntry("execution.checkpointing.interval", "2 s")
        .containsEntry("execution.checkpointing.dir", "file:///tmp/nag-selector/checkpoints")
        .containsEntry("state.backend.type", "rocksdb");
  }
}
