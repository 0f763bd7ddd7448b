package io.nagselector.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.nagselector.avro.CrawlDocument;
import io.nagselector.avro.DeadLetterReason;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DocumentValidatorTest {
  private final DocumentValidator validator = new DocumentValidator(1000);

  private static CrawlDocument doc(String id, String text) {
    return CrawlDocument.newBuilder().setId(id).setText(text).build();
  }

  private Optional<DeadLetterReason> reason(String id, String text) {
    return validator.check(doc(id, text)).map(DocumentValidator.Rejection::reason);
  }

  @Test
  void acceptsOrdinaryTextInAnyScript() {
    assertThat(reason("a", "Ice floats because it is less dense than water.")).isEmpty();
    assertThat(reason("b", "שלום עולם — مرحبا بالعالم — 你好 😀\ttab\nline")).isEmpty();
  }

  @Test
  void rejectsEachKindOfBadDocumentWithItsReason() {
    assertThat(reason(null, "text")).contains(DeadLetterReason.MISSING_ID);
    assertThat(reason("  ", "text")).contains(DeadLetterReason.MISSING_ID);
    assertThat(reason("a", null)).contains(DeadLetterReason.EMPTY_TEXT);
    assertThat(reason("a", " \n\t ")).contains(DeadLetterReason.EMPTY_TEXT);
    assertThat(reason("a", "x".repeat(1001))).contains(DeadLetterReason.TEXT_TOO_LARGE);
    assertThat(reason("a", "é".repeat(600))).contains(DeadLetterReason.TEXT_TOO_LARGE);
    assertThat(reason("a", "broken \uFFFD bytes")).contains(DeadLetterReason.INVALID_UTF8);
    assertThat(reason("a", "lone \uD800 surrogate")).contains(DeadLetterReason.INVALID_UTF8);
    assertThat(reason("a", "nul\u0000byte")).contains(DeadLetterReason.BINARY_CONTENT);
    assertThat(reason("a", "ab\u0001\u0002\u0003cdefgh")).contains(DeadLetterReason.BINARY_CONTENT);
  }

  @Test
  void dedupeKeyIgnoresWhitespaceLayoutAndUnicodeComposition() {
    String composed = "caf\u00e9  au\nlait ";
    String decomposed = " cafe\u0301 au lait";
    assertThat(DocumentValidator.dedupeKey(composed))
        .isEqualTo(DocumentValidator.dedupeKey(decomposed))
        .hasSize(64);
    assertThat(DocumentValidator.dedupeKey("cafe au lait"))
        .isNotEqualTo(DocumentValidator.dedupeKey(composed));
  }
}
