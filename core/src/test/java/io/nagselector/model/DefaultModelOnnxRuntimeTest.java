package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our MiniLM forward's final hidden states equal ONNX Runtime's on the same .onnx file. */
class DefaultModelOnnxRuntimeTest {

  @Test
  void finalHiddenStatesMatchOnnxRuntime() throws Exception {
    byte[] onnx;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(DefaultModel.ONNX)) {
      onnx = in.readAllBytes();
    }
    int[][] docs = {
      {101, 7592, 2088, 102},
      {101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102},
      {6038, 2100}
    };
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (NDManager root = Backbones.newManager(Device.cpu());
        OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions());
        BertModel ours =
            BertModel.load(
                DefaultModel.CONFIG,
                new Weights(
                    root.newSubManager(), new OnnxWeights(onnx, "test"), DataType.FLOAT32))) {
      for (int[] doc : docs) {
        long[][] ids = new long[1][doc.length];
        long[][] mask = new long[1][doc.length];
        long[][] types = new long[1][doc.length];
        for (int t = 0; t < doc.length; t++) {
          ids[0][t] = doc[t];
          mask[0][t] = 1;
        }
        float[][][] expected;
        try (OnnxTensor a = OnnxTensor.createTensor(env, ids);
            OnnxTensor b = OnnxTensor.createTensor(env, mask);
            OnnxTensor c = OnnxTensor.createTensor(env, types);
            OrtSession.Result result =
                session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
          expected = (float[][][]) result.get(0).getValue();
        }
        float[] actual;
        try (NDManager batch = root.newSubManager()) {
          actual = ours.hiddenStates(batch, new int[][] {doc}, doc.length).toFloatArray();
        }
        for (int t = 0; t < doc.length; t++) {
          for (int i = 0; i < 384; i++) {
            assertThat(actual[t * 384 + i])
                .as("token %d dim %d", t, i)
                .isCloseTo(expected[0][t][i], within(1e-4f));
          }
        }
      }
    }
  }
}
