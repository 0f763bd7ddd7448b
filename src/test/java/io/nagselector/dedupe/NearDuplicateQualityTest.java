package io.nagselector.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The near-duplicate rule against the truth: a corpus of documents made of the demo's sentences (so
 * unrelated documents share sentences, at every Jaccard similarity up to about 0.5), a third of
 * them planted again as near-duplicates (word edits, boilerplate added or removed, paragraphs
 * reordered); the exact Jaccard of every pair of shingle sets by brute force; the rule (defaults:
 * 5-word shingles, 20 x 8 bands, threshold 0.8) over the stream in a random order.
 */
class NearDuplicateQualityTest {
  @Test
  void catchesPlantedNearDuplicatesAndLeavesUnrelatedDocumentsAlone() throws Exception {
    List<PlantedCorpus.Doc> docs = PlantedCorpus.generate(18);
    int originals = PlantedCorpus.ORIGINALS;
    NearDuplicates rule = NearDuplicates.defaults();
    Map<String, long[]> sets = new HashMap<>();
    for (PlantedCorpus.Doc d : docs) {
      sets.put(d.id(), rule.shingles().of(d.text()));
    }
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    Map<String, String> duplicateOf = new HashMap<>();
    for (PlantedCorpus.Doc d : docs) {
      Optional<NearDuplicateIndex.Match> match = index.offer(d.id(), rule.fingerprint(d.text()));
      match.ifPresent(m -> duplicateOf.put(d.id(), m.firstId()));
    }

    // every pair, in stream order: the exact Jaccard, and what the rule did with the later one
    int high = 0;
    int highCaught = 0;
    int low = 0;
    int lowFlagged = 0;
    int hardNegatives = 0;
    int hardNegativesFlagged = 0;
    int middle = 0;
    for (int a = 0; a < docs.size(); a++) {
      for (int b = a + 1; b < docs.size(); b++) {
        String first = docs.get(a).id();
        String later = docs.get(b).id();
        double jaccard = PlantedCorpus.jaccard(sets.get(first), sets.get(later));
        if (jaccard >= 0.85) {
          high++;
          highCaught += duplicateOf.containsKey(later) ? 1 : 0;
        } else if (jaccard < 0.7) {
          low++;
          boolean flagged = first.equals(duplicateOf.get(later));
          lowFlagged += flagged ? 1 : 0;
          if (jaccard >= 0.5) {
            hardNegatives++;
            hardNegativesFlagged += flagged ? 1 : 0;
          }
        } else {
          middle++;
        }
      }
    }
    double recall = (double) highCaught / high;
    double falseShare = (double) lowFlagged / low;
    System.out.printf(
        "near-duplicates over %d documents (%d planted), %d pairs: J >= 0.85: %d pairs, recall %.4f;"
            + " J < 0.7: %d pairs, %d flagged (%.5f), of them 0.5 <= J < 0.7: %d pairs, %d flagged;"
            + " 0.7 <= J < 0.85: %d pairs%n",
        docs.size(),
        docs.size() - originals,
        high + low + middle,
        high,
        recall,
        low,
        lowFlagged,
        falseShare,
        hardNegatives,
        hardNegativesFlagged,
        middle);
    assertThat(high).as("planted pairs").isGreaterThanOrEqualTo(100);
    assertThat(recall).isGreaterThanOrEqualTo(0.95);
    assertThat(falseShare).isLessThanOrEqualTo(0.01);
    assertThat(hardNegatives).as("rewritten pairs between 0.5 and 0.7").isGreaterThanOrEqualTo(50);
    assertThat((double) hardNegativesFlagged / hardNegatives).isLessThanOrEqualTo(0.01);
  }
}
