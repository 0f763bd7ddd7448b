package io.nagselector.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.nagselector.io.UserInputException;
import org.junit.jupiter.api.Test;

/** The device and compute-type settings; the build's libtorch is the CPU one, so no GPU is seen. */
class ComputeTest extends EngineTest {

  @Test
  void aGpuIsRefusedUpFrontWhenTheLoadedLibtorchSeesNone() {
    assertThat(Compute.device("cpu", "--device")).isEqualTo(Device.cpu());
    assertThatThrownBy(() -> Compute.device("gpu", "model.device"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("model.device gpu: no CUDA device visible to PyTorch");
    assertThatThrownBy(() -> Compute.device("cuda", "--device"))
        .hasMessage("--device must be cpu or gpu, got 'cuda'");
  }

  @Test
  void fp32AndFp16RunAndBf16IsRefusedWithTheReason() {
    assertThat(Compute.dtypeName(null, "--dtype")).isEqualTo("fp32");
    assertThat(Compute.dtypeName("auto", "--dtype")).isEqualTo("fp32");
    assertThat(Compute.dtypeName("fp32", "--dtype")).isEqualTo("fp32");
    assertThatThrownBy(() -> Compute.dtypeName("bf16", "--dtype"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("DJL 0.36's PyTorch JNI has no bfloat16")
        .hasMessageContaining("use fp16 or fp32");
    assertThat(Compute.dtypeName("fp16", "--dtype")).isEqualTo("fp16");
    assertThat(Compute.dtype("fp16")).isEqualTo(DataType.FLOAT16);
    assertThat(Compute.dtype("fp32")).isEqualTo(DataType.FLOAT32);
    assertThatThrownBy(() -> Compute.dtypeName("fp8", "--dtype"))
        .hasMessage("--dtype must be fp32, fp16 or auto, got 'fp8'");
  }
}
