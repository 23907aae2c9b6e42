package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sieve.attack.zoo.Zoo;
import dev.sieve.model.Architecture;
import dev.sieve.model.ComputeDevice;
import dev.sieve.model.Network;
import dev.sieve.model.checkpoint.CheckpointMeta;
import dev.sieve.model.checkpoint.CheckpointStore;
import dev.sieve.model.checkpoint.StoredCheckpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SieveCommandTest {

  @TempDir Path dir;

  @Test
  void everySubcommandExplainsItself() {
    for (String command : List.of("demo", "stream", "train", "produce", "bench", "ui", "replay")) {
      StringWriter out = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setOut(new PrintWriter(out));
      assertEquals(0, cli.execute(command, "--help"), command);
      assertTrue(out.toString().contains("Usage: sieve " + command), out.toString());
      assertTrue(out.toString().contains("--bootstrap-servers") || command.equals("bench"), command + ": " + out);
    }
  }

  @Test
  void theBrokerSaysItIsForDevelopmentOnly() {
    StringWriter out = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("broker", "--help"));
    String help = out.toString();
    assertTrue(help.contains("Usage: sieve broker"), help);
    assertTrue(help.contains("A development convenience, not a production broker"), help);
    assertTrue(help.contains("--port") && help.contains("--data-dir"), help);
  }

  @Test
  void theBrokerRefusesATakenPortBeforeItStarts() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      assertEquals(2, cli.execute("broker", "--port", Integer.toString(taken.getLocalPort()),
          "--data-dir", dir.resolve("broker").toString()));
      assertTrue(err.toString().contains("port " + taken.getLocalPort() + " on 127.0.0.1 is taken"), "stderr was: " + err);
    }
  }

  @Test
  void aProbeNeedsExactlyOneSourceOfAttacksAndAScanNeedsTables() {
    for (String[] args : List.of(new String[] {"probe"},
        new String[] {"probe", "--zoo-seed", "7", "--cells", "badnets-3x3:0.1"})) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      assertEquals(2, cli.execute(args), String.join(" ", args));
      assertTrue(err.toString().contains("either --zoo-seed S or --cells"), "stderr was: " + err);
    }
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("probe", "--scan", dir.toString()));
    assertTrue(err.toString().contains("no probe tables"), "stderr was: " + err);
    StringWriter vab = new StringWriter();
    CommandLine vabCli = Sieve.commandLine();
    vabCli.setErr(new PrintWriter(vab));
    assertEquals(2, vabCli.execute("probe", "--scan", dir.toString(), "--split", "vab"));
    assertTrue(vab.toString().contains("--split vab has none"), "stderr was: " + vab);
  }

  @Test
  void keepRunningOnAClusterOfOnesOwnNeedsTheView() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    // Refused before any connection: 127.0.0.1:1 is never dialled.
    assertEquals(2, cli.execute("demo", "--bootstrap-servers", "127.0.0.1:1", "--keep-running"));
    assertTrue(err.toString().contains("there is nothing of the demo's to keep"), "stderr was: " + err);
  }

  @Test
  void aMissingClientConfigFileIsRefusedBeforeAnyConnection() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    Path missing = dir.resolve("client.properties");
    int code = cli.execute("train", "--bootstrap-servers", "127.0.0.1:1", "--client-config", missing.toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("cannot read --client-config " + missing), "stderr was: " + err);
  }

  /**
   * {@code stream --initial-victim} names a file the filter must be able to judge with; a wrong one is
   * refused with the reason before any connection (the broker here does not exist).
   */
  @Test
  void anUnusableInitialVictimIsRefusedBeforeAnyConnection() throws Exception {
    Path missing = dir.resolve("victim-v0000000001.ckpt");
    CommandRun absent = CommandRun.of("stream", "--bootstrap-servers", "127.0.0.1:1", "--initial-victim",
        missing.toString());
    assertEquals(2, absent.exitCode());
    assertTrue(absent.err().contains("--initial-victim refused: initial Victim checkpoint " + missing
        + " cannot be used: no such file"), "stderr was: " + absent.err());

    StoredCheckpoint other;
    try (Network network = Network.create(Architecture.FMNIST_CNN_V1, 1)) {
      other = new CheckpointStore(dir.resolve("other")).write(new CheckpointMeta("victim", 4, "cifar-resnet18",
          Instant.now(), Map.of(), Map.of()), network.parameters());
    }
    CommandRun wrong = CommandRun.of("stream", "--bootstrap-servers", "127.0.0.1:1", "--initial-victim",
        other.path().toString());
    assertEquals(2, wrong.exitCode());
    assertTrue(wrong.err().contains("holds victim v4 of architecture 'cifar-resnet18', but the filter's Victim is "
        + "'fmnist-cnn-v1'"), "stderr was: " + wrong.err());
  }

  @Test
  void zooListsDrawsAsTheirSpecsAndDescriptions() {
    StringWriter out = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setOut(new PrintWriter(out));
    assertEquals(0, cli.execute("zoo", "--zoo-seed", "3", "--count", "4"));
    List<String> lines = out.toString().lines().toList();
    assertEquals(4, lines.size(), out.toString());
    for (int i = 0; i < 4; i++) {
      assertEquals("zoo:3:" + i + "  " + new Zoo(3).draw(i).description(), lines.get(i));
    }
    assertEquals(2, Sieve.commandLine().execute("zoo", "--count", "4"), "the seed is required");
  }

  @Test
  void aProbeIsRefusedTheReportsImagesBeforeAnyTraining() {
    for (String[] range : List.of(new String[] {"20000", "20000"}, new String[] {"30000", "100"},
        new String[] {"0", "0"})) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      int code = cli.execute("probe", "--zoo-seed", "7", "--first-image", range[0], "--samples", range[1],
          "--out", dir.resolve("probe").toString());
      assertEquals(2, code, String.join(" ", range) + ": " + err);
      assertTrue(err.toString().contains("they must lie in 0-29,999"), "stderr was: " + err);
    }
  }

  @Test
  void aRateOrTargetBesideAZooDrawIsRefusedBeforeAnythingStarts() {
    for (String[] args : List.of(
        new String[] {"produce", "--bootstrap-servers", "127.0.0.1:1", "--attack", "zoo:1:2", "--poison-rate", "0.2"},
        new String[] {"demo", "--attack", "zoo:1:2", "--target-label", "3"})) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      assertEquals(2, cli.execute(args), String.join(" ", args) + ": " + err);
      assertTrue(err.toString().contains("--poison-rate and --target-label cannot be given with --attack zoo:1:2"),
          "stderr was: " + err);
    }
  }

  @Test
  void evalNeedsBothZooOptions() {
    for (String[] args : List.of(new String[] {"eval", "--zoo", "3"}, new String[] {"eval", "--zoo-seed", "3"})) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      assertEquals(2, cli.execute(args), String.join(" ", args));
      assertTrue(err.toString().contains("--zoo N and --zoo-seed S go together"), "stderr was: " + err);
    }
  }

  @Test
  void evalRefusesZooAllWithoutZooDraws() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("eval", "--zoo-all", "--cells", "badnets-3x3:0.1"));
    assertTrue(err.toString().contains("--zoo-all says which zoo --zoo N draws from"), "stderr was: " + err);
  }

  @Test
  void gpuIsRefusedWithExit2AndItsReasonWhereNoGpuIsUsable() {
    ComputeDevice.EngineFacts facts = ComputeDevice.EngineFacts.probe();
    assumeTrue(facts.usableGpus() == 0, "this machine has a usable GPU: " + facts);
    for (String command : List.of("bench", "stream", "train", "eval")) {
      StringWriter err = new StringWriter();
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      // A data directory and a broker that do not exist: the refusal comes before either is touched.
      String[] args = command.equals("bench") ? new String[] {command, "--device", "GPU", "--data", dir.resolve("none").toString()}
          : command.equals("eval") ? new String[] {command, "--device", "gpu", "--out", dir.resolve("report").toString()}
          : new String[] {command, "--device", "gpu", "--bootstrap-servers", "127.0.0.1:1"};
      assertEquals(2, cli.execute(args), command + " stderr: " + err);
      assertTrue(err.toString().contains("sieve " + command + ": --device gpu: "), command + " stderr: " + err);
      assertTrue(err.toString().contains(facts.cudaAvailable() ? "counts no GPU" : "reports no CUDA"), command + " stderr: " + err);
    }
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("bench", "--device", "tpu"));
    assertTrue(err.toString().contains("--device"), err.toString());
  }
}
