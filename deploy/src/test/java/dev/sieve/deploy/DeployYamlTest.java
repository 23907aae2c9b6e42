package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every YAML and JSON file under deploy/ parses, every YAML document of it. */
class DeployYamlTest {

  @Test
  void everyYamlFileUnderDeployParses() {
    List<Path> files = Repo.files(Repo.deploy(), ".yml", ".yaml");
    assertFalse(files.isEmpty(), "no YAML under deploy/");
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      try {
        if (Yamls.loadAll(file).isEmpty()) {
          problems.add(Repo.name(file) + ": no YAML document in it");
        }
      } catch (Yamls.ParseError e) {
        problems.add(e.getMessage());
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void everyJsonFileUnderDeployParses() {
    List<String> problems = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (Path file : Repo.files(Repo.deploy(), ".json")) {
      try {
        json.readTree(file.toFile());
      } catch (IOException e) {
        problems.add(Repo.name(file) + ": not valid JSON: " + e.getMessage());
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }
}
