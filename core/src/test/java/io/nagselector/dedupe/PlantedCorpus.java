package io.nagselector.dedupe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A corpus with planted near-duplicates: 450 documents made of the demo's sentences (so unrelated
 * documents share sentences, at every Jaccard similarity up to about 0.5); for every third, a
 * near-duplicate (word edits, boilerplate added or removed, paragraphs reordered) and a hard
 * negative (another document rewritten to between about 0.5 and 0.7); all in a random order.
 */
public final class PlantedCorpus {
  private static final String[] BOILERPLATE = {
    "Subscribe to our newsletter for the latest updates and offers delivered to your inbox every week",
    "Cookies help us deliver our services by using our services you agree to our use of cookies",
    "Home About Contact Privacy Policy Terms of Service Sitemap Careers Press Help Center",
    "Share this article on Facebook Twitter LinkedIn and email it to a friend who might enjoy it"
  };

  /** A document, and how it was made: original, edited, boilerplate, reordered or rewritten. */
  public record Doc(String id, String text, String kind) {}

  /** How many documents are originals, the rest planted. */
  public static final int ORIGINALS = 450;

  private PlantedCorpus() {}

  public static List<Doc> generate(long seed) throws IOException {
    Random rnd = new Random(seed);
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

    Collections.shuffle(docs, rnd);
    return docs;
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
  public static double jaccard(long[] a, long[] b) {
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
