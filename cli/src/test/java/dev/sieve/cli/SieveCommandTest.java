package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
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
  void aMissingClientConfigFileIsRefusedBeforeAnyConnection() {
    StringWriter err = new StringWriter();
    CommandLine cli = Sieve.commandLine();
    cli.setErr(new PrintWriter(err));
    Path missing = dir.resolve("client.properties");
    int code = cli.execute("train", "--bootstrap-servers", "127.0.0.1:1", "--client-config", missing.toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("cannot read --client-config " + missing), "stderr was: " + err);
  }
}
