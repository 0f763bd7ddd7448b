package io.nagselector.ingest.gate;

import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The crawl source of a job that may have to replay its control topic first. A start without state
 * over a control topic that held commands reads no crawl document until the job has committed its
 * {@link io.nagselector.control.ReplayAnnouncement} to the control-events topic: the backlog waits
 * in Kafka, by back-pressure, not in the job. A restored job does not replay, so its gate stays as
 * its state says (open once opened; a state from a build without the gate is open).
 */
public final class ReplayGatedSource<T>
    implements Source<T, KafkaPartitionSplit, GateState>, ResultTypeQueryable<T> {
  private static final long serialVersionUID = 1L;

  private final KafkaSource<T> kafka;
  private final Properties client;
  private final String eventsTopic;
  private final boolean replays;

  /**
   * @param replays whether a start without state has commands to replay (the control topic held
   *     records when the job was built); if not, the gate opens at once
   */
  public ReplayGatedSource(
      KafkaSource<T> kafka, Properties client, String eventsTopic, boolean replays) {
    this.kafka = kafka;
    this.client = client;
    this.eventsTopic = eventsTopic;
    this.replays = replays;
  }

  @Override
  public Boundedness getBoundedness() {
    return kafka.getBoundedness();
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, GateState> createEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context) {
    // read before any task runs, so before the announcement can be written
    Map<Integer, Long> from = replays ? AnnouncementWatch.end(client, eventsTopic) : Map.of();
    return enumerator(context, kafka.createEnumerator(context), !replays, from);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, GateState> restoreEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context, GateState state) throws Exception {
    return enumerator(
        context, kafka.restoreEnumerator(context, state.kafka()), state.open(), state.from());
  }

  private SplitEnumerator<KafkaPartitionSplit, GateState> enumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context,
      SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> inner,
      boolean open,
      Map<Integer, Long> from) {
    return new GatedEnumerator(
        inner, context, open, from, new AnnouncementWatch(client, eventsTopic, from));
  }

  @Override
  public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
    return kafka.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<GateState> getEnumeratorCheckpointSerializer() {
    return new GateStateSerializer(kafka.getEnumeratorCheckpointSerializer());
  }

  @Override
  public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context)
      throws Exception {
    GatedReader<T> reader = new GatedReader<>(kafka.createReader(context));
    context.metricGroup().gauge("heldForControlReplay", () -> reader.open() ? 0 : 1);
    return reader;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return kafka.getProducedType();
  }
}
