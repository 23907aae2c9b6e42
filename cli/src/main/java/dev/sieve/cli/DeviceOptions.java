package dev.sieve.cli;

import dev.sieve.model.ComputeDevice;
import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** Where a command's networks score and train: the CPU, the first GPU, or whichever there is. */
final class DeviceOptions {

  @Option(names = "--device", defaultValue = "auto", paramLabel = "cpu|gpu|auto", converter = RequestConverter.class,
      description = {"Device for scoring and training (default: ${DEFAULT-VALUE}): auto takes the first GPU when the",
          "loaded libtorch has CUDA and sees one, else the CPU; gpu refuses to start (exit 2) without one."})
  ComputeDevice.Request device;

  /** Reads cpu, gpu or auto in any case, whatever the command line it is parsed with allows. */
  static final class RequestConverter implements ITypeConverter<ComputeDevice.Request> {
    @Override
    public ComputeDevice.Request convert(String value) {
      try {
        return ComputeDevice.Request.valueOf(value.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected cpu, gpu or auto, got '" + value + "'");
      }
    }
  }

  /**
   * Loads the engine, chooses the device and prints one line saying what was found and chosen;
   * call before the first network is created.
   *
   * @throws IllegalArgumentException (exit 2) when {@code --device gpu} finds no usable GPU
   */
  ComputeDevice.Choice use(String command, PrintStream err) {
    ComputeDevice.Choice choice = ComputeDevice.use(device);
    err.println("sieve " + command + ": " + choice.logLine());
    if (choice.refused()) {
      throw new IllegalArgumentException("--device gpu: " + choice.refusal());
    }
    return choice;
  }
}
