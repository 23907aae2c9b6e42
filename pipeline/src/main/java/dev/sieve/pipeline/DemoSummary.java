package dev.sieve.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sieve.eval.metrics.Quality;
import dev.sieve.eval.report.RunEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a demo run measured. Written as JSON with {@code --summary FILE}; the key names are part of
 * the command's contract.
 *
 * @param in samples the producer sent
 * @param poisoned of which poisoned
 * @param credible samples routed to credible
 * @param quarantine samples routed to quarantine
 * @param deadLetter records dead-lettered
 * @param duplicates sample ids seen more than once across the outputs (must be 0)
 * @param recall poisoned samples quarantined / poisoned samples, at first judgement
 * @param fpr clean samples quarantined / clean samples
 * @param precision poisoned among the quarantined
 * @param cleanAccuracy the Beneficiary's accuracy on Fashion-MNIST's 10,000 test images
 * @param attackSuccessRate the Beneficiary's share of triggered non-target test images classified as the target
 *     (for a zoo draw of two attacks, over both triggers' images together, each against its own target)
 * @param robustAccuracy the Beneficiary's share of those triggered images classified correctly
 * @param samplesPerSecond samples decided per second, first produce to last verdict (includes the
 *     wait for the first Victim, during which nothing is released)
 * @param filterSamplesPerSecond samples decided per second from the first verdict to the last
 * @param latencyP50Ms median produce-to-verdict latency
 * @param latencyP99Ms 99th percentile of that latency
 * @param victimVersions Victim versions published during the run
 * @param beneficiarySteps optimizer steps the Beneficiary took
 * @param wallSeconds the pipeline, from topic creation to the Beneficiary's evaluation
 * @param retractions credible verdicts the filter took back when a newer Victim called them suspect
 * @param recallAfterRetractions poisoned samples quarantined at first judgement or retracted later /
 *     poisoned samples (read once the last Victim version has re-judged what the filter released)
 * @param environment the commit and the machine the run measured, written as {@code commit},
 *     {@code commitSource} and {@code machine}: timings only compare on a like machine
 */
public record DemoSummary(
    long in,
    long poisoned,
    long credible,
    long quarantine,
    long deadLetter,
    long duplicates,
    double recall,
    double fpr,
    double precision,
    double cleanAccuracy,
    double attackSuccessRate,
    double robustAccuracy,
    double samplesPerSecond,
    double filterSamplesPerSecond,
    double latencyP50Ms,
    double latencyP99Ms,
    long victimVersions,
    long beneficiarySteps,
    double wallSeconds,
    long retractions,
    double recallAfterRetractions,
    RunEnvironment environment) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The Beneficiary's clean accuracy, attack success rate and robust accuracy. */
  public Quality beneficiary() {
    return new Quality(cleanAccuracy, attackSuccessRate, robustAccuracy);
  }

  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("in", in);
    m.put("poisoned", poisoned);
    m.put("credible", credible);
    m.put("quarantine", quarantine);
    m.put("deadLetter", deadLetter);
    m.put("duplicates", duplicates);
    m.put("recall", finite(recall));
    m.put("retractions", retractions);
    m.put("recallAfterRetractions", finite(recallAfterRetractions));
    m.put("fpr", finite(fpr));
    m.put("precision", finite(precision));
    m.put("cleanAccuracy", finite(cleanAccuracy));
    m.put("attackSuccessRate", finite(attackSuccessRate));
    m.put("robustAccuracy", finite(robustAccuracy));
    m.put("samplesPerSecond", finite(samplesPerSecond));
    m.put("filterSamplesPerSecond", finite(filterSamplesPerSecond));
    m.put("latencyP50Ms", finite(latencyP50Ms));
    m.put("latencyP99Ms", finite(latencyP99Ms));
    m.put("victimVersions", victimVersions);
    m.put("beneficiarySteps", beneficiarySteps);
    m.put("wallSeconds", finite(wallSeconds));
    if (environment != null) {
      m.putAll(environment.asMap());
    }
    return m;
  }

  /** JSON has no NaN; an undefined rate (recall without poison) is written as null. */
  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), asMap());
  }

  public String table() {
    StringBuilder out = new StringBuilder("Sieve demo summary\n");
    asMap().forEach((k, v) -> out.append(String.format(Locale.ROOT, "  %-22s %s%n", k,
        v instanceof Double d ? String.format(Locale.ROOT, "%.4f", d) : String.valueOf(v))));
    return out.toString();
  }
}
