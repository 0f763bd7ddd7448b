package io.nagselector.select;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.TopKEntry;
import io.nagselector.avro.TopKSnapshot;
import io.nagselector.nag.RunningTopK;
import io.nagselector.pipeline.ShardTopK;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TopKMergeTest {
  private static RunningTopK.Entry e(String id, double sim) {
    return new RunningTopK.Entry(id, sim, 1, null);
  }

  private static RunningTopK.Entry[] entries(RunningTopK.Entry... entries) {
    return entries;
  }

  @Test
  void mergesTheLatestTopKOfEveryShardOfTheNewestVersion() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new TopKMerge(), ShardTopK::target, Types.STRING)) {
      h.processElement(new ShardTopK("t", 1, 2, 0, entries(e("a", 0.9), e("b", 0.5)), 2, 0.4), 0);
      h.processElement(new ShardTopK("t", 1, 2, 1, entries(e("c", 0.7)), 1, Double.NaN), 0);
      h.processElement(new ShardTopK("t", 1, 2, 0, entries(e("a", 0.9), e("d", 0.8)), 3, 0.45), 0);
      h.processElement(new ShardTopK("t", 2, 2, 1, entries(e("x", 0.1)), 0, Double.NaN), 0);
      h.processElement(new ShardTopK("t", 1, 2, 0, entries(e("late", 1.0)), 9, 0.5), 0);
      List<TopKSnapshot> out = h.extractOutputValues();
      assertThat(out).hasSize(4);
      assertThat(out.get(1).getEntries()).extracting(TopKEntry::getDocId).containsExactly("a", "c");
      assertThat(out.get(2).getEntries()).extracting(TopKEntry::getDocId).containsExactly("a", "d");
      assertThat(out.get(3).getTargetVersion()).isEqualTo(2);
      assertThat(out.get(3).getEntries()).extracting(TopKEntry::getDocId).containsExactly("x");
      // accepted sums the shards' latest counts; the threshold is the highest known, if any
      assertThat(out).extracting(TopKSnapshot::getAccepted).containsExactly(2L, 3L, 4L, 0L);
      assertThat(out).extracting(TopKSnapshot::getThreshold).containsExactly(0.4, 0.4, 0.45, null);
    }
  }

  @Test
  void publishesTheTargetsOwnK() throws Exception {
    try (var h =
        ProcessFunctionTestHarnesses.forKeyedProcessFunction(
            new TopKMerge(), ShardTopK::target, Types.STRING)) {
      h.processElement(
          new ShardTopK("t", 1, 3, 0, entries(e("a", 0.9), e("b", 0.5), e("c", 0.4)), 3, 0.3), 0);
      h.processElement(new ShardTopK("t", 1, 3, 1, entries(e("d", 0.7), e("e", 0.6)), 2, 0.3), 0);
      assertThat(h.extractOutputValues().get(1).getEntries())
          .extracting(TopKEntry::getDocId)
          .containsExactly("a", "d", "e");
    }
  }
}
