package io.nagselector.testutils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The integration tests' logs (Flink's, the broker's, the job's): each test class writes its own
 * file, {@code target/it-logs/<class>.log}, and a failed test prints the last lines of it, so that
 * a failure in CI shows what the job did. Registered for every integration test by failsafe
 * (JUnit's extension autodetection, src/test/resources/META-INF/services); the levels are in
 * src/test/resources/log4j2-it.properties.
 */
public final class TestLogs implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  static final Path DIR = Path.of("target", "it-logs");
  private static final int TAIL_LINES = 200;
  private static final String APPENDER = "test-class-log";

  @Override
  public void beforeAll(ExtensionContext context) {
    loggers()
        .ifPresent(
            loggers -> {
              Configuration config = loggers.getConfiguration();
              FileAppender file =
                  FileAppender.newBuilder()
                      .setName(APPENDER)
                      .withFileName(file(context).toString())
                      .withAppend(false)
                      .setLayout(
                          PatternLayout.newBuilder()
                              .withPattern("%d{HH:mm:ss.SSS} %-5level [%t] %logger{1.} - %msg%n")
                              .build())
                      .setConfiguration(config)
                      .build();
              file.start();
              config.addAppender(file);
              config.getRootLogger().addAppender(file, Level.ALL, null);
              loggers.updateLoggers();
            });
  }

  @Override
  public void afterAll(ExtensionContext context) {
    loggers()
        .ifPresent(
            loggers -> {
              Configuration config = loggers.getConfiguration();
              config.getRootLogger().removeAppender(APPENDER);
              var file = config.getAppenders().get(APPENDER);
              loggers.updateLoggers();
              if (file != null) {
                file.stop();
              }
            });
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Path log = file(context);
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%n----- %s failed; the last %d lines of %s -----%n",
            context.getDisplayName(), TAIL_LINES, log));
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      lines
          .subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())
          .forEach(l -> out.append(l).append('\n'));
    } catch (IOException e) {
      out.append("(no log: ").append(e).append(")\n");
    }
    out.append(String.format("----- end of %s -----%n", log));
    System.out.print(out);
  }

  private static Path file(ExtensionContext context) {
    return DIR.resolve(context.getRequiredTestClass().getSimpleName() + ".log").toAbsolutePath();
  }

  /** Log4j's context, when Log4j is what the tests log to (failsafe's setting), else empty. */
  private static Optional<LoggerContext> loggers() {
    return LogManager.getContext(false) instanceof LoggerContext core
        ? Optional.of(core)
        : Optional.empty();
  }
}
