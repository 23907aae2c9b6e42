package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/gpu without a GPU: both scripts parse, and prepare-carry.sh's jar list holds every Sieve
 * module DeviceCheck (and what it imports from Sieve, transitively) lives in, and no Kafka, RocksDB
 * or PyTorch natives, which the 64 MiB carry has no room for. The full flow is rehearsed by hand
 * (docs/deploy.md, "Running on the GPU machine"): it needs a jlink, a DJL checkout and minutes.
 */
class GpuCarryTest {

  private static final Pattern JARS = Pattern.compile("(?s)\nJARS=\"([^\"]*)\"");
  private static final Pattern SIEVE_IMPORT = Pattern.compile("(?m)^import (dev\\.sieve\\.[\\w.]+)\\.[A-Z]\\w*;");

  @Test
  void bothScriptsParse() throws Exception {
    for (String script : List.of("deploy/gpu/prepare-carry.sh", "deploy/gpu/device-check.sh")) {
      Process bash = new ProcessBuilder("bash", "-n", Repo.path(script).toString()).redirectErrorStream(true).start();
      String output = new String(bash.getInputStream().readAllBytes());
      assertEquals(0, bash.waitFor(), script + ": " + output);
      assertTrue(Files.isExecutable(Repo.path(script)), script + " is not executable");
    }
  }

  @Test
  void theCarriedJarsHoldEverySieveModuleDeviceCheckNeedsAndNothingHeavy() throws IOException {
    Matcher m = JARS.matcher(Files.readString(Repo.path("deploy/gpu/prepare-carry.sh")));
    assertTrue(m.find(), "no JARS=\"...\" in prepare-carry.sh");
    Set<String> jars = new HashSet<>(Arrays.asList(m.group(1).trim().split("\\s+")));

    Set<String> modules = new HashSet<>();
    collectModules(Repo.path("pipeline/src/main/java/dev/sieve/pipeline/DeviceCheck.java"), modules, new HashSet<>());
    assertTrue(modules.containsAll(Set.of("pipeline", "model", "attack", "schemas")), modules.toString());
    for (String module : modules) {
      assertTrue(jars.contains("sieve-" + module), "DeviceCheck needs module " + module + " but prepare-carry.sh's JARS lacks sieve-"
          + module + ": " + jars);
    }
    for (String jar : jars) {
      assertFalse(jar.startsWith("kafka") || jar.startsWith("rocksdb") || jar.startsWith("pytorch-native")
          || jar.startsWith("pytorch-jni"), jar + " does not belong in the GPU carry");
    }
  }

  /** The modules of {@code source} and of the Sieve sources it imports, transitively. */
  private static void collectModules(Path source, Set<String> modules, Set<Path> seen) throws IOException {
    if (!seen.add(source)) {
      return;
    }
    modules.add(Repo.root().relativize(source).getName(0).toString());
    Matcher imports = SIEVE_IMPORT.matcher(Files.readString(source));
    while (imports.find()) {
      String packagePath = imports.group(1).replace('.', '/');
      String simple = imports.group(0).replaceAll(".*\\.(\\w+);$", "$1");
      try (Stream<Path> dirs = Files.list(Repo.root())) {
        for (Path module : dirs.filter(Files::isDirectory).toList()) {
          Path imported = module.resolve("src/main/java").resolve(packagePath).resolve(simple + ".java");
          if (Files.isRegularFile(imported)) {
            collectModules(imported, modules, seen);
          } else if (Files.isRegularFile(module.resolve("src/main/avro").resolve(simple + ".avsc"))) {
            // A class Avro generates from the module's schema (LabeledSample).
            modules.add(module.getFileName().toString());
          }
        }
      }
    }
  }
}
