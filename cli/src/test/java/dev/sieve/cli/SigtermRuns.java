package dev.sieve.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonedTrainingSet;
import dev.sieve.data.FashionMnist;
import dev.sieve.loadtest.produce.ProducerConfig;
import dev.sieve.loadtest.produce.SampleProducer;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.TopicCatalog;
import dev.sieve.wire.TopicNames;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * SIGTERM to {@code sieve stream} in a Victim round and to {@code sieve train} in a training
 * step, each in its own JVM, against topics filled once: every run starts from the beginning of
 * them (a fresh application id or checkpoint directory), so one fixture serves any number of runs.
 * The signal waits for a log line, never for a fixed time.
 */
final class SigtermRuns {

  /** Samples on the samples topic: the Victim's warm-up head, reached by every stream run. */
  static final int SAMPLES = 3000;
  /**
   * Verdicts on the credible topic: far more than a train run gets through before its signal,
   * which comes right after its first batch, so that the training thread is busy when it lands.
   */
  static final int CREDIBLE = 6000;
  /** How long a child may take to exit after SIGTERM before the run fails (a hang guard). */
  private static final long EXIT_WAIT_MINUTES = 3;
  private static final Pattern TRAINED = Pattern.compile("trained \\d+ steps on (\\d+) samples");

  /** One signalled child: how it ended. */
  record Outcome(String command, int run, int exitCode, double secondsToExit, List<Path> crashFiles, String tail) {
    boolean clean() {
      return exitCode == 0 && crashFiles.isEmpty();
    }

    @Override
    public String toString() {
      return String.format("sieve %s run %d: exit %d, %.1f s from SIGTERM to exit%s", command, run, exitCode,
          secondsToExit, crashFiles.isEmpty() ? "" : ", crash files " + crashFiles);
    }
  }

  private final String bootstrap;
  private final TopicNames topics;
  private final Path work;

  private SigtermRuns(String bootstrap, TopicNames topics, Path work) {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.work = work;
  }

  /** Fresh topics on {@code bootstrap}, with {@link #SAMPLES} samples and {@link #CREDIBLE} credible verdicts. */
  static SigtermRuns prepare(String bootstrap, Path work) throws Exception {
    SigtermRuns runs = emptyTopics(bootstrap, work);
    TopicNames topics = runs.topics;
    FashionMnist.Split train = FashionMnist.loadTrain(FashionMnist.resolveDir(null));
    new SampleProducer(ProducerConfig.defaults(bootstrap).withTopics(topics).withLimit(SAMPLES).withPoisonRate(0.1)
        .withSeed(7)).produce(train, n -> { });
    // Verdicts as the filter writes them (no transaction needed: read_committed reads these too).
    List<LabeledSample> credible = new PoisonedTrainingSet(train, CREDIBLE, 0.0, Attacks.parse("badnets-3x3", 0), 5)
        .samples();
    AvroSerde<Verdict> serde = AvroSerde.verdict();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (LabeledSample s : credible) {
        Verdict v = Verdict.newBuilder().setSample(s).setDecision(Decision.CREDIBLE).setEntropy(0.5).setScore(0.5)
            .setThreshold(0.1).setVictimModelId("victim").setVictimVersion(1).setReason("sigterm test")
            .setScoredAt(Instant.now()).build();
        producer.send(new ProducerRecord<>(topics.credible(), s.getId().getBytes(), serde.encode(v)));
      }
      producer.flush();
    }
    return runs;
  }

  /**
   * Fresh topics on {@code bootstrap} and nothing on them: enough for {@link #ui}, whose index
   * follower reads the quarantine topic whether it holds records or not.
   */
  static SigtermRuns emptyTopics(String bootstrap, Path work) throws Exception {
    TopicNames topics = new TopicNames("term-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      TopicCatalog.ensureTopics(admin, topics, 2);
    }
    StreamAppSigkillIT.awaitLeaders(bootstrap, topics.samples());
    return new SigtermRuns(bootstrap, topics, work);
  }

  /**
   * {@code sieve stream} with its Victim updater; SIGTERM once the warm-up's bootstrap rounds have
   * begun (five rounds and a reference model on 3,000 samples are still ahead then).
   */
  Outcome stream(int run) throws Exception {
    Path dir = Files.createDirectories(work.resolve("stream-" + run));
    String appId = "sieve-term-" + topics.prefix().replace(".", "") + "-" + run;
    SieveProcess stream = SieveProcess.start(jvmOptions(dir),
        List.of("stream", "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(),
            "--application-id", appId, "--state-dir", dir.resolve("state").toString(),
            "--checkpoint-dir", dir.resolve("victim").toString(),
            "--warmup-samples", Integer.toString(SAMPLES), "--retrain-every", "1000000", "--no-metrics"),
        dir.resolve("stream.log"));
    try {
      awaitLine(stream, "victim warm-up:", "sieve stream died before its warm-up");
      Outcome outcome = signal(stream, "stream", run, dir);
      String output = stream.output();
      assertTrue(output.contains("stopped mid-round for close"), "the signal did not land in a round:\n" + outcome.tail);
      assertTrue(!output.contains("still busy"), "the updater outlived its close:\n" + outcome.tail);
      return outcome;
    } finally {
      stream.kill();
    }
  }

  /**
   * {@code sieve train} on the credible topic from its beginning; SIGTERM as its first batch goes
   * into training, with thousands of verdicts still waiting.
   */
  Outcome train(int run) throws Exception {
    Path dir = Files.createDirectories(work.resolve("train-" + run));
    SieveProcess train = SieveProcess.start(jvmOptions(dir),
        List.of("train", "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(),
            "--checkpoint-dir", dir.resolve("beneficiary").toString(),
            "--victim-checkpoint-dir", dir.resolve("victim").toString(), "--no-metrics"),
        dir.resolve("train.log"));
    try {
      awaitLine(train, "first batch of this run", "sieve train died before its first batch");
      Outcome outcome = signal(train, "train", run, dir);
      String output = train.output();
      Matcher trained = TRAINED.matcher(output);
      assertTrue(trained.find(), "no summary after the stop:\n" + outcome.tail);
      // Fewer samples than the topic holds: the signal came while training was under way.
      assertTrue(Long.parseLong(trained.group(1)) < CREDIBLE, "the signal came after training ended:\n" + outcome.tail);
      assertTrue(output.contains("run ended (stopped)"), "no final checkpoint after the stop:\n" + outcome.tail);
      return outcome;
    } finally {
      train.kill();
    }
  }

  /**
   * {@code sieve train --mode dbd}: a round on the first 2,000 verdicts, and SIGTERM as it starts.
   * The round (SimCLR, a linear probe and MixMatch: minutes on a small CPU) is abandoned between
   * two batches with no checkpoint, instead of keeping the process past the shutdown timeout.
   */
  Outcome trainDbd(int run) throws Exception {
    Path dir = Files.createDirectories(work.resolve("dbd-" + run));
    SieveProcess train = SieveProcess.start(jvmOptions(dir),
        List.of("train", "--mode", "dbd", "--dbd-round-every", "2000", "--dbd-window", "2000",
            "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(),
            "--checkpoint-dir", dir.resolve("beneficiary").toString(),
            "--victim-checkpoint-dir", dir.resolve("victim").toString(), "--no-metrics"),
        dir.resolve("train.log"));
    try {
      awaitLine(train, "DBD round v1", "sieve train --mode dbd died before its first round");
      Outcome outcome = signal(train, "train --mode dbd", run, dir);
      assertTrue(train.output().contains("round v1 abandoned"), "the round was not abandoned:\n" + outcome.tail);
      Path checkpoints = dir.resolve("beneficiary-dbd");
      if (Files.exists(checkpoints)) {
        try (Stream<Path> written = Files.walk(checkpoints)) {
          assertTrue(written.noneMatch(f -> f.toString().endsWith(".ckpt")), "an abandoned round wrote a checkpoint");
        }
      }
      return outcome;
    } finally {
      train.kill();
    }
  }

  /**
   * {@code sieve ui} serving the quarantine view; SIGTERM once it prints its address (its index
   * follower is then reading the quarantine topic).
   */
  Outcome ui(int run) throws Exception {
    Path dir = Files.createDirectories(work.resolve("ui-" + run));
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    SieveProcess ui = SieveProcess.start(jvmOptions(dir),
        List.of("ui", "--bootstrap-servers", bootstrap, "--topic-prefix", topics.prefix(), "--port",
            Integer.toString(port), "--generated-token-file", dir.resolve("ui-token").toString()),
        dir.resolve("ui.log"));
    try {
      awaitLine(ui, "sieve ui: http://", "sieve ui died before it served");
      return signal(ui, "ui", run, dir);
    } finally {
      ui.kill();
    }
  }

  /**
   * {@code sieve demo --limit 3000} on its own embedded broker; SIGTERM once the Victim's warm-up
   * has begun, with the producer, the filter and the Victim updater all busy. Needs no fixture.
   */
  static Outcome demo(Path work, int run) throws Exception {
    Path dir = Files.createDirectories(work.resolve("demo-" + run));
    SieveProcess demo = SieveProcess.start(jvmOptions(dir),
        List.of("demo", "--limit", Integer.toString(SAMPLES), "--work-dir", dir.resolve("run").toString()),
        dir.resolve("demo.log"));
    try {
      awaitLine(demo, "victim warm-up:", "sieve demo died before the Victim's warm-up");
      Outcome outcome = signal(demo, "demo", run, dir);
      assertTrue(demo.output().contains("nothing was measured"), "no word of the stop:\n" + outcome.tail);
      return outcome;
    } finally {
      demo.kill();
    }
  }

  private static List<String> jvmOptions(Path dir) {
    return List.of("-Xmx1g", "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
  }

  private static void awaitLine(SieveProcess process, String line, String died) throws IOException,
      InterruptedException {
    while (!process.output().contains(line)) {
      assertTrue(process.process.isAlive(), died + ":\n" + process.tail(60));
      Thread.sleep(50);
    }
  }

  /** SIGTERM, then waits for the exit and looks for a crash file (where -XX:ErrorFile puts it, and the cwd). */
  private static Outcome signal(SieveProcess process, String command, int run, Path dir) throws Exception {
    long signalled = System.nanoTime();
    process.process.destroy(); // SIGTERM
    assertTrue(process.process.waitFor(EXIT_WAIT_MINUTES, TimeUnit.MINUTES),
        "sieve " + command + " still running " + EXIT_WAIT_MINUTES + " min after SIGTERM:\n" + process.tail(60));
    double seconds = (System.nanoTime() - signalled) / 1e9;
    List<Path> crashes = new ArrayList<>(crashFiles(dir, "hs_err"));
    crashes.addAll(crashFiles(Path.of("").toAbsolutePath(), "hs_err_pid" + process.process.pid()));
    return new Outcome(command, run, process.process.exitValue(), seconds, crashes, process.tail(40));
  }

  private static List<Path> crashFiles(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
    }
  }
}
