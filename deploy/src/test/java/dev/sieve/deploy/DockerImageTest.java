package dev.sieve.deploy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The images build from what the repository holds and start the launcher: see {@link DockerfileChecks}. */
class DockerImageTest {

  @Test
  void everyDockerfileCopiesExistingFilesAndEntersTheLauncher() {
    List<Path> dockerfiles = Repo.files(Repo.path("deploy/docker"), "Dockerfile", ".cuda");
    assertFalse(dockerfiles.isEmpty(), "no Dockerfile under deploy/docker");
    List<String> problems = new ArrayList<>();
    for (Path dockerfile : dockerfiles) {
      problems.addAll(DockerfileChecks.problems(dockerfile));
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  @Test
  void theCudaImageBuildsWithTheCudaProfile() {
    String cuda = Repo.read(Repo.path("deploy/docker/Dockerfile.cuda"));
    assertTrue(DockerfileChecks.parse(cuda).stream().flatMap(s -> s.runs().stream()).anyMatch(r -> r.contains(" -Pcuda ")),
        "Dockerfile.cuda does not build with -Pcuda");
    assertTrue(DockerfileChecks.parse(cuda).get(DockerfileChecks.parse(cuda).size() - 1).image().startsWith("nvidia/cuda:"),
        "Dockerfile.cuda does not run on an nvidia/cuda base");
  }
}
