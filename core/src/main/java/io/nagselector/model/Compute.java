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

  /**
   * The compute type: {@code fp32}, or {@code fp16} for half-precision matmuls (the linear layers;
   * the residual stream, norms, attention scores and impacts stay fp32), which reach a GPU's tensor
   * cores. {@code auto} is fp32 on either device. bf16 is refused, because DJL 0.36's PyTorch JNI
   * cannot make a bfloat16 tensor: its dtype table ends at complex64, and for any other type it
   * executes a bare {@code throw;}, which calls std::terminate and kills the JVM (seen on an H200,
   * and on CPU).
   */
  public static String dtypeName(String name, String setting) {
    String resolved = name == null || name.equals("auto") ? "fp32" : name;
    if (resolved.equals("bf16")) {
      throw new UserInputException(
          setting
              + " bf16 is not supported: DJL 0.36's PyTorch JNI has no bfloat16 type, and a"
              + " bf16 tensor aborts the JVM (std::terminate); use fp16 or fp32");
    }
    if (!resolved.equals("fp32") && !resolved.equals("fp16")) {
      throw new UserInputException(setting + " must be fp32, fp16 or auto, got '" + name + "'");
    }
    return resolved;
  }

  /** The matmul type of a resolved name. */
  public static DataType dtype(String resolvedName) {
    return resolvedName.equals("fp16") ? DataType.FLOAT16 : DataType.FLOAT32;
  }
}
