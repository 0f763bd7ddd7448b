package io.nagselector.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import io.nagselector.io.UserInputException;

/**
 * Where and in which precision the forwards run, from a setting's text ({@code --device} or {@code
 * model.device}, ...); errors name the setting.
 */
public final class Compute {
  private Compute() {}

  /** cpu, or gpu when a CUDA device is visible to the loaded libtorch. */
  public static Device device(String name, String setting) {
    return switch (name) {
      case "cpu" -> Device.cpu();
      case "gpu" -> {
        if (Engine.getEngine("PyTorch").getGpuCount() == 0) {
          throw new UserInputException(
              setting
                  + " gpu: no CUDA device visible to PyTorch (the CPU libtorch is loaded, or no"
                  + " GPU)");
        }
        yield Device.gpu();
      }
      default -> throw new UserInputException(setting + " must be cpu or gpu, got '" + name + "'");
    };
  }

  /** The compute type: fp32 or bf16; {@code auto} is bf16 on a GPU, fp32 on the CPU. */
  public static String dtypeName(String name, boolean gpu, String setting) {
    String resolved = name == null || name.equals("auto") ? (gpu ? "bf16" : "fp32") : name;
    if (!resolved.equals("fp32") && !resolved.equals("bf16")) {
      throw new UserInputException(setting + " must be fp32, bf16 or auto, got '" + name + "'");
    }
    if (resolved.equals("bf16") && !gpu) {
      throw new UserInputException(
          setting
              + " bf16 is supported on the GPU only: on CPU the bundled libtorch 2.7.1 aborts the"
              + " process in some bf16 kernels (seen on this project's machines), and the default"
              + " model ran no faster in bf16");
    }
    return resolved;
  }

  public static DataType dtype(String resolvedName) {
    return resolvedName.equals("bf16") ? DataType.BFLOAT16 : DataType.FLOAT32;
  }
}
