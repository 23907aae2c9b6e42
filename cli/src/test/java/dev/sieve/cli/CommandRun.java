package dev.sieve.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs one {@code sieve} command in this JVM and captures what it printed. */
record CommandRun(int exitCode, String out, String err) {

  static CommandRun of(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    int code;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      CommandLine cli = Sieve.commandLine();
      cli.setErr(new PrintWriter(err));
      code = cli.execute(args);
    } finally {
      System.setOut(original);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    System.out.println(printed);
    return new CommandRun(code, printed, err.toString());
  }
}
