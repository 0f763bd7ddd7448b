package io.nagselector.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.demo.DomainCorpus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The near-duplicate rule against the truth: a corpus of documents made of the demo's sentences (so
 * unrelated documents share sentences, at every Jaccard similarity up to about 0.5), a third of
 * them planted again as near-duplicates (word edits, boilerplate added or removed, paragraphs
 * reordered); the exact Jaccard of every pair of shingle sets by brute force; the rule (defaults:
 * 5-word shingles, 20 x 8 bands, threshold 0.8) over the stream in a random order.
 */
class NearDuplicateQualityTest {
  private static final String[] BOILERPLATE = {
    "Subscribe to our newsletter for the latest updates and offers delivered to your inbox every week",
    "Cookies help us deliver our services by using our services you agree to our use of cookies",
    "Home About Contact Privacy Policy Terms of Service Sitemap Careers Press Help Center",
    "Share this article on Facebook Twitter LinkedIn and email it to a friend who might enjoy it"
  };

  private record Doc(String id, String text, String kind) {}

  @Test
  void catchesPlantedNearDuplicatesAndLeavesUnrelatedDocumentsAlone() throws Exception {
    Random rnd = new Random(18);
    List<String> sentences = new ArrayList<>();
    DomainCorpus.sentences(Path.of("examples/demo/corpus.jsonl"))
        .values()
        .forEach(sentences::addAll);
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < 450; i++) {
      List<String> paragraphs = new ArrayList<>();
      for (int p = 0, n = 2 + rnd.nextInt(3); p < n; p++) {
        StringBuilder paragraph = new StringBuilder();
        for (int s = 0, m = 3 + rnd.nextInt(4); s < m; s++) {
          paragraph.append(sentences.get(rnd.nextInt(sentences.size()))).append(' ');
        }
        paragraphs.add(paragraph.toString().trim());
      }
      docs.add(new Doc("doc-" + i, String.join("\n\n", paragraphs), "original"));
    }
    int originals = docs.size();
    for (int i = 0; i < originals; i += 3) {
      Doc base = docs.get(i);
      String kind = List.of("edited", "boilerplate", "reordered").get((i / 3) % 3);
      docs.add(new Doc(base.id() + "-" + kind, plant(base.text(), kind, rnd), kind));
      // and a hard negative: the same document rewritten enough to fall below 0.7
      Doc other = docs.get(i + 1);
      docs.add(
          new Doc(other.id() + "-rewritten", plant(other.text(), "rewritten", rnd), "rewritten"));
    }

    NearDuplicates rule = NearDuplicates.defaults();
    Map<String, long[]> sets = new HashMap<>();
    for (Doc d : docs) {
      sets.put(d.id(), rule.shingles().of(d.text()));
    }
    Collections.shuffle(docs, rnd);
    NearDuplicateIndex index = new NearDuplicateIndex(NearDuplicates.THRESHOLD);
    Map<String, String> duplicateOf = new HashMap<>();
    for (Doc d : docs) {
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
        double jaccard = jaccard(sets.get(first), sets.get(later));
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

  /** A near-duplicate of {@code text}, by the given kind of change. */
  private static String plant(String text, String kind, Random rnd) {
    return switch (kind) {
      case "edited" -> {
        String[] words = text.split(" ");
        for (int e = 0, n = Math.max(1, words.length / 50); e < n; e++) {
          words[rnd.nextInt(words.length)] = "edited" + rnd.nextInt(1000);
        }
        yield String.join(" ", words);
      }
      case "rewritten" -> {
        // 4-8 % of the words replaced: a share (1 - rate)^5 of the 5-word shingles survives, which
        // puts the pair's Jaccard between about 0.5 and 0.7
        String[] words = text.split(" ");
        double rate = 0.04 + 0.04 * rnd.nextDouble();
        for (int e = 0, n = Math.max(1, (int) (words.length * rate)); e < n; e++) {
          words[rnd.nextInt(words.length)] = "rewritten" + rnd.nextInt(1000);
        }
        yield String.join(" ", words);
      }
      case "boilerplate" ->
          rnd.nextBoolean()
              ? BOILERPLATE[rnd.nextInt(BOILERPLATE.length)] + "\n\n" + text
              : text + "\n\n" + BOILERPLATE[rnd.nextInt(BOILERPLATE.length)];
      default -> {
        List<String> paragraphs = new ArrayList<>(List.of(text.split("\n\n")));
        Collections.rotate(paragraphs, 1);
        yield String.join("\n\n", paragraphs);
      }
    };
  }

  /** |A ∩ B| / |A ∪ B| of two sorted sets of distinct hashes. */
  static double jaccard(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    int union = a.length + b.length - common;
    return union == 0 ? 1 : (double) common / union;
  }
}
