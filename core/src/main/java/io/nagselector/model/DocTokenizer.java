package io.nagselector.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The backbone's own tokenizer ({@code tokenizer.json}): no special tokens, truncated to {@code
 * maxLength}. Checked at load against the model's vocabulary size.
 */
public final class DocTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final int vocabSize;
  private final String hash;
  private final Path file;

  private DocTokenizer(HuggingFaceTokenizer tokenizer, int vocabSize, String hash, Path file) {
    this.tokenizer = tokenizer;
    this.vocabSize = vocabSize;
    this.hash = hash;
    this.file = file;
  }

  public static DocTokenizer load(Path file, int vocabSize, int maxLength) {
    if (!Files.exists(file)) {
      throw new ModelException(file + ": tokenizer.json is missing");
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      int largest = largestId(new ObjectMapper().readTree(bytes));
      if (largest >= vocabSize) {
        throw new ModelException(
            file + ": token id " + largest + " does not fit the model's vocab_size " + vocabSize);
      }
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(file)
              .optAddSpecialTokens(false)
              .optTruncation(true)
              .optMaxLength(maxLength)
              .build();
      return new DocTokenizer(tokenizer, vocabSize, Backbones.sha256(bytes), file);
    } catch (IOException e) {
      throw new ModelException(file + ": cannot read the tokenizer: " + e.getMessage(), e);
    }
  }

  private static int largestId(JsonNode root) {
    int largest = -1;
    JsonNode vocab = root.path("model").path("vocab");
    if (vocab.isObject()) {
      for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
        largest = Math.max(largest, id.asInt());
      }
    } else if (vocab.isArray()) {
      largest = vocab.size() - 1;
    }
    for (JsonNode added : root.path("added_tokens")) {
      largest = Math.max(largest, added.path("id").asInt());
    }
    return largest;
  }

  /** The token ids of {@code text}: possibly empty (the caller rejects such documents). */
  public int[] encode(String text) {
    Encoding encoding = tokenizer.encode(text, false, false);
    long[] ids = encoding.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw new ModelException(
            file + ": produced token id " + ids[i] + " outside the vocabulary");
      }
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** A short hash of the tokenizer file, for the model fingerprint. */
  public String hash() {
    return hash;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
