package dev.sieve.model;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.Utils;
import ai.djl.util.cuda.CudaUtils;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The device Sieve's networks live and train on ({@code --device cpu|gpu|auto}), chosen once per
 * process. Every {@link Network} is created on {@link #current()}, and every trainer trains on its
 * model's device ({@link #of(Model)}), so one choice moves scoring and training together. Until a
 * choice is made, {@link #current()} is DJL's default: the first GPU when libtorch has CUDA and
 * sees one, else the CPU.
 */
public final class ComputeDevice {

  /** What the command line asked for. */
  public enum Request { CPU, GPU, AUTO }

  /**
   * What the loaded engine offers, as far as the choice needs it.
   *
   * @param engine engine name and version, e.g. {@code PyTorch 2.7.1}
   * @param libtorch the directory libtorch was loaded from
   * @param flavor libtorch's flavor ({@code cpu}, {@code cu124}, ...) as DJL was told or found it
   * @param cudaAvailable whether libtorch reports CUDA ({@code torch::cuda::is_available()}: a CUDA
   *     build that found a driver and a GPU)
   * @param visibleGpus GPUs DJL counts through the CUDA runtime ({@code libcudart} loaded with JNA); 0
   *     without a GPU, or when JNA finds no {@code libcudart.so}
   */
  public record EngineFacts(String engine, String libtorch, String flavor, boolean cudaAvailable, int visibleGpus) {

    /** Loads the engine (if not yet loaded) and asks it. */
    public static EngineFacts probe() {
      Engine engine = Engine.getInstance();
      String libtorch = LibUtils.getLibtorchPath();
      return new EngineFacts(engine.getEngineName() + " " + engine.getVersion(), libtorch,
          flavorOf(Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR"), libtorch),
          engine.hasCapability(StandardCapabilities.CUDA), CudaUtils.getGpuCount());
    }

    /** GPUs Sieve can use: those DJL counts, if libtorch has CUDA (DJL's own rule for its GPU devices). */
    public int usableGpus() {
      return cudaAvailable ? visibleGpus : 0;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "engine %s (libtorch %s, flavor %s), libtorch CUDA: %s, GPUs counted: %d",
          engine, libtorch, flavor, cudaAvailable ? "yes" : "no", visibleGpus);
    }
  }

  /** The outcome: a device, or the reason the request cannot be met. */
  public record Choice(Request request, EngineFacts facts, Device device, String refusal) {

    public boolean refused() {
      return device == null;
    }

    /** The one line a command logs about the engine and the device it runs on. */
    public String logLine() {
      String asked = "--device " + request.name().toLowerCase(Locale.ROOT);
      return refused()
          ? facts + "; " + asked + " refused: " + refusal
          : facts + "; device: " + device + " (" + asked + ")";
    }
  }

  // DJL's cache directory of a libtorch it unpacked: VERSION[-BUILDDATE]-FLAVOR-OS-ARCH.
  private static final Pattern CACHE_DIR = Pattern.compile("\\d+\\.\\d+\\.\\d+[^-]*(?:-\\d+)?-(.+)-[a-z]+-[a-z0-9_]+");

  private static volatile Device chosen;

  private ComputeDevice() {
  }

  /**
   * The choice itself, without side effects: {@code cpu} always gets the CPU; {@code gpu} the first
   * GPU, or a refusal when libtorch has no CUDA or DJL counts no GPU; {@code auto} the first
   * GPU when there is a usable one, else the CPU.
   */
  public static Choice choose(Request request, EngineFacts facts) {
    return switch (request) {
      case CPU -> new Choice(request, facts, Device.cpu(), null);
      case AUTO -> new Choice(request, facts, facts.usableGpus() > 0 ? Device.gpu(0) : Device.cpu(), null);
      case GPU -> {
        if (!facts.cudaAvailable()) {
          yield new Choice(request, facts, null, "the loaded libtorch (" + facts.libtorch() + ", flavor "
              + facts.flavor() + ") reports no CUDA: a CPU build, or a CUDA build that finds no driver or GPU; "
              + "build with -Pcuda or point PYTORCH_LIBRARY_PATH at a CUDA libtorch (docs/deploy.md, GPU nodes)");
        }
        if (facts.visibleGpus() == 0) {
          yield new Choice(request, facts, null, "libtorch has CUDA but DJL counts no GPU: it counts through "
              + "libcudart.so loaded with JNA, so put its directory on -Djna.library.path or LD_LIBRARY_PATH");
        }
        yield new Choice(request, facts, Device.gpu(0), null);
      }
    };
  }

  /**
   * Probes the engine, chooses, and makes the device {@link #current()} unless refused. Call once at
   * start-up, before the first network is created.
   */
  public static Choice use(Request request) {
    Choice choice = choose(request, EngineFacts.probe());
    if (!choice.refused()) {
      chosen = choice.device();
    }
    return choice;
  }

  /** The device new networks are created on. */
  public static Device current() {
    Device device = chosen;
    return device != null ? device : Engine.getInstance().defaultDevice();
  }

  /** The devices a trainer of {@code model} must train on: the model's own, so parameters never move. */
  public static Device[] of(Model model) {
    return new Device[] {model.getNDManager().getDevice()};
  }

  static String flavorOf(String override, String libtorchDir) {
    if (override != null && !override.isBlank()) {
      return override;
    }
    Path name = libtorchDir == null ? null : Path.of(libtorchDir).getFileName();
    Matcher m = name == null ? null : CACHE_DIR.matcher(name.toString());
    return m != null && m.matches() ? m.group(1) : "unknown";
  }
}
