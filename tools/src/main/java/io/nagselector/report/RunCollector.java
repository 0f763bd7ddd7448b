package io.nagselector.report;

import io.nagselector.avro.DeadLetter;
import io.nagselector.avro.DocumentFeature;
import io.nagselector.avro.DuplicateDocument;
import io.nagselector.avro.SelectedDocument;
import io.nagselector.avro.TargetState;
import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.config.ConfigKeys;
import io.nagselector.config.JobConfig;
import io.nagselector.config.KafkaClientConfig;
import io.nagselector.control.TargetRegistry;
import io.nagselector.io.RecordFormat;
import io.nagselector.kafka.TopicReader;
import io.nagselector.nag.NagFeature;
import io.nagselector.nag.Similarity;
import io.nagselector.nag.TargetProfile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads a job's output topics (targets, top-k, selected, dead letters and, when configured,
 * duplicates and features) into {@link RunData}: every document's similarity is computed from the
 * features topic against each target's current profile, rebuilt from the targets topic.
 */
public final class RunCollector {
  private static final int SNIPPET = 160;

  private RunCollector() {}

  public static RunData collect(JobConfig c) throws Exception {
    Properties servers = KafkaClientConfig.of(c);
    Map<String, TargetState> states = new TreeMap<>();
    TopicReader.readAll(
        servers,
        c.get(ConfigKeys.KAFKA_TOPICS_TARGETS),
        r -> {
          TargetState s = RecordFormat.decode(r.value(), TargetState.class);
          states.put(s.getName(), s);
        });
    states.values().removeIf(TargetState::getRemoved);
    Map<String, TopKSnapshot> topK = new HashMap<>();
    TopicReader.readAll(
        servers,
        c.get(ConfigKeys.KAFKA_TOPICS_TOP_K),
        r -> {
          if (r.key() != null) {
            topK.put(
                new String(r.key(), StandardCharsets.UTF_8),
                RecordFormat.decode(r.value(), TopKSnapshot.class));
          }
        });
    List<RunData.Selected> selected = new ArrayList<>();
    Map<String, String> texts = new HashMap<>();
    Map<String, String> sources = new HashMap<>();
    TopicReader.readAll(
        servers,
        c.get(ConfigKeys.KAFKA_TOPICS_SELECTED),
        r -> {
          SelectedDocument s = RecordFormat.decode(r.value(), SelectedDocument.class);
          texts.put(s.getId(), s.getText());
          sources.put(s.getId(), s.getSource());
          selected.add(
              new RunData.Selected(
                  s.getTarget(),
                  s.getTargetVersion(),
                  s.getId(),
                  s.getSource(),
                  s.getSimilarity(),
                  s.getThreshold(),
                  s.getSelectedAt().toEpochMilli(),
                  s.getLayerContributions(),
                  snippet(s.getText()),
                  s.getBackfill()));
        });
    List<RunData.DeadLetterRow> dead = new ArrayList<>();
    TopicReader.readAll(
        servers,
        c.get(ConfigKeys.KAFKA_TOPICS_DEAD_LETTER),
        r -> {
          DeadLetter d = RecordFormat.decode(r.value(), DeadLetter.class);
          dead.add(
              new RunData.DeadLetterRow(
                  d.getReason().name(), d.getSourceTopic(), d.getDocId(), d.getMessage()));
        });
    List<RunData.DuplicateRow> duplicates = new ArrayList<>();
    String duplicatesTopic = c.get(ConfigKeys.KAFKA_TOPICS_DUPLICATES);
    if (!duplicatesTopic.isBlank()) {
      TopicReader.readAll(
          servers,
          duplicatesTopic,
          r -> {
            DuplicateDocument d = RecordFormat.decode(r.value(), DuplicateDocument.class);
            duplicates.add(
                new RunData.DuplicateRow(
                    d.getKind().name(),
                    d.getDocument().getId(),
                    d.getDocument().getSource(),
                    d.getDuplicateOf(),
                    d.getJaccard()));
          });
    }
    List<RunData.Score> scores = scores(c, states, sources);
    List<RunData.Target> targets = new ArrayList<>();
    for (TargetState s : states.values()) {
      TopKSnapshot t = topK.get(s.getName());
      boolean current = t != null && t.getTargetVersion() == s.getVersion();
      List<RunData.TopEntry> entries = new ArrayList<>();
      if (current) {
        for (TopKEntry e : t.getEntries()) {
          entries.add(
              new RunData.TopEntry(
                  e.getDocId(),
                  e.getSimilarity(),
                  sources.get(e.getDocId()),
                  snippet(texts.getOrDefault(e.getDocId(), ""))));
        }
      }
      targets.add(
          new RunData.Target(
              s.getName(),
              s.getVersion(),
              s.getPolicy(),
              s.getPolicyValue(),
              current ? t.getThreshold() : null,
              current ? t.getAccepted() : 0,
              s.getNumLayers(),
              entries));
    }
    return new RunData(targets, scores, selected, dead, duplicates);
  }

  /** Every feature record scored against every target of the same model. */
  private static List<RunData.Score> scores(
      JobConfig c, Map<String, TargetState> states, Map<String, String> sources) throws Exception {
    List<RunData.Score> scores = new ArrayList<>();
    String topic = c.get(ConfigKeys.KAFKA_TOPICS_FEATURES);
    if (topic.isBlank() || states.isEmpty()) {
      return scores;
    }
    Map<String, TargetProfile> profiles = new TreeMap<>();
    states.forEach((name, s) -> profiles.put(name, TargetRegistry.profile(s)));
    TopicReader.readAll(
        KafkaClientConfig.of(c),
        topic,
        r -> {
          DocumentFeature f = RecordFormat.decode(r.value(), DocumentFeature.class);
          int[] indices = f.getFeature().stream().mapToInt(Integer::intValue).toArray();
          String source = f.getSource() != null ? f.getSource() : sources.get(f.getId());
          for (Map.Entry<String, TargetProfile> e : profiles.entrySet()) {
            TargetState s = states.get(e.getKey());
            if (!f.getModelFingerprint().equals(s.getModelFingerprint())
                || indices.length != s.getNumLayers() * s.getFeatureK()) {
              continue;
            }
            NagFeature feature =
                NagFeature.of(f.getId(), s.getNumLayers(), s.getFeatureK(), 0, indices);
            scores.add(
                new RunData.Score(
                    e.getKey(), f.getId(), source, Similarity.similarity(feature, e.getValue())));
          }
        });
    return scores;
  }

  static String snippet(String text) {
    if (text == null) {
      return "";
    }
    String flat = text.replaceAll("\\s+", " ").strip();
    return flat.length() <= SNIPPET ? flat : flat.substring(0, SNIPPET - 1) + "…";
  }
}
